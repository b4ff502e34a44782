import { hasCompliantAssociation } from "../associations.js";
import type { TenantDoc } from "../documents.js";
import type { LicenceCounts } from "./licences.js";
import { cloudEndpointsThresholds as t } from "./thresholds.js";

// Who is listed: a compliant association (associations.ts) AND (Enterprise with > 150 Microsoft 365
// licences, or SME&C with > 25) AND > 100 eligible seats. SMB tenants and tenants without a segment are
// therefore never visible.

export function meetsLicenceThresholds(segment: string | undefined, microsoft365Licenses: number): boolean {
  if (segment === "Enterprise") return microsoft365Licenses > t.enterpriseMinM365Exclusive;
  if (segment === "SME&C") return microsoft365Licenses > t.smecMinM365Exclusive;
  return false;
}

/** Whether the tenant is a row of the tab. */
export function isVisibleOnCloudEndpoints(tenant: TenantDoc, licences: LicenceCounts): boolean {
  if (!hasCompliantAssociation(tenant)) return false;
  if (!meetsLicenceThresholds(tenant.segment, licences.microsoft365Licenses)) return false;
  return licences.w365EligibleSeats > t.minEligibleSeatsExclusive;
}
