import { z } from "zod";
import { dealRowSchema, type DealRow } from "./dealRows.js";
import { failure, success, type Outcome } from "./errors.js";

// Each `deals` drop is a snapshot. A deal's history is its status and stage over the snapshots, kept as
// runs (a state and the first and last snapshot that showed it), plus its latest row. Recording is pure,
// idempotent (the same snapshot twice changes nothing) and tolerates snapshots delivered out of order.

const isoInstant = z.iso.datetime({ offset: false });

export const stateRunSchema = z.object({
  status: z.string(),
  stage: z.string().optional(),
  /** First snapshot that showed this state. */
  from: isoInstant,
  /** Last snapshot that showed this state. */
  to: isoInstant,
  /** When the deal entered this state, as far as the snapshots tell (a change is dated by the snapshot that showed it). */
  since: isoInstant.optional(),
});
export type StateRun = z.infer<typeof stateRunSchema>;

export const dealHistorySchema = z.object({
  dealId: z.string().min(1),
  /** The row of the latest snapshot that had the deal. */
  deal: dealRowSchema,
  firstSeenAt: isoInstant,
  lastSeenAt: isoInstant,
  runs: z.array(stateRunSchema).min(1),
});
export type DealHistory = z.infer<typeof dealHistorySchema>;

export interface Snapshot {
  /** Snapshot time (the file name's date, else the drop time), ISO UTC. */
  takenAt: string;
  rows: readonly DealRow[];
}

export interface SnapshotSummary {
  added: number;
  /** Deals whose status or stage differs from their previous snapshot. */
  changed: number;
  unchanged: number;
  /** Known deals the snapshot does not contain (no longer current; not scored). */
  absent: number;
  /** Observations older than the latest that contradict a state seen on both sides of them (ignored). */
  conflicts: number;
}

function sameState(run: StateRun, status: string, stage: string | undefined): boolean {
  return run.status === status && run.stage === stage;
}

function run(status: string, stage: string | undefined, at: string, since: string | undefined): StateRun {
  return { status, stage, from: at, to: at, ...(since !== undefined ? { since } : {}) };
}

/** Whether the deal was created after the previous snapshot, so its first state dates from its creation. */
function firstSince(row: DealRow, previousSnapshotAt: string | undefined): string | undefined {
  return previousSnapshotAt !== undefined && row.createdOn > previousSnapshotAt ? row.createdOn : undefined;
}

export type ObservationEffect = "added" | "changed" | "unchanged" | "conflict";

/**
 * Records one snapshot's row of a deal. `previousSnapshotAt` is the snapshot before this one: a deal created
 * after it entered its first state at creation; otherwise that moment is unknown.
 */
export function recordObservation(
  history: DealHistory | undefined,
  row: DealRow,
  takenAt: string,
  previousSnapshotAt?: string,
): { history: DealHistory; effect: ObservationEffect } {
  const status = row.status;
  const stage = row.stage;
  if (!history) {
    return {
      history: { dealId: row.dealId, deal: row, firstSeenAt: takenAt, lastSeenAt: takenAt, runs: [run(status, stage, takenAt, firstSince(row, previousSnapshotAt))] },
      effect: "added",
    };
  }
  const runs = history.runs.map((r) => ({ ...r }));
  let effect: ObservationEffect = "unchanged";
  let i = -1;
  for (let k = 0; k < runs.length; k++) if (runs[k].from <= takenAt) i = k;
  if (i < 0) {
    // Older than everything known: it extends the first run back, or is a state before it.
    const first = runs[0];
    if (sameState(first, status, stage)) first.from = takenAt;
    else {
      first.since = first.from;
      runs.unshift(run(status, stage, takenAt, firstSince(row, previousSnapshotAt)));
      effect = "changed";
    }
  } else {
    const r = runs[i];
    if (sameState(r, status, stage)) {
      if (takenAt > r.to) r.to = takenAt;
    } else if (takenAt <= r.to) {
      // A snapshot re-delivered with other values replaces a state only it showed; otherwise the states on both sides stand.
      if (r.from === takenAt && r.to === takenAt) {
        runs[i] = run(status, stage, takenAt, r.since);
        effect = "changed";
      } else effect = "conflict";
    } else {
      const next = runs[i + 1];
      if (next && sameState(next, status, stage)) {
        next.from = takenAt;
        next.since = takenAt;
      } else runs.splice(i + 1, 0, run(status, stage, takenAt, takenAt));
      effect = "changed";
    }
  }
  const merged = mergeAdjacent(runs);
  const latest = takenAt >= history.lastSeenAt;
  return {
    history: {
      dealId: history.dealId,
      deal: latest ? row : history.deal,
      firstSeenAt: takenAt < history.firstSeenAt ? takenAt : history.firstSeenAt,
      lastSeenAt: latest ? takenAt : history.lastSeenAt,
      runs: merged,
    },
    effect,
  };
}

