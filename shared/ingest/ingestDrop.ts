import { randomUUID } from "node:crypto";
import { createGunzip } from "node:zlib";
import type { RefreshQueue } from "../adapters/refreshQueue.js";
import type { DatasetName } from "../domain/datasets.js";
import type { RowError } from "../domain/documents.js";
import type {
  ArchiveTarget,
  DropArchive,
  IngestionRecord,
  IngestionStore,
  PartnerDataStore,
  PartnerStore,
  StoredIngestion,
} from "../ports/ingest.js";
import { CsvError, detached, parseCsvBatches } from "./csv.js";
import { datasetWriters, type DocByDataset, type IngestionContext } from "./documents.js";
import { checkDrop, formatBytes, ingestionIdFor, normaliseEtag, parseDropPath, type DropPath } from "./dropFile.js";
import { createRowValidator, matchHeader, type DatasetHeader, type RowsByDataset } from "./rows.js";

// The ingest use case: one dropped blob version → validated rows merged into per-tenant documents,
// an ingestion record, the blob archived, the partner marked changed and its refresh queued.

export interface IngestDeps {
  limits: { maxBytes: number; maxErrorsKept: number };
  ingestions: IngestionStore;
  partnerData: PartnerDataStore;
  archive: DropArchive;
  partners: PartnerStore;
  refreshQueue: RefreshQueue;
  clock?: () => Date;
  log?: (message: string) => void;
  /** Rows are grouped by tenant and written when the buffer holds this many tenants or rows. */
  batching?: { maxTenants: number; maxRows: number };
  /** A claim without a heartbeat for this long is taken over (an instance died mid-ingest). */
  staleAfterMs?: number;
}

export interface DroppedBlob {
  /** "drops/{partnerId}/{dataset}/{fileName}" (or without the container). */
  blobPath: string;
  content: Uint8Array;
  etag: string;
  /** When the blob landed (its Last-Modified); the snapshot date falls back to this day. */
  receivedAt?: Date;
}

export type IngestOutcome =
  | { status: "loaded" | "failed"; ingestionId: string; record: IngestionRecord }
  | { status: "skipped"; ingestionId?: string; reason: string };

// maxRows allows ~200 tenants of a year of usage (96 rows each) per batch: two bulk chunks, written while the
// next batch is parsed. Small batches keep the buffered rows short-lived (the collector frees them cheaply).
const defaultBatching = { maxTenants: 200, maxRows: 20_000 };
const defaultStaleAfterMs = 10 * 60 * 1000;
const heartbeatEveryMs = 5_000;
const chunkBytes = 64 * 1024;
const maxWriteRaces = 10;

/** A defect of the whole file: it is rejected with this reason and nothing of it is stored. */
class FileRejected extends Error {}

/** Another delivery took this ingestion over; this one stops without touching anything more. */
class ClaimLost extends Error {}

export async function ingestDrop(deps: IngestDeps, blob: DroppedBlob): Promise<IngestOutcome> {
  const clock = deps.clock ?? (() => new Date());
  const log = deps.log ?? (() => {});
  const path = parseDropPath(blob.blobPath);
  if (!path) {
    // The trigger's path pattern makes this unreachable; say so rather than guess a partner.
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
    return await run.execute();
  } catch (err) {
    if (err instanceof ClaimLost) {
      log(`ingest ${ingestionId}: another delivery took over; stopping`);
      return { status: "skipped", ingestionId, reason: "taken over by another delivery" };
    }
    await run.release();
    throw err;
  }
}

type Claim = { stored: StoredIngestion } | { skip: string };

async function claimIngestion(
  deps: IngestDeps,
  path: DropPath,
  blob: DroppedBlob,
  ingestionId: string,
  clock: () => Date,
): Promise<Claim> {
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
    receivedAt: (blob.receivedAt ?? now).toISOString(),
    sizeBytes: blob.content.length,
    counts: { rows: 0, loaded: 0, rejected: 0, documents: 0 },
    errors: [],
    warnings: [],
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
      // Finish what a crash may have left: the archive copy exists, so the drop can go.
      if (record.archivedTo) await deps.archive.removeDrop(path.name, blob.etag);
      return { skip: `already ${record.status}` };
    }
    const lastSign = Date.parse(record.heartbeatAt ?? record.receivedAt);
    const alive = record.claimedBy !== undefined && now.getTime() - lastSign < (deps.staleAfterMs ?? defaultStaleAfterMs);
    if (alive) return { skip: "in progress in another delivery" };
    const taken = await deps.ingestions.replace({ ...record, status: "received", claimedBy: token, heartbeatAt: now.toISOString() }, existing.etag);
    if (taken === "conflict") return { skip: "in progress in another delivery" };
    return { stored: taken };
  }
  throw new Error(`ingest ${ingestionId}: could not create or read the ingestion record`);
}

