import { randomBytes } from "node:crypto";
import { describeError } from "../errors.js";
import { resultIds, type ResultDoc, type ResultPointerDoc, type TabName } from "../domain/results.js";
import type { ResultSetStore } from "../ports/results.js";

// The result-set publisher: every tab's refresh goes through it. A producer computes a tab's rows and summary;
// the publisher writes them as a complete new result set, then switches the tab's pointer in ONE conditional
// write. Nothing reads a set before its pointer names it, so readers never see half a refresh, and two
// refreshes of one tab cannot both switch from the same pointer state. The loser removes its set; when the
// winner's data version covers the one the loser computed from, the loser's work was redundant and it ends
// "superseded" (not a failure); otherwise it throws PublishConflictError (the queue retries it on fresh data).
// After a switch, the tab's sets older than the previous one are deleted (the previous one stays, so a reader
// paging through it keeps working).

export class PublishConflictError extends Error {
  readonly code = "refresh_conflict";
  constructor(partnerId: string, tab: TabName) {
    super(`another refresh of partner ${partnerId} switched the ${tab} pointer first`);
    this.name = "PublishConflictError";
  }
}

export interface RowInput {
  /** Unique within the set (a tenant id, a deal id, ...). */
  key: string;
  /** The row as the API shows it. */
  row: Record<string, unknown>;
  /** Lower-case text keyword search matches. */
  searchText: string;
}

export interface RowSink {
  /** Writes a page of rows; the next page may be computed while this one is written. */
  write(rows: readonly RowInput[]): Promise<void>;
}

export interface ProducedSet {
  summary: Record<string, unknown>;
  rows: number;
  /** Other counts worth reporting (e.g. tenants read). */
  counts?: Record<string, number>;
  /** A line for the log (what was computed, from what). */
  detail?: string;
}

export interface PublishRequest {
  partnerId: string;
  tab: TabName;
  /** The partner's data version the producer computes from. */
  dataVersion?: string;
  /** Snapshot dates the set reflects, per dataset. */
  asOf: Record<string, string>;
  /** Skip when the tab's current set already reflects `dataVersion`. */
  onlyIfChanged?: boolean;
  now?: () => Date;
}

export type PublishOutcome =
  | {
      status: "published";
      resultSetId: string;
      previousResultSetId?: string;
      rows: number;
      counts?: Record<string, number>;
      deletedResultSets: string[];
      ms: number;
    }
  | { status: "unchanged"; resultSetId?: string }
  | { status: "superseded"; discardedResultSetId: string; winnerResultSetId?: string; dataVersion?: string };

export interface PublisherDeps {
  store: ResultSetStore;
  log?: { info(message: string): void; warn(message: string): void };
}

