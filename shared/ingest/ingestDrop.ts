import { randomUUID } from "node:crypto";
import { createGunzip } from "node:zlib";
import type { DatasetName } from "../domain/datasets.js";
import type { RowError } from "../domain/documents.js";
import { describeError } from "../errors.js";
import type {
  ArchiveTarget,
  DropStore,
  IngestionRecord,
  IngestionStore,
  StagingStore,
  StoredIngestion,
} from "../ports/ingest.js";
import type { PartnerRegistry } from "../ports/partners.js";
import type { RefreshQueue } from "../ports/refreshQueue.js";
import { CsvError, detached, parseCsvBatches } from "./csv.js";
import { ingestOf, stagedDocId, type IngestHeader, type StagedDoc } from "./datasets.js";
import type { IngestionContext } from "./documents.js";
import { checkDrop, formatBytes, ingestionIdFor, normaliseEtag, parseDropPath, type DropPath } from "./dropFile.js";
import { withoutInvisibleCharacters } from "./rows.js";

// The ingest use case: one dropped blob version → its rows staged under its ingestion id → committed whole.
//
// All or nothing: rows are written as staged documents that no refresh reads until the ingestion record says
// "loaded" (one conditional write, the commit). A drop that fails, is rejected, crashes or is poisoned never
// becomes visible; its staged rows are removed later. After the commit: the partner is marked changed, its
// refresh queued, and the drop removed (it is archived in processed/ before the commit, rejected/ on failure).
//
// Nothing stranded: a delivery holds a lease on the record (renewed while it works); a delivery that finds the
// lease run out takes the work over, and the sweep (sweepDrops.ts) redelivers drops nobody finished. After
// `maxAttempts` deliveries a drop ends failed with its reason instead of being retried forever.

export interface IngestLimits {
  maxBytes: number;
  maxErrorsKept: number;
  /** A delivery that has not renewed its lease for this long is presumed dead and taken over. */
  leaseMs: number;
  /** Deliveries of one drop before it ends failed. */
  maxAttempts: number;
}

export interface IngestDeps {
  limits: IngestLimits;
  ingestions: IngestionStore;
  staging: StagingStore;
  drops: DropStore;
  partners: Pick<PartnerRegistry, "recordDatasetLoad">;
  refreshQueue: RefreshQueue;
  clock?: () => Date;
  log?: (message: string) => void;
  /** Rows are grouped by tenant and written when the buffer holds this many tenants or rows. */
  batching?: { maxTenants: number; maxRows: number };
}

export interface DroppedBlob {
  /** "drops/{partnerId}/{dataset}/{fileName}" (or without the container). */
  blobPath: string;
  /** The blob's bytes; absent when it was too large to hand over (then `sizeBytes` says how large). */
  content?: Uint8Array;
  etag: string;
  /** When this version was written (its Last-Modified): versions apply in this order. */
  writtenAt?: Date;
  sizeBytes?: number;
}

export type IngestOutcome =
  | { status: "loaded" | "failed"; ingestionId: string; record: IngestionRecord }
  | { status: "skipped"; ingestionId?: string; reason: string };

// maxRows allows ~200 tenants of a year of usage (96 rows each) per batch: two bulk chunks, written while the
// next batch is parsed. Small batches keep the buffered rows short-lived (the collector frees them cheaply).
const defaultBatching = { maxTenants: 200, maxRows: 20_000 };
const chunkBytes = 64 * 1024;
const maxWriteRaces = 10;

/** A defect of the whole file: it is rejected with this reason and nothing of it becomes visible. */
class FileRejected extends Error {}

/** Another delivery took this ingestion over; this one stops without touching anything more. */
class ClaimLost extends Error {}

export async function ingestDrop(deps: IngestDeps, blob: DroppedBlob): Promise<IngestOutcome> {
  const clock = deps.clock ?? (() => new Date());
  const log = deps.log ?? (() => {});
  const path = parseDropPath(blob.blobPath);
  if (!path) {
    // The trigger's path pattern makes this unreachable; the sweep moves such blobs aside.
    log(`ingest: ignoring ${blob.blobPath}: not drops/{partnerId}/{dataset}/{fileName}`);
    return { status: "skipped", reason: "not a drop path" };
  }
  const ingestionId = ingestionIdFor(path.partnerId, path.name, blob.etag);
  const claim = await claimIngestion(deps, path, blob, ingestionId, clock);
  if ("skip" in claim) {
    log(`ingest ${ingestionId} (${blob.blobPath}): skipped, ${claim.skip}`);
    return { status: "skipped", ingestionId, reason: claim.skip };
  }
  const run = new IngestionRun(deps, path, blob, claim.stored, clock);
  try {
    return await run.execute(claim.giveUp);
  } catch (err) {
    if (err instanceof ClaimLost) {
      log(`ingest ${ingestionId}: another delivery took over; stopping`);
      return { status: "skipped", ingestionId, reason: "taken over by another delivery" };
    }
    await run.release();
    throw err;
  } finally {
    run.stopHeartbeat();
  }
}

