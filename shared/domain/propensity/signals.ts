import { isoDay } from "./dates.js";
import { signalTypeKey } from "./intent.js";
import type { SignalRow } from "./rows.js";

// Which tenant a buying signal belongs to. A signal names its tenant by tenantId, or by a domain that is
// matched to the tenant holding that domain (PRODUCT.md section 4). Pure: all signals and tenants in, a
// per-tenant list and a report of what could not be matched out.

/**
 * How long a signal counts, in days by observedOn: signals drops accumulate (each drop is a snapshot of its date),
 * and every snapshot within this horizon of the newest one is read. At the default 30-day half-life a year-old
 * signal weighs 2^-12 of a fresh one, so nothing that still matters is left out.
 */
export const signalHorizonDays = 365;

/**
 * What makes two signal lines the same signal: the signal type (compared as weights are) and the day it was
 * observed. Within one drop the later line wins; across drops the newest snapshot's wins, so a partner may drop
 * every signal once or a rolling export that repeats earlier ones, and each signal counts once.
 */
export function signalIdentity(signal: Pick<SignalRow, "signalType" | "observedOn">): string {
  return `${signalTypeKey(signal.signalType)}|${isoDay(signal.observedOn) ?? signal.observedOn}`;
}

/**
 * Lower-case host name of a domain as partners write it: "https://www.Contoso.com/about" → "contoso.com",
 * "jane@contoso.com" → "contoso.com". Anything else is returned trimmed and lower-cased.
 */
export function normalizeDomain(text: string): string {
  let d = text.trim().toLowerCase();
  d = d.replace(/^[a-z][a-z0-9+.-]*:\/\//, "");
  d = d.replace(/[/?#].*$/, "");
  d = d.slice(d.lastIndexOf("@") + 1);
  d = d.replace(/:\d+$/, "").replace(/\.+$/, "");
  if (d.startsWith("www.")) d = d.slice(4);
  return d;
}

export interface SignalTenant {
  tenantId: string;
  domain?: string;
}

export interface DomainCount {
  domain: string;
  count: number;
}

export interface SignalMatchReport {
  /** Signals received. */
  total: number;
  matchedByTenantId: number;
  matchedByDomain: number;
  /** Signals whose tenantId is not a tenant of the partner's latest tenants snapshot. */
  unknownTenant: number;
  /** Signals of tenants the tab does not list (reached only as the EA licensing partner): counted, not used. */
  notListedTenant: number;
  /** Signals given by a domain no tenant has (the most frequent domains listed). */
  unmatchedDomain: number;
  unmatchedDomains: DomainCount[];
  /** Signals given by a domain several tenants share: not attributed to any of them. */
  ambiguousDomain: number;
  ambiguousDomains: DomainCount[];
}

export interface SignalMatch {
  byTenant: Map<string, SignalRow[]>;
  report: SignalMatchReport;
}

/** Domains listed per reason in the report (the counts cover all of them). */
const listedDomains = 20;

function topDomains(counts: Map<string, number>): DomainCount[] {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, listedDomains)
    .map(([domain, count]) => ({ domain, count }));
}

/**
 * Attributes each signal to a tenant: by tenantId when given (a tenantId wins over a domain), else by domain.
 * A domain matches the tenant with that domain or, for a subdomain (sales.contoso.com), with its nearest
 * parent domain (contoso.com). A domain held by two tenants is ambiguous and attributed to neither. Signals of
 * `unlisted` tenants (known, but not shown) are counted apart and attributed to nobody.
 */
export function matchSignals(signals: readonly SignalRow[], tenants: readonly SignalTenant[], unlisted: readonly SignalTenant[] = []): SignalMatch {
  const known = new Set<string>();
  const notListed = new Set(unlisted.map((t) => t.tenantId));
  const tenantByDomain = new Map<string, string | null>(); // null: several tenants share it
  for (const t of [...tenants, ...unlisted]) {
    known.add(t.tenantId);
    if (!t.domain) continue;
    const d = normalizeDomain(t.domain);
    if (d === "") continue;
    const holder = tenantByDomain.get(d);
    tenantByDomain.set(d, holder === undefined || holder === t.tenantId ? t.tenantId : null);
  }
  const byTenant = new Map<string, SignalRow[]>();
  const add = (tenantId: string, s: SignalRow) => {
    const list = byTenant.get(tenantId);
    if (list) list.push(s);
    else byTenant.set(tenantId, [s]);
  };
  const unmatched = new Map<string, number>();
  const ambiguous = new Map<string, number>();
  const report: SignalMatchReport = {
    total: signals.length,
    matchedByTenantId: 0,
    matchedByDomain: 0,
    unknownTenant: 0,
    notListedTenant: 0,
    unmatchedDomain: 0,
    unmatchedDomains: [],
    ambiguousDomain: 0,
    ambiguousDomains: [],
  };
  for (const s of signals) {
    if (s.tenantId !== undefined) {
      if (notListed.has(s.tenantId)) report.notListedTenant++;
      else if (known.has(s.tenantId)) {
        add(s.tenantId, s);
        report.matchedByTenantId++;
      } else report.unknownTenant++;
      continue;
    }
    const domain = normalizeDomain(s.domain ?? "");
    let holder: string | null | undefined;
    for (let d = domain; d.includes("."); d = d.slice(d.indexOf(".") + 1)) {
      holder = tenantByDomain.get(d);
      if (holder !== undefined) break;
    }
    if (holder && notListed.has(holder)) report.notListedTenant++;
    else if (holder) {
      add(holder, s);
      report.matchedByDomain++;
    } else if (holder === null) {
      report.ambiguousDomain++;
      ambiguous.set(domain, (ambiguous.get(domain) ?? 0) + 1);
    } else {
      report.unmatchedDomain++;
      unmatched.set(domain, (unmatched.get(domain) ?? 0) + 1);
    }
  }
  report.unmatchedDomains = topDomains(unmatched);
  report.ambiguousDomains = topDomains(ambiguous);
  return { byTenant, report };
}
