import { createHash } from "node:crypto";
import { datasetNames, type DatasetName } from "../domain/datasets.js";
import { partnerIdSchema } from "../domain/documents.js";

// What the blob's name tells: partner, dataset, file name, compression, snapshot date (pure).

export interface DropPath {
  /** Path inside the drops container: {partnerId}/{dataset}/{fileName}. */
  name: string;
  partnerId: string;
  dataset: string;
  fileName: string;
}

/** Accepts "drops/p/d/f.csv" (the trigger's blobTrigger) or "p/d/f.csv"; the file name keeps any deeper folders. */
export function parseDropPath(blobPath: string): DropPath | undefined {
  const name = blobPath.replace(/^\/+/, "").replace(/^drops\//, "");
  const parts = name.split("/");
  if (parts.length < 3 || parts.some((p) => p === "")) return undefined;
  const [partnerId, dataset, ...rest] = parts;
  return { name, partnerId, dataset, fileName: rest.join("/") };
}

export type DropCheck =
  | { ok: true; dataset: DatasetName; compressed: "gzip" | "none"; asOf: string }
  | { ok: false; reason: string };

export interface DropCheckInput {
  path: DropPath;
  sizeBytes: number;
  maxBytes: number;
  /** First bytes of the content (gzip is recognised by its magic number, not by its name). */
  head: Uint8Array;
  receivedAt: Date;
  now: Date;
}

/** The whole-file checks that need no parsing, in the order a user would fix them. */
export function checkDrop(input: DropCheckInput): DropCheck {
  const { path } = input;
  const partner = partnerIdSchema.safeParse(path.partnerId);
  if (!partner.success) return { ok: false, reason: `partner folder "${path.partnerId}" ${partner.error.issues[0].message}` };
  if (!(datasetNames as readonly string[]).includes(path.dataset)) {
    return { ok: false, reason: `unknown dataset folder "${path.dataset}": known datasets are ${datasetNames.join(", ")}` };
  }
  const lower = path.fileName.toLowerCase();
  const named = lower.endsWith(".csv.gz") ? "gzip" : lower.endsWith(".csv") ? "none" : undefined;
  if (!named) return { ok: false, reason: `file name "${path.fileName}" must end in .csv or .csv.gz` };
  if (input.sizeBytes > input.maxBytes) {
    return { ok: false, reason: `file is ${formatBytes(input.sizeBytes)}, over the limit of ${formatBytes(input.maxBytes)}` };
  }
  const isGzip = input.head.length >= 2 && input.head[0] === 0x1f && input.head[1] === 0x8b;
  if (named === "gzip" && !isGzip) {
    return { ok: false, reason: `file "${path.fileName}" is named .gz but is not gzip-compressed (no gzip header)` };
  }
  const asOf = snapshotDate(path.fileName, input.receivedAt);
  if (!asOf.ok) return asOf;
  const today = input.now.toISOString().slice(0, 10);
  if (asOf.fromFileName && asOf.asOf > today) {
    return { ok: false, reason: `snapshot date ${asOf.asOf} in the file name is in the future` };
  }
  return { ok: true, dataset: path.dataset as DatasetName, compressed: isGzip ? "gzip" : "none", asOf: asOf.asOf };
}

/** The snapshot date: the last YYYY-MM-DD in the file name, else the UTC day the blob was received. */
export function snapshotDate(
  fileName: string,
  receivedAt: Date,
): { ok: true; asOf: string; fromFileName: boolean } | { ok: false; reason: string } {
  const base = fileName.split("/").pop() ?? fileName;
  const matches = [...base.matchAll(/(?<![0-9])(\d{4})-(\d{2})-(\d{2})(?![0-9])/g)];
  const m = matches[matches.length - 1];
  if (!m) return { ok: true, asOf: receivedAt.toISOString().slice(0, 10), fromFileName: false };
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  const text = `${m[1]}-${m[2]}-${m[3]}`;
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text) {
    return { ok: false, reason: `date ${text} in the file name is not a valid date` };
  }
  return { ok: true, asOf: text, fromFileName: true };
}

/** One record per blob version: the same (partner, path, ETag) always maps to the same id. */
export function ingestionIdFor(partnerId: string, blobName: string, etag: string): string {
  return createHash("sha256").update(`${partnerId}\n${blobName}\n${normaliseEtag(etag)}`).digest("hex").slice(0, 32);
}

/** ETags arrive quoted or not depending on the source; compare them unquoted. */
export function normaliseEtag(etag: string): string {
  return etag.replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB (${n} bytes)`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB (${n} bytes)`;
  return `${n} bytes`;
}