type Claim = { stored: StoredIngestion; giveUp?: string } | { skip: string };

async function claimIngestion(deps: IngestDeps, path: DropPath, blob: DroppedBlob, ingestionId: string, clock: () => Date): Promise<Claim> {
  const now = clock();
  const token = randomUUID();
  const fresh: IngestionRecord = {
    id: ingestionId,
    partnerId: path.partnerId,
    type: "ingestion",
    blobPath: `drops/${path.name}`,
    etag: normaliseEtag(blob.etag),
    dataset: path.dataset,
    fileName: path.fileName,
    status: "received",
    // When the blob arrived: its Last-Modified when known (the list is ordered by it), else now.
    receivedAt: (blob.writtenAt ?? now).toISOString(),
    ...(blob.writtenAt ? { writtenAt: blob.writtenAt.toISOString() } : {}),
    // The real time, not the injected clock: it only orders versions whose Last-Modified (whole seconds) ties.
    firstSeenAt: new Date().toISOString(),
    sizeBytes: blob.sizeBytes ?? blob.content?.length ?? 0,
    counts: { rows: 0, loaded: 0, rejected: 0, documents: 0 },
    errors: [],
    warnings: [],
    attempts: 1,
    claimedBy: token,
    heartbeatAt: now.toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    const created = await deps.ingestions.create(fresh);
    if (created !== "exists") return { stored: created };
    const existing = await deps.ingestions.read(path.partnerId, ingestionId);
    if (!existing) continue; // deleted in between: try creating again
    const record = existing.record;
    if (record.status === "loaded" || record.status === "failed") {
      await finishAfterCrash(deps, path, blob, record);
      return { skip: `already ${record.status}` };
    }
    const lastSign = Date.parse(record.heartbeatAt ?? record.receivedAt);
    const alive = record.claimedBy !== undefined && now.getTime() - lastSign < deps.limits.leaseMs;
    if (alive) return { skip: "in progress in another delivery" };
    const attempts = (record.attempts ?? 1) + 1;
    const taken = await deps.ingestions.replace(
      { ...record, status: "received", attempts, claimedBy: token, heartbeatAt: now.toISOString() },
      existing.etag,
    );
    if (taken === "conflict") return { skip: "in progress in another delivery" };
    // Past the limit: end it failed now rather than retry a drop that keeps failing.
    if (attempts > deps.limits.maxAttempts) {
      return { stored: taken, giveUp: `could not be ingested after ${deps.limits.maxAttempts} attempts (the service kept failing on it); drop it again to retry` };
    }
    return { stored: taken };
  }
  throw new Error(`ingest ${ingestionId}: could not create or read the ingestion record`);
}

/**
 * A final record whose drop is still in drops/: a delivery crashed after the commit (or the rejection) but
 * before the last steps. Redo them; each is idempotent.
 */
async function finishAfterCrash(deps: IngestDeps, path: DropPath, blob: DroppedBlob, record: IngestionRecord): Promise<void> {
  const version = await deps.drops.dropVersion(path.name);
  if (!version || normaliseEtag(version.etag) !== normaliseEtag(blob.etag)) return;
  if (record.status === "loaded" && record.asOf) {
    await deps.partners.recordDatasetLoad(path.partnerId, path.dataset as DatasetName, {
      asOf: record.asOf,
      ingestionId: record.id,
      loadedAt: record.finishedAt ?? (deps.clock ?? (() => new Date()))().toISOString(),
    });
    await deps.refreshQueue.enqueue({ partnerId: path.partnerId, reason: "drop", requestedAt: new Date().toISOString() });
  }
  if (!record.archivedTo) return; // the record says where the blob stays and why
  await deps.drops.removeDrop(path.name, blob.etag);
}

