import {
  addMonths,
  historiesFromObservations,
  standardColumnNamed,
  snapshotTime,
  stateRow,
  type DealHistory,
  type DealObservation,
  type DealRow,
  type ModelConfig,
} from "../domain/dealScoring/index.js";
import { dealDocSchema, type DealDoc } from "../domain/documents.js";
import { resolveLiveSet, type LiveSet } from "../ingest/liveSet.js";
import type { DocumentCondition, PartnerDataReader } from "../ports/partnerData.js";

// A partner's deals as histories, from the live deals snapshots (shared/ingest/liveSet.ts) read through the
// partner data reader. Two scopes:
// - "current": the deals of the newest snapshot (what scoring needs): their whole row from it, only their
//   state (status, stage) from the older snapshots; deals every published model counts closed are left out;
// - "all": every deal of every live snapshot with the row of the newest snapshot that had it (what training
//   needs: a closed deal may have left the newest export). Only one whole row per deal is held at a time.

export interface ReadDealsOptions {
  /**
   * Scope "current": exact status values every published model counts closed. Those deals can never be scored,
   * so they are not read (the store's cost is per document returned: most of a CRM export is closed deals).
   */
  closedStatuses?: readonly string[];
}

export interface DealsReader {
  histories(partnerId: string, scope: "current" | "all", options?: ReadDealsOptions): Promise<DealHistory[]>;
  /** Rows of the newest snapshot, the first `limit` or so (a page), and whether that is all of them. */
  newestRows(partnerId: string, limit: number): Promise<{ rows: DealRow[]; complete: boolean }>;
  /** Lower bounds of a model's won and lost deals in its window, counted by the store (see countClosedInWindow). */
  closedInWindow(partnerId: string, config: ModelConfig, now: Date): Promise<{ won: number; lost: number } | undefined>;
}

export function createDealsReader(data: PartnerDataReader): DealsReader {
  const live = async (partnerId: string) => resolveLiveSet(await data.loadedIngestions(partnerId));
  return {
    histories: async (partnerId, scope, options) => readDealHistories(data, partnerId, await live(partnerId), scope, options),
    async newestRows(partnerId, limit) {
      const newest = (await live(partnerId)).snapshots.deals?.[0];
      const rows: DealRow[] = [];
      if (!newest) return { rows, complete: true };
      // Leaving the loop stops the query: only the pages read are paid for.
      for await (const page of data.documents(partnerId, "deal", [newest.ingestionId], dealDocSchema)) {
        for (const doc of page) rows.push(rowOf(doc));
        if (rows.length >= limit) return { rows, complete: false };
      }
      return { rows, complete: true };
    },
    closedInWindow: async (partnerId, config, now) => countClosedInWindow(data, partnerId, await live(partnerId), config, now),
  };
}

/** Standard text columns a filter can be counted on by the store. */
const countableFilterColumns = new Set(["dealId", "name", "stage", "tenantId", "product", "owner"]);

/**
 * The won and lost deals of the newest snapshot created and closed in the model's window, counted by the store
 * with exact values: never more than the data floor counts (which also matches values case-insensitively and
 * counts deals absent from the newest snapshot), so counts that meet the floor mean it is met. Undefined when
 * the configuration cannot be counted this way (per-stage, another status column, a filter on an attribute).
 */
export async function countClosedInWindow(data: PartnerDataReader, partnerId: string, live: LiveSet, config: ModelConfig, now: Date): Promise<{ won: number; lost: number } | undefined> {
  if (config.perStage || standardColumnNamed(config.statusColumn) !== "status") return undefined;
  const newest = live.snapshots.deals?.[0];
  if (!newest) return { won: 0, lost: 0 };
  const where: DocumentCondition[] = [
    { field: "createdOn", op: "gte", value: addMonths(now, -config.trainingWindowMonths).toISOString() },
    { field: "closedOn", op: "lte", value: now.toISOString() },
  ];
  if (config.filter) {
    const column = standardColumnNamed(config.filter.column);
    if (!column || !countableFilterColumns.has(column)) return undefined;
    where.push({ field: column, op: "in", values: config.filter.values });
  }
  const count = (values: readonly string[]) => data.count(partnerId, "deal", [newest.ingestionId], [...where, { field: "status", op: "in", values }]);
  const [won, lost] = await Promise.all([count(config.wonValues), count(config.lostValues)]);
  return { won, lost };
}