class IngestionRun {
  private stored: StoredIngestion;
  private lastHeartbeat = 0;
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
  }

  get record(): IngestionRecord {
    return this.stored.record;
  }

  async execute(): Promise<IngestOutcome> {
    const now = this.clock();
    const check = checkDrop({
      path: this.path,
      sizeBytes: this.blob.content.length,
      maxBytes: this.deps.limits.maxBytes,
      head: this.blob.content.subarray(0, 2),
      receivedAt: new Date(this.record.receivedAt),
      now,
    });
    if (!check.ok) return this.reject(check.reason);
    await this.save({ ...this.record, status: "validating", asOf: check.asOf });

    const content = () => contentChunks(this.blob.content, check.compressed === "gzip", this.deps.limits.maxBytes);
    // Pass 1 reads the whole file for defects that reject it whole (encoding, quoting, size, header)
    // before anything is written; pass 2 validates and writes rows. Both stream; neither keeps the rows.
    let header: DatasetHeader;
    try {
      header = await scanFile(check.dataset, content());
    } catch (err) {
      if (err instanceof FileRejected) return this.reject(err.message);
      throw err;
    }
    await this.save({ ...this.record, warnings: header.warnings });
    const ctx: IngestionContext = { partnerId: this.path.partnerId, ingestionId: this.record.id, asOf: check.asOf };
    const result = await this.loadRows(check.dataset, header, ctx, content());
    const counts = { rows: result.rows, loaded: result.loaded, rejected: result.rejected, documents: result.documents };
    const warnings = [...header.warnings, ...result.warnings];
    // Confirms the claim is still ours before the steps that others would see (archive, partner, refresh).
    await this.save({ ...this.record, counts });
    if (result.loaded === 0) {
      return this.reject(`no valid rows: all ${result.rows} data rows have errors`, { counts, errors: result.errors, warnings });
    }
    const loadedAt = this.clock().toISOString();
    const archivedTo = await this.archiveBlob("processed", "loaded");
    await this.deps.partners.recordDatasetLoad(this.path.partnerId, check.dataset, { asOf: check.asOf, ingestionId: ctx.ingestionId, loadedAt });
    await this.deps.refreshQueue.enqueue({ partnerId: this.path.partnerId, reason: "drop", requestedAt: loadedAt });
    // The record turns final last: a crash before this point redoes the (idempotent) steps above.
    await this.save({
      ...this.record,
      status: "loaded",
      finishedAt: loadedAt,
      counts,
      errors: result.errors,
      warnings,
      archivedTo,
      claimedBy: undefined,
    });
    await this.deps.archive.removeDrop(this.path.name, this.blob.etag);
    this.log(`loaded ${counts.loaded} of ${counts.rows} rows into ${counts.documents} documents (${counts.rejected} rejected)`);
    return { status: "loaded", ingestionId: ctx.ingestionId, record: this.record };
  }

  /** Gives the work back after an unexpected error so the platform's retry can claim it at once. */
  async release(): Promise<void> {
    try {
      await this.deps.ingestions.replace({ ...this.record, claimedBy: undefined }, this.stored.etag);
    } catch {
      // The retry then waits for the claim to go stale; nothing is lost.
    }
  }

  private async reject(
    reason: string,
    extra: Partial<Pick<IngestionRecord, "counts" | "errors" | "warnings">> = {},
  ): Promise<IngestOutcome> {
    const archivedTo = await this.archiveBlob("rejected", "failed", reason);
    await this.save({
      ...this.record,
      ...extra,
      status: "failed",
      reason,
      finishedAt: this.clock().toISOString(),
      archivedTo,
      claimedBy: undefined,
    });
    await this.deps.archive.removeDrop(this.path.name, this.blob.etag);
    this.log(`rejected: ${reason}`);
    return { status: "failed", ingestionId: this.record.id, record: this.record };
  }

  private archiveBlob(target: ArchiveTarget, status: string, reason?: string): Promise<string> {
    const name = `${this.path.partnerId}/${this.path.dataset}/${this.record.id}-${this.path.fileName}`;
    const metadata: Record<string, string> = { ingestionId: this.record.id, status };
    if (reason) metadata.reason = reason;
    return this.deps.archive.archive(target, name, this.blob.content, metadata);
  }

  private async save(record: IngestionRecord): Promise<void> {
    const now = this.clock();
    const saved = await this.deps.ingestions.replace({ ...record, heartbeatAt: now.toISOString() }, this.stored.etag);
    if (saved === "conflict") throw new ClaimLost();
    this.stored = saved;
    this.lastHeartbeat = now.getTime();
  }

  private async heartbeat(counts: IngestionRecord["counts"]): Promise<void> {
    if (this.clock().getTime() - this.lastHeartbeat < heartbeatEveryMs) return;
    await this.save({ ...this.record, counts });
  }

  private log(message: string): void {
    this.deps.log?.(`ingest ${this.record.id} (${this.record.blobPath}): ${message}`);
  }

  private async loadRows<D extends DatasetName>(
    dataset: D,
    header: DatasetHeader,
    ctx: IngestionContext,
    chunks: AsyncIterable<Uint8Array>,
  ): Promise<LoadResult> {
    const writer = datasetWriters[dataset];
    const validate = createRowValidator(header as DatasetHeader & { dataset: D }, { now: this.clock() });
    const batching = this.deps.batching ?? defaultBatching;
    const maxErrors = this.deps.limits.maxErrorsKept;
    const result: LoadResult = { rows: 0, loaded: 0, rejected: 0, documents: 0, errors: [], warnings: [] };
    const written = new Set<string>();
    let keptNewer = 0;
    let buffer = new Map<string, RowsByDataset[D][]>();
    let bufferedRows = 0;

    // A partner's first load of a dataset has nothing to merge with except what this ingestion wrote,
    // so it skips reading; the conditional writes still catch anyone who wrote meanwhile.
    const storedBefore = await this.deps.partnerData.hasDocs(ctx.partnerId, writer.docType);

    const writeBatch = async (batch: Map<string, RowsByDataset[D][]>) => {
      let tenantIds = [...batch.keys()];
      for (let attempt = 1; tenantIds.length > 0; attempt++) {
        if (attempt > maxWriteRaces) {
          throw new Error(`ingest ${ctx.ingestionId}: ${tenantIds.length} tenant document(s) kept changing under concurrent writes`);
        }
        const toRead = storedBefore || attempt > 1 ? tenantIds : tenantIds.filter((id) => written.has(id));
        const existing = toRead.length > 0 ? await this.deps.partnerData.readTenantDocs<DocByDataset[D]>(ctx.partnerId, writer.docType, toRead) : [];
        const byTenant = new Map(existing.map((d) => [d.tenantId, d]));
        const writes: Array<{ doc: DocByDataset[D]; etag?: string }> = [];
        for (const tenantId of tenantIds) {
          const stored = byTenant.get(tenantId);
          const doc = writer.merge(ctx, tenantId, stored, batch.get(tenantId)!);
          if (doc) writes.push({ doc, etag: stored?._etag });
          else if (attempt === 1) keptNewer++;
        }
        const lost = new Set(await this.deps.partnerData.writeDocs(ctx.partnerId, writes));
        // Kept for the whole file: detached, or each id would keep its decoded CSV chunk alive.
        for (const w of writes) if (!lost.has(w.doc.id) && !written.has(w.doc.tenantId)) written.add(detached(w.doc.tenantId));
        // Another writer got there first: read those tenants again and merge onto what they wrote.
        tenantIds = writes.filter((w) => lost.has(w.doc.id)).map((w) => w.doc.tenantId);
      }
      result.documents = written.size;
      await this.heartbeat({ rows: result.rows, loaded: result.loaded, rejected: result.rejected, documents: result.documents });
    };
    // One batch is written while the next is parsed: small batches (rows die young, little memory) without
    // waiting on every write. A batch starts only after the previous one landed, so a tenant whose rows
    // span two batches is read back with the first batch's rows merged in.
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
    for await (const batch of parseCsvBatches(chunks)) {
      for (const record of batch) {
        if (!headerSeen) {
          headerSeen = true;
          continue;
        }
        result.rows++;
        const outcome = validate(record);
        if (!outcome.ok) {
          result.rejected++;
          for (const e of outcome.errors) if (result.errors.length < maxErrors) result.errors.push(e);
          continue;
        }
        result.loaded++;
        const tenantId = outcome.row.tenantId;
        let rows = buffer.get(tenantId);
        if (!rows) buffer.set(tenantId, (rows = []));
        rows.push(outcome.row);
        bufferedRows++;
        if (buffer.size >= batching.maxTenants || bufferedRows >= batching.maxRows) await flush();
      }
    }
    await flush();
    await writing;
    if (keptNewer > 0) {
      result.warnings.push(`${keptNewer} tenant(s) kept their stored snapshot, which is newer than ${ctx.asOf}`);
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
}

/** Pass 1: the file decodes, parses and has a usable header and at least one data row. */
async function scanFile(dataset: DatasetName, chunks: AsyncIterable<Uint8Array>): Promise<DatasetHeader> {
  let header: DatasetHeader | undefined;
  let dataRows = 0;
  try {
    for await (const batch of parseCsvBatches(chunks)) {
      if (!header) {
        const matched = matchHeader(dataset, batch[0].fields);
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
    throw new FileRejected(`gzip data is corrupt: ${(err as Error).message}`);
  } finally {
    gunzip.destroy();
  }
}