class IngestionRun {
  private stored: StoredIngestion;
  private saving: Promise<void> = Promise.resolve();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatFailure: unknown;
  /** Rows read so far while staging: each heartbeat shows them, so a long drop reports its progress. */
  private progress: IngestionRecord["counts"] | undefined;
  private readonly clock: () => Date;

  constructor(
    private readonly deps: IngestDeps,
    private readonly path: DropPath,
    private readonly blob: DroppedBlob,
    stored: StoredIngestion,
    clock: () => Date,
  ) {
    this.stored = stored;
    this.clock = clock;
    // The lease is renewed on a timer, not only between batches, so a long archive step never loses it.
    const every = Math.max(250, Math.floor(deps.limits.leaseMs / 4));
    this.heartbeatTimer = setInterval(() => {
      const progress = this.progress;
      this.save((r) => (progress && r.status === "validating" ? { ...r, counts: progress } : r)).catch((err) => (this.heartbeatFailure ??= err));
    }, every);
    this.heartbeatTimer.unref?.();
  }

  get record(): IngestionRecord {
    return this.stored.record;
  }

  stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  async execute(giveUp?: string): Promise<IngestOutcome> {
    if (giveUp) return this.reject(giveUp);
    const now = this.clock();
    const sizeBytes = this.blob.sizeBytes ?? this.blob.content?.length ?? 0;
    const check = checkDrop({
      path: this.path,
      sizeBytes,
      maxBytes: this.deps.limits.maxBytes,
      head: this.blob.content?.subarray(0, 2) ?? new Uint8Array(),
      receivedAt: this.blob.writtenAt ?? new Date(this.record.receivedAt),
      now,
    });
    if (!check.ok) return this.reject(check.reason);
    const content = this.blob.content;
    if (!content) return this.reject(`file is ${formatBytes(sizeBytes)}, over the limit of ${formatBytes(this.deps.limits.maxBytes)}`);
    await this.save((r) => ({ ...r, status: "validating", asOf: check.asOf }));

    const chunks = () => contentChunks(content, check.compressed === "gzip", this.deps.limits.maxBytes);
    // Pass 1 reads the whole file for defects that reject it whole (encoding, quoting, size, header) before
    // anything is written; pass 2 validates and stages rows. Both stream; neither keeps the rows.
    let header: IngestHeader;
    try {
      header = await scanFile(check.dataset, chunks());
    } catch (err) {
      if (err instanceof FileRejected) return this.reject(err.message);
      throw err;
    }
    await this.save((r) => ({ ...r, warnings: header.warnings }));
    const ctx: IngestionContext = { partnerId: this.path.partnerId, ingestionId: this.record.id, asOf: check.asOf };
    let result: LoadResult;
    try {
      result = await this.stageRows(check.dataset, header, ctx, chunks());
    } catch (err) {
      if (err instanceof FileRejected) return this.reject(err.message);
      throw err;
    }
    const counts = { rows: result.rows, loaded: result.loaded, rejected: result.rejected, documents: result.documents };
    const warnings = [...header.warnings, ...result.warnings];
    if (result.loaded === 0) {
      return this.reject(`no valid rows: all ${result.rows} data rows have errors`, { counts, errors: result.errors, warnings });
    }
    const archivedTo = await this.archiveBlob("processed", "loaded");
    const loadedAt = this.clock().toISOString();
    // The commit: from this write on, a refresh reads this drop's rows (and only if it is still our claim).
    await this.save((r) => ({
      ...r,
      status: "loaded",
      finishedAt: loadedAt,
      counts,
      errors: result.errors,
      warnings,
      archivedTo,
      ...(result.months.length > 0 ? { months: result.months } : {}),
      claimedBy: undefined,
    }));
    this.stopHeartbeat();
    await this.deps.partners.recordDatasetLoad(this.path.partnerId, check.dataset, { asOf: check.asOf, ingestionId: ctx.ingestionId, loadedAt });
    await this.deps.refreshQueue.enqueue({ partnerId: this.path.partnerId, reason: "drop", requestedAt: loadedAt });
    await this.deps.drops.removeDrop(this.path.name, this.blob.etag);
    this.log(`loaded ${counts.loaded} of ${counts.rows} rows into ${counts.documents} documents (${counts.rejected} rejected)`);
    return { status: "loaded", ingestionId: ctx.ingestionId, record: this.record };
  }

