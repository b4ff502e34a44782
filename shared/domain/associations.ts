import type { TenantDoc } from "./documents.js";

// Customer data associations (PRODUCT.md section 6, seed 002 "Customer data associations").
//
// Decisions:
// - Full visibility (every workload and SKU) needs a compliant association: a CPOR claim
//   (cporAssociation = Yes) or a CSP association (cspAssociation = Yes; every CSP association is
//   tier 1 or tier 2, so a missing cspTier does not withdraw it).
// - A partner that is only the EA licensing partner (eaLicensingPartner = Yes, no CPOR, no CSP)
//   sees the EA renewal date and nothing else. Such a tenant is not a row of the Cloud Endpoints
//   tab and is counted in none of its KPI tiles or charts, the renewal chart included: the tab's
//   population is defined by licence thresholds, so counting the tenant would disclose licence data.
// - A flag that is absent counts as No: data is withheld unless an association is stated.
// - Renewal dates follow the seed's column rules: the EA renewal shows only when the partner is the
//   EA licensing partner; the largest-seat CSP renewal only when the partner is the CSP partner. The
//   renewal period (chart D) is the shown EA renewal, else the shown CSP renewal; a tenant reached only
//   through a non-transacting association (CPOR) where the partner is not the licensing partner has
//   neither, so the chart leaves it out.

export type TenantVisibility = "full" | "renewalOnly" | "none";

type AssociationFields = Pick<
  TenantDoc,
  "cporAssociation" | "cspAssociation" | "eaLicensingPartner" | "eaRenewal" | "largestCspRenewal"
>;

/** Whether the partner holds a compliant association (CPOR claim or CSP tier 1/2) with the tenant. */
export function hasCompliantAssociation(tenant: AssociationFields): boolean {
  return tenant.cporAssociation === true || tenant.cspAssociation === true;
}

export function tenantVisibility(tenant: AssociationFields): TenantVisibility {
  if (hasCompliantAssociation(tenant)) return "full";
  if (tenant.eaLicensingPartner === true) return "renewalOnly";
  return "none";
}

export interface RenewalDates {
  /** Shown only when the partner is the tenant's EA licensing partner. */
  eaRenewal?: string;
  /** Shown only when the partner is the tenant's CSP partner. */
  largestSeatCspRenewal?: string;
  /** EA renewal, else largest-seat CSP renewal; undefined when neither is shown. */
  renewalPeriod?: string;
}

export function renewalDates(tenant: AssociationFields): RenewalDates {
  const eaRenewal = tenant.eaLicensingPartner === true ? tenant.eaRenewal : undefined;
  const largestSeatCspRenewal = tenant.cspAssociation === true ? tenant.largestCspRenewal : undefined;
  return { eaRenewal, largestSeatCspRenewal, renewalPeriod: eaRenewal ?? largestSeatCspRenewal };
}