const stateSchema = dealDocSchema.pick({ dealId: true, status: true, stage: true, createdOn: true, ingestionId: true });
const stateFields = ["dealId", "status", "stage", "createdOn", "ingestionId"] as const;

function rowOf(doc: DealDoc): DealRow {
  const { id: _id, partnerId: _p, type: _t, ingestionId: _i, asOf: _a, ...row } = doc;
  return row;
}

export async function readDealHistories(
  data: PartnerDataReader,
  partnerId: string,
  live: LiveSet,
  scope: "current" | "all",
  options: ReadDealsOptions = {},
): Promise<DealHistory[]> {
  const snapshots = live.snapshots.deals ?? [];
  if (snapshots.length === 0) return [];
  const timeOf = new Map(snapshots.map((s) => [s.ingestionId, snapshotTime(s.asOf)]));
  const sights = new Map<string, DealObservation[]>();
  const [newest, ...older] = snapshots;
  const olderIds = older.map((s) => s.ingestionId);

  if (scope === "current") {
    const takenAt = timeOf.get(newest.ingestionId)!;
    // Older snapshots too: a deal that can be scored now was open before (a reopened deal's closed spell is not read).
    const where: DocumentCondition[] = options.closedStatuses?.length ? [{ field: "status", op: "notIn", values: options.closedStatuses }] : [];
    const olderStates: DealObservation[][] = [];
    await Promise.all([
      consume(data.documents(partnerId, "deal", [newest.ingestionId], dealDocSchema, undefined, where), (doc) => sights.set(doc.dealId, [{ takenAt, row: rowOf(doc) }])),
      ...inGroups(olderIds).map(async (ids) => {
        const states: DealObservation[] = [];
        olderStates.push(states);
        await consume(data.documents(partnerId, "deal", ids, stateSchema, stateFields, where), (doc) => states.push({ takenAt: timeOf.get(doc.ingestionId)!, row: stateRow(doc) }));
      }),
    ]);
    for (const states of olderStates) for (const o of states) sights.get(o.row.dealId)?.push(o);
  } else {
    // Each deal keeps the whole row of its newest sight so far; an older sight keeps only its state.
    const newestSight = new Map<string, DealObservation>();
    const take = (doc: DealDoc) => {
      const sight: DealObservation = { takenAt: timeOf.get(doc.ingestionId)!, row: rowOf(doc) };
      let list = sights.get(doc.dealId);
      if (!list) sights.set(doc.dealId, (list = []));
      const best = newestSight.get(doc.dealId);
      if (!best || sight.takenAt > best.takenAt) {
        if (best) best.row = stateRow(best.row);
        newestSight.set(doc.dealId, sight);
        list.push(sight);
      } else list.push({ takenAt: sight.takenAt, row: stateRow(sight.row) });
    };
    await Promise.all(inGroups([newest.ingestionId, ...olderIds]).map((ids) => consume(data.documents(partnerId, "deal", ids, dealDocSchema), take)));
  }
  return historiesFromObservations([...timeOf.values()], sights.values());
}

/** Queries in flight at once: the store works on one while this process parses another's pages. */
const parallelQueries = 3;

/** The snapshots split into at most `parallelQueries` groups, one query each. */
function inGroups(ids: readonly string[]): string[][] {
  const groups: string[][] = Array.from({ length: Math.min(parallelQueries, ids.length) }, () => []);
  ids.forEach((id, i) => groups[i % groups.length].push(id));
  return groups;
}

async function consume<T>(pages: AsyncIterable<T[]>, each: (item: T) => void): Promise<void> {
  for await (const page of pages) for (const item of page) each(item);
}
