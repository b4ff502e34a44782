import type { OpportunitySettings } from "./inputs.js";
import { addMonths, mfaUtilisationInMonth, seatsOf, type NormalisedHistory, type TenantState } from "./history.js";
import { licenceClassIndex, type LicenceClass } from "./products.js";

// Labels: what happened within the horizon (default 3 months) after a snapshot t (PRODUCT.md "Labels").
//
// A label needs the snapshot at t and a later one at least `horizon` months after t: the window runs from t to the
// first such snapshot, and "within" means at any snapshot of the window. If that first later snapshot is more than
// twice the horizon after t (a long gap in the partner's drops), the window is too coarse to say "within 3 months"
// and the row is left unlabelled. Features come from t only (history.ts stateAt), labels from the window only,
// so nothing a model learns from was unknown at t.

export interface LabelWindow {
  history: NormalisedHistory;
  /** Index of t in history.snapshots (oldest first). */
  index: number;
  at: TenantState;
  /** Seats at every snapshot after t up to and including the window's end. */
  later: { seats: Float64Array; suiteSeats: number }[];
  /** Date of the window's last snapshot. */
  endAsOf: string;
}

/** Index of the snapshot that closes t's label window, or undefined when there is none (yet). */
export function labelWindowEnd(history: NormalisedHistory, index: number, horizonMonths: number): number | undefined {
  const asOf = history.snapshots[index].asOf;
  const due = addMonths(asOf, horizonMonths);
  const latest = addMonths(asOf, 2 * horizonMonths);
  for (let j = index + 1; j < history.snapshots.length; j++) {
    const d = history.snapshots[j].asOf;
    if (d >= due) return d <= latest ? j : undefined;
  }
  return undefined;
}

/** The window from t (`states[index]`) to `end`, given the tenant's states at every snapshot (oldest first). */
export function labelWindow(history: NormalisedHistory, states: readonly TenantState[], index: number, end: number): LabelWindow {
  return { history, index, at: states[index], later: states.slice(index + 1, end + 1), endAsOf: history.snapshots[end].asOf };
}

/** Some later snapshot of the window has more paid seats of one of `classes` than t had. */
export function gainedSeats(window: LabelWindow, classes: readonly LicenceClass[]): boolean {
  for (const s of window.later) {
    for (const c of classes) {
      const i = licenceClassIndex[c];
      if (s.seats[i] > window.at.seats[i]) return true;
    }
  }
  return false;
}

/** Churn: paid Microsoft 365 seats fall below the churn share of t's seats (every suite ending is the case of 0). */
export function churned(window: LabelWindow, settings: Pick<OpportunitySettings, "churnSeatShare">): boolean {
  const floor = settings.churnSeatShare * window.at.suiteSeats;
  return window.later.some((s) => s.suiteSeats < floor);
}

/** Paid Microsoft 365 seats grew (a trial converted into paid licences). */
export function gainedSuiteSeats(window: LabelWindow): boolean {
  return window.later.some((s) => s.suiteSeats > window.at.suiteSeats);
}

/**
 * MFA engagement: utilisation rises by `raise` (20 points) or more in a usage month within the horizon after t's
 * usage month. Unlabelled when t has no MFA utilisation or the usage data does not reach the horizon.
 */
export function raisedMfa(window: LabelWindow, settings: Pick<OpportunitySettings, "mfa" | "labelHorizonMonths">): boolean | undefined {
  const start = window.at.usageMonth;
  const base = window.at.features.mfaUtilisation;
  if (start === undefined || !Number.isFinite(base)) return undefined;
  const h = settings.labelHorizonMonths;
  let reached = false;
  let raised = false;
  for (let m = start + 1; m <= start + 2 * h; m++) {
    const u = mfaUtilisationInMonth(window.history, m);
    if (!Number.isFinite(u)) continue;
    if (m >= start + h) reached = true;
    if (m <= start + h && u >= base + settings.mfa.raise - 1e-9) raised = true;
  }
  return raised ? true : reached ? false : undefined;
}

export function hasAny(state: Pick<TenantState, "seats">, classes: readonly LicenceClass[]): boolean {
  return seatsOf(state, ...classes) > 0;
}
