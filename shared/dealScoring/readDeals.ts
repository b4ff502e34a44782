import {
  historiesFromObservations,
  snapshotTime,
  stateRow,
  type DealHistory,
  type DealObservation,
  type DealRow,
} from "../domain/dealScoring/index.js";
import { dealDocSchema, type DealDoc } from "../domain/documents.js";
import { resolveLiveSet, type LiveSet } from "../ingest/liveSet.js";
import type { PartnerDataReader } from "../ports/partnerData.js";

// A partner's deals as histories, from the live deals snapshots (shared/ingest/liveSet.ts) read through the
// partner data reader. Two scopes:
// - "current": the deals of the newest snapshot (what scoring needs): their whole row from it, only their
//   state (status, stage) from the older snapshots, so a refresh reads a few fields of most documents;
// - "all": every deal of every live snapshot with the row of the newest snapshot that had it (what training
//   needs: a closed deal may have left the newest export). Only one whole row per deal is held at a time.

export interface DealsReader {
  histories(partnerId: string, scope: "current" | "all"): Promise<DealHistory[]>;
}

export function createDealsReader(data: PartnerDataReader): DealsReader {
  return {
    async histories(partnerId, scope) {
      return readDealHistories(data, partnerId, resolveLiveSet(await data.loadedIngestions(partnerId)), scope);
    },
  };
}

const stateSchema = dealDocSchema.pick({ dealId: true, status: true, stage: true, createdOn: true, ingestionId: true });
const stateFields = ["dealId", "status", "stage", "createdOn", "ingestionId"] as const;

function rowOf(doc: DealDoc): DealRow {
  const { id: _id, partnerId: _p, type: _t, ingestionId: _i, asOf: _a, ...row } = doc;
  return row;
}

export async function readDealHistories(data: PartnerDataReader, partnerId: string, live: LiveSet, scope: "current" | "all"): Promise<DealHistory[]> {
  const snapshots = live.snapshots.deals ?? [];
  if (snapshots.length === 0) return [];
  const timeOf = new Map(snapshots.map((s) => [s.ingestionId, snapshotTime(s.asOf)]));
  const sights = new Map<string, DealObservation[]>();
  const [newest, ...older] = snapshots;
  const olderIds = older.map((s) => s.ingestionId);

  if (scope === "current") {
    const takenAt = timeOf.get(newest.ingestionId)!;
    for await (const page of data.documents(partnerId, "deal", [newest.ingestionId], dealDocSchema)) {
      for (const doc of page) sights.set(doc.dealId, [{ takenAt, row: rowOf(doc) }]);
    }
    if (olderIds.length > 0) {
      for await (const page of data.documents(partnerId, "deal", olderIds, stateSchema, stateFields)) {
        for (const doc of page) sights.get(doc.dealId)?.push({ takenAt: timeOf.get(doc.ingestionId)!, row: stateRow(doc) });
      }
    }
  } else {
    // Each deal keeps the whole row of its newest sight so far; an older sight keeps only its state.
    const newestSight = new Map<string, DealObservation>();
    for await (const page of data.documents(partnerId, "deal", [newest.ingestionId, ...olderIds], dealDocSchema)) {
      for (const doc of page) {
        const sight: DealObservation = { takenAt: timeOf.get(doc.ingestionId)!, row: rowOf(doc) };
        let list = sights.get(doc.dealId);
        if (!list) sights.set(doc.dealId, (list = []));
        const best = newestSight.get(doc.dealId);
        if (!best || sight.takenAt > best.takenAt) {
          if (best) best.row = stateRow(best.row);
          newestSight.set(doc.dealId, sight);
          list.push(sight);
        } else list.push({ takenAt: sight.takenAt, row: stateRow(sight.row) });
      }
    }
  }
  return historiesFromObservations([...timeOf.values()], sights.values());
}
