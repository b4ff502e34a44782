import { describeError } from "../errors.js";
import type { DropStore, IngestionRecord, IngestionStore, IngestQueue } from "../ports/ingest.js";
import { ingestionIdFor, normaliseEtag, parseDropPath } from "./dropFile.js";

// The sweep (a timer): no file is left unread. Blob triggers are at-least-once but can still miss (an Event
// Grid event not delivered, a host killed mid-ingest, a poisoned delivery), so every few minutes:
// - every blob in drops/ without a final record, or whose delivery stopped renewing its lease, is queued for
//   ingestion again (a queue trigger downloads and ingests it); a final record whose blob is still there
//   (a crash after the commit) gets its last steps redone the same way;
// - a blob whose path is not {partnerId}/{dataset}/{fileName} is moved aside to rejected/ with the reason;
// - a record stalled in received/validating whose blob version is gone (replaced or deleted) ends failed.
// Blobs younger than the lease are left to their trigger.

export interface SweepDeps {
  drops: DropStore;
  ingestions: IngestionStore;
  queue: IngestQueue;
  leaseMs: number;
  clock?: () => Date;
  log?: (message: string) => void;
}

export interface SweepOutcome {
  queued: number;
  movedAside: number;
  /** Stalled records whose blob version is gone, now failed. */
  closed: number;
}

const maxStalledPerRun = 500;

export async function sweepDrops(deps: SweepDeps): Promise<SweepOutcome> {
  const now = (deps.clock ?? (() => new Date()))();
  const log = deps.log ?? (() => {});
  const outcome: SweepOutcome = { queued: 0, movedAside: 0, closed: 0 };
  const cutoff = now.getTime() - deps.leaseMs;
  const present = new Set<string>();

  for await (const page of deps.drops.listDrops()) {
    for (const blob of page) {
      present.add(`${blob.name}\n${normaliseEtag(blob.etag)}`);
      if (blob.lastModified.getTime() > cutoff) continue;
      const path = parseDropPath(blob.name);
      if (!path) {
        await moveAside(deps, blob.name, blob.etag, "the path is not drops/{partnerId}/{dataset}/{fileName}");
        outcome.movedAside++;
        log(`sweep: moved ${blob.name} aside (not drops/{partnerId}/{dataset}/{fileName})`);
        continue;
      }
      const id = ingestionIdFor(path.partnerId, path.name, blob.etag);
      const stored = await deps.ingestions.read(path.partnerId, id);
      if (stored && isInProgress(stored.record) && leaseAlive(stored.record, now, deps.leaseMs)) continue;
      await deps.queue.enqueue({ blobPath: `drops/${blob.name}`, etag: blob.etag });
      outcome.queued++;
      log(`sweep: queued ${blob.name} (${stored ? `record ${stored.record.status}` : "no record"})`);
    }
  }

  const stalled = await deps.ingestions.listStalled(new Date(cutoff).toISOString(), maxStalledPerRun);
  for (const record of stalled) {
    const name = record.blobPath.replace(/^drops\//, "");
    if (present.has(`${name}\n${normaliseEtag(record.etag)}`)) continue; // queued above
    const version = await deps.drops.dropVersion(name);
    if (version && normaliseEtag(version.etag) === normaliseEtag(record.etag)) continue; // arrived since the listing
    const stored = await deps.ingestions.read(record.partnerId, record.id);
    if (!stored || !isInProgress(stored.record) || leaseAlive(stored.record, now, deps.leaseMs)) continue;
    const closed = await deps.ingestions.replace(
      {
        ...stored.record,
        status: "failed",
        reason: "the file was replaced or deleted before it could be ingested; a newer version is ingested on its own",
        finishedAt: now.toISOString(),
        claimedBy: undefined,
      },
      stored.etag,
    );
    if (closed !== "conflict") {
      outcome.closed++;
      log(`sweep: ingestion ${record.id} (${record.blobPath}) failed: its blob version is gone`);
    }
  }
  return outcome;
}

function isInProgress(record: IngestionRecord): boolean {
  return record.status === "received" || record.status === "validating";
}

function leaseAlive(record: IngestionRecord, now: Date, leaseMs: number): boolean {
  if (record.claimedBy === undefined) return false;
  const last = Date.parse(record.heartbeatAt ?? record.receivedAt);
  return now.getTime() - last < leaseMs;
}

/** Keeps the blob (rejected/_unrecognised/...) with the reason in its metadata, then removes it from drops/. */
async function moveAside(deps: SweepDeps, name: string, etag: string, reason: string): Promise<void> {
  try {
    await deps.drops.archive("rejected", `_unrecognised/${name}`, { copyOf: name, etag }, { status: "failed", reason });
    await deps.drops.removeDrop(name, etag);
  } catch (err) {
    deps.log?.(`sweep: moving ${name} aside failed (tried again next sweep): ${describeError(err)}`);
  }
}

/** What the queue trigger does with a job: the current version's bytes (or its size when over the limit). */
export async function loadQueuedDrop(
  drops: DropStore,
  job: { blobPath: string; etag: string },
  maxBytes: number,
): Promise<{ content?: Uint8Array; sizeBytes: number; writtenAt: Date } | undefined> {
  const name = job.blobPath.replace(/^\/+/, "").replace(/^drops\//, "");
  const version = await drops.dropVersion(name);
  if (!version || normaliseEtag(version.etag) !== normaliseEtag(job.etag)) return undefined;
  // Checked before downloading: a file over the limit is rejected by its size, never read into memory.
  if (version.sizeBytes > maxBytes) return { sizeBytes: version.sizeBytes, writtenAt: version.lastModified };
  const content = await drops.download(name, job.etag);
  if (!content) return undefined;
  return { content, sizeBytes: content.length, writtenAt: version.lastModified };
}
