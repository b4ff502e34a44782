import { tenantVisibility } from "../associations.js";
import type { SubscriptionItem, TenantDoc } from "../documents.js";
import type { PropensityTenant, TenantInput, WorkloadUsage } from "./inputs.js";

// Which tenants the Propensity tab lists, and what it may read of each (PRODUCT.md section 6):
// - a tenant the partner reaches through a compliant association (CPOR claim or CSP tier 1/2) is listed with
//   everything: licences, usage, agreements;
// - a tenant reached only as the EA licensing partner is left out (the partner may see its renewal dates and
//   nothing else), counted in the tab's report;
// - any other tenant is listed as a prospect: firmographics, signals and install base only. Licences dropped for
//   it are withheld (counted), so they neither show nor teach fit.

/** A tenant as the tab lists it: the columns propensity scores, and the associations that decide how it is listed. */
export type ListedTenant = PropensityTenant &
  Pick<TenantDoc, "cporAssociation" | "cspAssociation" | "eaLicensingPartner" | "eaRenewal" | "largestCspRenewal">;

export interface TenantLicences {
  /** The newest subscriptions snapshot's lines. */
  current: readonly SubscriptionItem[];
  /** An earlier snapshot (about three months before), for seat growth. */
  earlier?: { asOf: string; items: readonly SubscriptionItem[] };
  /** The oldest live snapshot the tenant appears in. */
  firstSeenOn?: string;
}

export interface TenantSelection {
  inputs: TenantInput[];
  /** Tenants reached only as the EA licensing partner: not listed (their signals are counted apart). */
  unlisted: { tenantId: string; domain?: string }[];
  renewalOnly: number;
  /** Tenants listed as prospects although licences were dropped for them (no compliant association). */
  licencesWithheld: number;
}

export function selectPropensityTenants(
  tenants: Iterable<ListedTenant>,
  licences: ReadonlyMap<string, TenantLicences>,
  usage: ReadonlyMap<string, { month: string; workloads: Readonly<Record<string, WorkloadUsage>> }>,
): TenantSelection {
  const inputs: TenantInput[] = [];
  const unlisted: TenantSelection["unlisted"] = [];
  let renewalOnly = 0;
  let licencesWithheld = 0;
  for (const t of tenants) {
    const visibility = tenantVisibility(t);
    if (visibility === "renewalOnly") {
      renewalOnly++;
      unlisted.push({ tenantId: t.tenantId, ...(t.domain !== undefined ? { domain: t.domain } : {}) });
      continue;
    }
    const tenant = {
      tenantId: t.tenantId,
      tenantName: t.tenantName,
      ...(t.domain !== undefined ? { domain: t.domain } : {}),
      ...(t.countryRegion !== undefined ? { countryRegion: t.countryRegion } : {}),
      ...(t.segment !== undefined ? { segment: t.segment } : {}),
      ...(t.subSegment !== undefined ? { subSegment: t.subSegment } : {}),
      ...(t.tpid !== undefined ? { tpid: t.tpid } : {}),
      ...(t.customerName !== undefined ? { customerName: t.customerName } : {}),
      ...(t.industry !== undefined ? { industry: t.industry } : {}),
      ...(t.employees !== undefined ? { employees: t.employees } : {}),
      ...(t.azureMonthlyRevenue !== undefined ? { azureMonthlyRevenue: t.azureMonthlyRevenue } : {}),
    };
    const held = licences.get(t.tenantId);
    if (visibility === "none") {
      if (held && held.current.length > 0) licencesWithheld++;
      inputs.push({ tenant, subscriptions: [] });
      continue;
    }
    const latest = usage.get(t.tenantId);
    inputs.push({
      tenant,
      subscriptions: held?.current ?? [],
      ...(held?.earlier ? { earlierSubscriptions: held.earlier } : {}),
      ...(held?.firstSeenOn ? { firstSeenOn: held.firstSeenOn } : {}),
      ...(latest ? { usage: latest } : {}),
    });
  }
  return { inputs, unlisted, renewalOnly, licencesWithheld };
}
