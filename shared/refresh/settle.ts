import { ingestionIdFor, parseDropPath } from "../ingest/dropFile.js";
import type { DropStore, IngestionStore } from "../ports/ingest.js";
import type { RefreshJob, RefreshQueue } from "../ports/refreshQueue.js";

// Files dropped together are refreshed together: a drop-triggered refresh waits while the partner's drops folder
// still holds files that are waiting or being ingested (each of them queues its own refresh when it commits),
// so a batch of files costs one refresh of every tab instead of one per file, and no tab shows a batch half
// applied. The wait is bounded: past `maxWaitMs` after the job was queued, the refresh runs whatever is pending.

export interface RefreshSettleDeps {
  drops: Pick<DropStore, "listDrops">;
  ingestions: Pick<IngestionStore, "read">;
  queue: RefreshQueue;
  /** Longest a drop-triggered refresh waits for the rest of its batch (0: never waits). */
  maxWaitMs: number;
  /** How long each wait lasts before the job looks again. */
  recheckSeconds: number;
}

export type SettleDecision = { wait: false } | { wait: true; pending: number };

/** Drops of this partner still in drops/ without a final ingestion record (waiting for or in ingestion). */
export async function pendingDrops(deps: Pick<RefreshSettleDeps, "drops" | "ingestions">, partnerId: string): Promise<number> {
  let pending = 0;
  for await (const page of deps.drops.listDrops(`${partnerId}/`)) {
    for (const blob of page) {
      const path = parseDropPath(blob.name);
      if (!path || path.partnerId !== partnerId) continue;
      const stored = await deps.ingestions.read(partnerId, ingestionIdFor(partnerId, path.name, blob.etag));
      // Loaded or failed: its blob is about to be removed or moved; it is not waited for.
      if (!stored || stored.record.status === "received" || stored.record.status === "validating") pending++;
    }
  }
  return pending;
}

/**
 * Puts a drop-triggered job back on the queue (delayed) while other drops of the partner are pending and the
 * job is younger than the longest wait. Other reasons (schedule, daily, manual) never wait.
 */
export async function deferWhileDropsPending(deps: RefreshSettleDeps, job: RefreshJob, now: Date): Promise<SettleDecision> {
  if (job.reason !== "drop" || deps.maxWaitMs <= 0) return { wait: false };
  const requested = Date.parse(job.requestedAt);
  if (!Number.isFinite(requested) || now.getTime() - requested >= deps.maxWaitMs) return { wait: false };
  const pending = await pendingDrops(deps, job.partnerId);
  if (pending === 0) return { wait: false };
  await deps.queue.enqueue(job, { delaySeconds: deps.recheckSeconds });
  return { wait: true, pending };
}