  /** Gives the work back after an unexpected error so the platform's retry can claim it at once. */
  async release(): Promise<void> {
    this.stopHeartbeat();
    try {
      await this.saving.catch(() => undefined);
      await this.deps.ingestions.replace({ ...this.record, claimedBy: undefined }, this.stored.etag);
    } catch {
      // The retry then waits for the lease to run out; nothing is lost.
    }
  }

  private async reject(reason: string, extra: Partial<Pick<IngestionRecord, "counts" | "errors" | "warnings">> = {}): Promise<IngestOutcome> {
    const archivedTo = await this.archiveBlob("rejected", "failed", reason);
    await this.save((r) => ({
      ...r,
      ...extra,
      status: "failed",
      reason,
      finishedAt: this.clock().toISOString(),
      archivedTo,
      claimedBy: undefined,
    }));
    this.stopHeartbeat();
    await this.deps.drops.removeDrop(this.path.name, this.blob.etag);
    this.log(`rejected: ${reason}`);
    return { status: "failed", ingestionId: this.record.id, record: this.record };
  }

  private archiveBlob(target: ArchiveTarget, status: string, reason?: string): Promise<string> {
    const name = `${this.path.partnerId}/${this.path.dataset}/${this.record.id}-${this.path.fileName}`;
    const metadata: Record<string, string> = { ingestionId: this.record.id, status };
    if (reason) metadata.reason = reason;
    const source = this.blob.content ? { content: this.blob.content } : { copyOf: this.path.name, etag: this.blob.etag };
    return this.deps.drops.archive(target, name, source, metadata);
  }

  /** Writes the record (changed by `change`) conditionally on our claim; writes are serialised. */
  private save(change: (record: IngestionRecord) => IngestionRecord): Promise<void> {
    const next = this.saving.then(async () => {
      if (this.heartbeatFailure instanceof ClaimLost) throw this.heartbeatFailure;
      const saved = await this.deps.ingestions.replace({ ...change(this.record), heartbeatAt: this.clock().toISOString() }, this.stored.etag);
      if (saved === "conflict") throw new ClaimLost();
      this.stored = saved;
    });
    this.saving = next.catch(() => undefined);
    return next;
  }

  private log(message: string): void {
    this.deps.log?.(`ingest ${this.record.id} (${this.record.blobPath}): ${message}`);
  }

