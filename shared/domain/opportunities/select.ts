import type { OpportunityType, PreviousOpportunity } from "./inputs.js";

// Which opportunities are listed and since when:
// - At most one opportunity per customer per type: the strongest (highest probability; on a tie the model listed
//   first in the Lighthouse table). B-SKU and E-SKU compete for Upsell, MDO and MDB for Expansion, SMB engagement and
//   MFA engagement for Engagement.
// - Date added is the first refresh at which the same (tenant, type, product) appeared and has stayed since: it is
//   carried over from the previous refresh when that refresh had it, else it is today. An opportunity that
//   disappears and comes back therefore starts again. Opportunities hidden by feedback are still part of a refresh's
//   result (ScoreResult.hidden), so passing them back as `previous` keeps their date while they are hidden.

export interface Ranked {
  tenantId: string;
  type: OpportunityType;
  probability: number;
  /** Position of the model in the Lighthouse table (tie-break). */
  modelOrder: number;
}

/** The strongest candidate per (tenant, type), in no particular order. */
export function strongestPerType<T extends Ranked>(candidates: readonly T[]): T[] {
  const best = new Map<string, T>();
  for (const c of candidates) {
    const k = `${c.tenantId}|${c.type}`;
    const seen = best.get(k);
    if (!seen || c.probability > seen.probability || (c.probability === seen.probability && c.modelOrder < seen.modelOrder)) best.set(k, c);
  }
  return [...best.values()];
}

function dateKey(o: { tenantId: string; type: OpportunityType; product?: string }): string {
  return `${o.tenantId}|${o.type}|${o.product ?? ""}`;
}

export type DateAddedLookup = (o: { tenantId: string; type: OpportunityType; product?: string }) => string;

/** Looks up date added: the previous refresh's date for the same (tenant, type, product), else `today`. */
export function dateAddedFrom(previous: readonly PreviousOpportunity[], today: string): DateAddedLookup {
  const dates = new Map<string, string>();
  for (const p of previous) {
    const k = dateKey(p);
    const seen = dates.get(k);
    // Duplicates in the input: the earliest date is the one the opportunity has had since.
    if (seen === undefined || p.dateAdded < seen) dates.set(k, p.dateAdded.slice(0, 10));
  }
  return (o) => {
    const d = dates.get(dateKey(o));
    return d !== undefined && d <= today ? d : today;
  };
}

/** Default list order: newest first, then most probable, then by customer name. */
export function newestFirst<T extends { dateAdded: string; probability: number; tenantName: string; id: string }>(a: T, b: T): number {
  if (a.dateAdded !== b.dateAdded) return a.dateAdded < b.dateAdded ? 1 : -1;
  if (a.probability !== b.probability) return b.probability - a.probability;
  return a.tenantName.localeCompare(b.tenantName) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
