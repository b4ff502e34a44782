import type { TenantRow } from "../datasets.js";
import type { SubscriptionItem } from "../documents.js";
import type { InstallBaseRow, SignalRow } from "./rows.js";

// What a propensity refresh reads, independent of storage: the lead's refresh producer fills these from
// the partner's documents. Tenants without licences (prospects) are included and scored too.

/** The tenants-file columns propensity uses (a TenantRow or a stored tenant document fits). */
export type PropensityTenant = Pick<
  TenantRow,
  | "tenantId"
  | "tenantName"
  | "domain"
  | "countryRegion"
  | "segment"
  | "subSegment"
  | "tpid"
  | "customerName"
  | "industry"
  | "employees"
  | "azureMonthlyRevenue"
>;

/** Paid available units and monthly active users of one workload in one month. */
export interface WorkloadUsage {
  assignedUsers: number;
  activeUsers: number;
}

export interface TenantInput {
  tenant: PropensityTenant;
  /** Subscription lines of the tenant's current subscriptions snapshot (empty for a prospect). */
  subscriptions: readonly SubscriptionItem[];
  /**
   * An earlier subscriptions snapshot (about three months before, when kept), for seat growth; absent
   * when there is none.
   */
  earlierSubscriptions?: { asOf: string; items: readonly SubscriptionItem[] };
  /**
   * The oldest snapshot date (YYYY-MM-DD) the tenant appears in with licences, when known: tenure starts at
   * the earlier of this and the subscriptions' start dates.
   */
  firstSeenOn?: string;
  /** The tenant's latest usage month, by workload. */
  usage?: { month: string; workloads: Readonly<Record<string, WorkloadUsage>> };
}

export interface PropensityInputs {
  /** The refresh date (YYYY-MM-DD or an ISO time): ages, tenure and the fiscal year are measured from it. */
  asOf: string;
  tenants: readonly TenantInput[];
  /** All the partner's signals; matched to tenants by tenantId or domain. */
  signals: readonly SignalRow[];
  /** All the partner's install-base rows. */
  installBase: readonly InstallBaseRow[];
  /**
   * Tenants of the partner's data the tab does not list (reached only as the EA licensing partner): their
   * signals and install-base rows are counted apart, never reported as unknown, and not used.
   */
  unlistedTenants?: readonly { tenantId: string; domain?: string }[];
}