  private async stageRows(dataset: DatasetName, header: IngestHeader, ctx: IngestionContext, chunks: AsyncIterable<Uint8Array>): Promise<LoadResult> {
    const spec = ingestOf(dataset);
    const validate = spec.validator(header, { now: this.clock() });
    const batching = this.deps.batching ?? defaultBatching;
    const maxErrors = this.deps.limits.maxErrorsKept;
    const result: LoadResult = { rows: 0, loaded: 0, rejected: 0, documents: 0, errors: [], warnings: [], months: [] };
    const months = new Set<string>();
    const written = new Set<string>();
    let buffer = new Map<string, unknown[]>();
    let bufferedRows = 0;
    // A delivery that took over from a crashed one finds that one's staged rows: they are this same file's
    // rows, so merging onto them is idempotent. A first delivery reads back only tenants it already wrote.
    const takeover = (this.record.attempts ?? 1) > 1;

    const idOf = (key: string) => stagedDocId(spec.docType, ctx.ingestionId, key);
    const writeBatch = async (batch: Map<string, unknown[]>) => {
      let keys = [...batch.keys()];
      for (let attempt = 1; keys.length > 0; attempt++) {
        if (attempt > maxWriteRaces) {
          throw new Error(`ingest ${ctx.ingestionId}: ${keys.length} staged document(s) kept changing under concurrent writes`);
        }
        const toRead = takeover || attempt > 1 ? keys : keys.filter((key) => written.has(key));
        const existing = toRead.length > 0 ? await this.deps.staging.readDocs<StagedDoc>(ctx.partnerId, toRead.map(idOf)) : [];
        const byId = new Map(existing.map((d) => [d.id, d]));
        const writes = keys.map((key) => {
          const stored = byId.get(idOf(key));
          return { key, doc: spec.merge(ctx, key, stored, batch.get(key)!), etag: stored?._etag };
        });
        const lost = new Set(await this.deps.staging.writeDocs(ctx.partnerId, writes));
        // Kept for the whole file: detached, or each key would keep its decoded CSV chunk alive.
        for (const w of writes) if (!lost.has(w.doc.id) && !written.has(w.key)) written.add(detached(w.key));
        // Someone else wrote in between (a delivery presumed dead): read those again and merge onto them.
        keys = writes.filter((w) => lost.has(w.doc.id)).map((w) => w.key);
      }
      result.documents = written.size;
      this.progress = { rows: result.rows, loaded: result.loaded, rejected: result.rejected, documents: result.documents };
      if (this.heartbeatFailure instanceof ClaimLost) throw this.heartbeatFailure;
    };
    // One batch is written while the next is parsed. A batch starts only after the previous one landed, so a
    // tenant whose rows span two batches is read back with the first batch's rows merged in.
    let writing: Promise<void> = Promise.resolve();
    const flush = async () => {
      if (buffer.size === 0) return;
      const batch = buffer;
      buffer = new Map();
      bufferedRows = 0;
      await writing;
      writing = writeBatch(batch);
      // A failure surfaces at the next await of `writing`; until then it must not count as unhandled.
      writing.catch(() => undefined);
    };

    let headerSeen = false;
    let cleanedCells = 0;
    try {
      for await (const batch of parseCsvBatches(chunks)) {
        for (const record of batch) {
          if (!headerSeen) {
            headerSeen = true;
            continue;
          }
          result.rows++;
          const clean = withoutInvisibleCharacters(record);
          cleanedCells += clean.cleaned;
          const outcome = validate(clean.record);
          if (!outcome.ok) {
            result.rejected++;
            for (const e of outcome.errors) if (result.errors.length < maxErrors) result.errors.push(e);
            continue;
          }
          result.loaded++;
          const row = outcome.row;
          const month = spec.monthOf?.(row);
          if (month !== undefined && !months.has(month)) months.add(detached(month));
          const key = spec.keyOf(row);
          let rows = buffer.get(key);
          if (!rows) buffer.set(key, (rows = []));
          rows.push(row);
          bufferedRows++;
          if (buffer.size >= batching.maxTenants || bufferedRows >= batching.maxRows) await flush();
        }
      }
      await flush();
    } finally {
      await writing.catch(() => undefined);
    }
    await writing;
    result.months = [...months].sort();
    if (cleanedCells > 0) {
      result.warnings.push(`${cleanedCells} cell(s) had control or bidirectional formatting characters, which were removed`);
    }
    return result;
  }
}

interface LoadResult {
  rows: number;
  loaded: number;
  rejected: number;
  documents: number;
  errors: RowError[];
  warnings: string[];
  /** Usage: the months the file carries. */
  months: string[];
}

/** Pass 1: the file decodes, parses and has a usable header and at least one data row. */
async function scanFile(dataset: DatasetName, chunks: AsyncIterable<Uint8Array>): Promise<IngestHeader> {
  let header: IngestHeader | undefined;
  let dataRows = 0;
  try {
    for await (const batch of parseCsvBatches(chunks)) {
      if (!header) {
        const matched = ingestOf(dataset).matchHeader(batch[0].fields);
        if (!matched.ok) throw new FileRejected(`bad header on line ${batch[0].line}: ${matched.reason}`);
        header = matched.header;
        dataRows += batch.length - 1;
      } else dataRows += batch.length;
    }
  } catch (err) {
    if (err instanceof CsvError) throw new FileRejected(err.message);
    throw err;
  }
  if (!header) throw new FileRejected("file is empty");
  if (dataRows === 0) throw new FileRejected("no data rows: the file has a header only");
  return header;
}

/** The blob's bytes as a stream of chunks, gunzipped when compressed, never more than maxBytes of CSV. */
async function* contentChunks(content: Uint8Array, gzip: boolean, maxBytes: number): AsyncGenerator<Uint8Array> {
  if (!gzip) {
    for (let i = 0; i < content.length; i += chunkBytes) yield content.subarray(i, i + chunkBytes);
    return;
  }
  const gunzip = createGunzip({ chunkSize: chunkBytes });
  gunzip.end(content);
  let total = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      total += chunk.length;
      // Decompressed data counts against the same limit, so a small gzip cannot expand without bound.
      if (total > maxBytes) throw new FileRejected(`decompressed content is over the limit of ${formatBytes(maxBytes)}`);
      yield chunk;
    }
  } catch (err) {
    if (err instanceof FileRejected) throw err;
    throw new FileRejected(`gzip data is corrupt: ${describeError(err)}`);
  } finally {
    gunzip.destroy();
  }
}