export async function publishResultSet(
  deps: PublisherDeps,
  request: PublishRequest,
  produce: (sink: RowSink, resultSetId: string) => Promise<ProducedSet>,
): Promise<PublishOutcome> {
  const { partnerId, tab } = request;
  const now = request.now ?? (() => new Date());
  const started = performance.now();
  // The pointer's ETag is read before any data: whoever switches after this point wins over us.
  const { pointer, etag } = await deps.store.readPointer(partnerId, tab);
  if (request.onlyIfChanged && covers(pointer?.dataVersion, request.dataVersion)) {
    return { status: "unchanged", ...(pointer ? { resultSetId: pointer.resultSetId } : {}) };
  }
  const resultSetId = newResultSetId(now(), pointer?.resultSetId);
  const base = { partnerId, tab, resultSetId };

  let writing: Promise<void> = Promise.resolve();
  let produced: ProducedSet;
  try {
    // The marker goes first: it makes the set findable (for cleanup) before any row exists.
    await deps.store.writeDocuments(partnerId, [{ ...base, id: resultIds.marker(tab, resultSetId), type: "resultSet", createdAt: now().toISOString() }]);
    const sink: RowSink = {
      async write(rows) {
        const docs: ResultDoc[] = rows.map((r) => ({ ...r.row, ...base, id: resultIds.row(tab, resultSetId, r.key), type: "row", searchText: r.searchText }));
        // One page in flight while the producer computes the next.
        await writing;
        writing = deps.store.writeDocuments(partnerId, docs);
        // A failure surfaces at the next await; until then it must not count as unhandled.
        writing.catch(() => undefined);
      },
    };
    produced = await produce(sink, resultSetId);
    await writing;
    await deps.store.writeDocuments(partnerId, [{ ...produced.summary, ...base, id: resultIds.summary(tab, resultSetId), type: "summary" }]);
  } catch (err) {
    // Let a write still in flight land first, so the delete finds every document of the set.
    await writing.catch(() => undefined);
    await bestEffortDelete(deps, partnerId, tab, resultSetId, "after a failed read or write");
    throw err;
  }

  const next: ResultPointerDoc = {
    id: resultIds.pointer(tab),
    partnerId,
    type: "pointer",
    tab,
    resultSetId,
    ...(pointer ? { previousResultSetId: pointer.resultSetId } : {}),
    refreshedAt: now().toISOString(),
    ...(request.dataVersion !== undefined ? { dataVersion: request.dataVersion } : {}),
    asOf: request.asOf,
  };
  let switched: boolean;
  try {
    switched = await deps.store.switchPointer(partnerId, next, etag);
  } catch (err) {
    await bestEffortDelete(deps, partnerId, tab, resultSetId, "after a failed switch");
    throw err;
  }
  if (!switched) {
    await bestEffortDelete(deps, partnerId, tab, resultSetId, "after losing the switch");
    // Several drops of one partner queue several jobs: the winner usually read the same data (or newer), and
    // then our work is redundant rather than failed.
    const { pointer: winner } = await deps.store.readPointer(partnerId, tab);
    if (winner && covers(winner.dataVersion, request.dataVersion)) {
      deps.log?.info(`refresh ${partnerId} ${tab}: superseded by result set ${winner.resultSetId}; result set ${resultSetId} discarded`);
      return {
        status: "superseded",
        discardedResultSetId: resultSetId,
        winnerResultSetId: winner.resultSetId,
        ...(winner.dataVersion !== undefined ? { dataVersion: winner.dataVersion } : {}),
      };
    }
    deps.log?.warn(`refresh ${partnerId} ${tab}: another refresh switched first with older data; result set ${resultSetId} discarded`);
    throw new PublishConflictError(partnerId, tab);
  }

  // Cleanup (best effort): a refresh that can still switch read the pointer after our switch, so its id is
  // newer than ours and is never touched; only sets older than the previous one go.
  const deletedResultSets: string[] = [];
  const keepFrom = pointer?.resultSetId ?? resultSetId;
  try {
    for (const id of await deps.store.listResultSetIds(partnerId, tab)) {
      if (id >= keepFrom) continue;
      await deps.store.deleteResultSet(partnerId, tab, id);
      deletedResultSets.push(id);
    }
  } catch (err) {
    deps.log?.warn(`refresh ${partnerId} ${tab}: cleanup of old result sets failed and will be retried next refresh: ${describeError(err)}`);
  }
  const ms = Math.round(performance.now() - started);
  deps.log?.info(`refresh ${partnerId} ${tab}: ${produced.detail ?? `${produced.rows} rows`}, result set ${resultSetId} in ${ms} ms`);
  return {
    status: "published",
    resultSetId,
    ...(pointer ? { previousResultSetId: pointer.resultSetId } : {}),
    rows: produced.rows,
    ...(produced.counts ? { counts: produced.counts } : {}),
    deletedResultSets,
    ms,
  };
}

/**
 * Time-sortable and unique: UTC timestamp to the millisecond plus random hex. Always sorts after the set the
 * pointer names, even if this instance's clock is behind the one that wrote it.
 */
export function newResultSetId(now: Date, after?: string): string {
  let ms = now.getTime();
  const previous = after ? parseResultSetTime(after) : undefined;
  if (previous !== undefined && ms <= previous) ms = previous + 1;
  const stamp = new Date(ms).toISOString().replace(/[-:.]/g, ""); // 20240601T020000123Z
  return `${stamp}-${randomBytes(4).toString("hex")}`;
}

function parseResultSetTime(id: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z/.exec(id);
  if (!m) return undefined;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7]);
}

/** Whether results computed at data version `have` reflect data version `want` (ISO times compare as text). */
export function covers(have: string | undefined, want: string | undefined): boolean {
  if (want === undefined) return true;
  return have !== undefined && have >= want;
}

async function bestEffortDelete(deps: PublisherDeps, partnerId: string, tab: TabName, resultSetId: string, when: string): Promise<void> {
  try {
    await deps.store.deleteResultSet(partnerId, tab, resultSetId);
  } catch (err) {
    deps.log?.warn(`refresh ${partnerId} ${tab}: removing result set ${resultSetId} ${when} failed (a later refresh removes it): ${describeError(err)}`);
  }
}