/** Adjacent runs of the same state (after a replacement) become one. */
function mergeAdjacent(runs: StateRun[]): StateRun[] {
  const out: StateRun[] = [];
  for (const r of runs) {
    const last = out[out.length - 1];
    if (last && sameState(last, r.status, r.stage)) last.to = r.to > last.to ? r.to : last.to;
    else out.push(r);
  }
  return out;
}

/** The latest snapshot time in a set of histories that is earlier than `before`. */
export function previousSnapshotTime(histories: Iterable<DealHistory>, before: string): string | undefined {
  let best: string | undefined;
  for (const h of histories) {
    // Any earlier observation of any deal marks an earlier snapshot.
    for (const r of h.runs) {
      for (const t of [r.from, r.to]) if (t < before && (best === undefined || t > best)) best = t;
    }
  }
  return best;
}

/**
 * Records a whole snapshot over the known histories. Duplicate dealIds in one snapshot are refused
 * (the ingest already rejects the second row; this guards any other caller).
 */
export function recordSnapshot(
  histories: Iterable<DealHistory>,
  snapshot: Snapshot,
  previousSnapshotAt?: string,
): Outcome<{ histories: DealHistory[]; summary: SnapshotSummary }> {
  const byId = new Map<string, DealHistory>();
  for (const h of histories) byId.set(h.dealId, h);
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const r of snapshot.rows) {
    if (seen.has(r.dealId)) duplicates.add(r.dealId);
    seen.add(r.dealId);
  }
  if (duplicates.size > 0) {
    const shown = [...duplicates].slice(0, 10);
    return failure("duplicate_deal_id", `dealId appears more than once in one snapshot: ${shown.join(", ")}${duplicates.size > shown.length ? ", …" : ""}`, "dealId", {
      dealIds: shown,
      count: duplicates.size,
    });
  }
  const previous = previousSnapshotAt ?? previousSnapshotTime(byId.values(), snapshot.takenAt);
  const summary: SnapshotSummary = { added: 0, changed: 0, unchanged: 0, absent: 0, conflicts: 0 };
  for (const row of snapshot.rows) {
    const { history, effect } = recordObservation(byId.get(row.dealId), row, snapshot.takenAt, previous);
    byId.set(row.dealId, history);
    if (effect === "conflict") summary.conflicts++;
    else summary[effect]++;
  }
  for (const id of byId.keys()) if (!seen.has(id)) summary.absent++;
  return success({ histories: [...byId.values()], summary });
}

/** Histories from a single snapshot (for data that has no earlier drops). */
export function historiesFromRows(rows: readonly DealRow[], takenAt: string): DealHistory[] {
  return rows.map((row) => recordObservation(undefined, row, takenAt).history);
}

/** The deals in the latest snapshot: a deal missing from it is no longer in the partner's CRM export. */
export function currentDeals(histories: readonly DealHistory[]): DealHistory[] {
  let latest = "";
  for (const h of histories) if (h.lastSeenAt > latest) latest = h.lastSeenAt;
  return histories.filter((h) => h.lastSeenAt === latest);
}

/** The run the deal was in at time `at` (the last run that had started by then), if any. */
export function runAt(history: DealHistory, at: string): StateRun | undefined {
  let found: StateRun | undefined;
  for (const r of history.runs) if (r.from <= at) found = r;
  return found;
}

/**
 * When the deal entered its stage at time `at`, as far as the snapshots tell: the start of the earliest run
 * of the same stage that continues up to `at`. Undefined when the stage was already there at the first sight.
 */
export function stageSince(history: DealHistory, at: string): string | undefined {
  let idx = -1;
  for (let k = 0; k < history.runs.length; k++) if (history.runs[k].from <= at) idx = k;
  if (idx < 0) return undefined;
  const stage = history.runs[idx].stage;
  // A status change within the same stage is not a stage change.
  while (idx > 0 && history.runs[idx - 1].stage === stage) idx--;
  return history.runs[idx].since;
}

/** Distinct stages the deal was seen in, in the order first seen. */
export function stagesReached(history: DealHistory): string[] {
  const out: string[] = [];
  for (const r of history.runs) if (r.stage !== undefined && !out.includes(r.stage)) out.push(r.stage);
  return out;
}
