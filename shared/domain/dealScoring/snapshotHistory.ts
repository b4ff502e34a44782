import type { DealRow } from "./dealRows.js";
import { recordObservation, type DealHistory } from "./history.js";

// The deals' histories rebuilt from the partner's live deals snapshots (one per drop, dated by its snapshot
// date), deal by deal: older snapshots need only a deal's state (status, stage), the newest snapshot that had
// the deal gives its whole row. Rebuilding from the snapshots on every refresh means a snapshot replaced or
// dropped is never half-remembered.

/** One snapshot's sight of a deal: its state alone, or (the newest sight) its whole row. */
export interface DealObservation {
  /** The snapshot's time (snapshotTime of its date). */
  takenAt: string;
  row: DealRow;
}

/** What an older snapshot needs to tell of a deal. */
export interface DealState {
  dealId: string;
  status: string;
  stage?: string;
  createdOn: string;
}

/** A snapshot date (YYYY-MM-DD) as the instant its history records: the start of that UTC day. */
export function snapshotTime(asOf: string): string {
  return `${asOf.slice(0, 10)}T00:00:00.000Z`;
}

/** A deal's state as a row without attributes (only its state is recorded from an older snapshot). */
export function stateRow(state: DealState): DealRow {
  return { dealId: state.dealId, status: state.status, createdOn: state.createdOn, ...(state.stage !== undefined ? { stage: state.stage } : {}), attributes: {} };
}

/**
 * Histories from the live snapshots. `snapshotTimes` are every live snapshot's time (a deal created after the
 * snapshot before the one that first shows it entered its first state at creation); `observations` are each
 * deal's sights, in any order.
 */
export function historiesFromObservations(snapshotTimes: readonly string[], observations: Iterable<readonly DealObservation[]>): DealHistory[] {
  const times = [...new Set(snapshotTimes)].sort();
  const previousOf = (t: string): string | undefined => {
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? times[lo - 1] : undefined;
  };
  const out: DealHistory[] = [];
  for (const sights of observations) {
    const ordered = [...sights].sort((a, b) => (a.takenAt < b.takenAt ? -1 : a.takenAt > b.takenAt ? 1 : 0));
    let history: DealHistory | undefined;
    for (const o of ordered) history = recordObservation(history, o.row, o.takenAt, previousOf(o.takenAt)).history;
    if (history) out.push(history);
  }
  return out;
}
