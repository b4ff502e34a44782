import { z } from "zod";
import { datasetNameSchema, segments, subscriptionStatuses } from "./datasets.js";
import { dealRowSchema } from "./dealScoring/dealRows.js";

// Documents as stored in Cosmos DB. The same schemas validate documents read back.
// Ids are deterministic so every write is an idempotent upsert.

const base = { id: z.string(), partnerId: z.string() };

/** Partner ids appear in blob paths and API keys: lowercase letters, digits and dashes. */
export const partnerIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, "must be 3-63 lowercase letters, digits or dashes");

// ---- partners container ------------------------------------------------------------

export const datasetStateSchema = z.object({
  /** Snapshot date (YYYY-MM-DD) of the newest loaded drop of this dataset. */
  asOf: z.string(),
  ingestionId: z.string(),
  loadedAt: z.string(),
});

/**
 * The partner's refreshes are failing: how many attempts in a row failed, when the last one did, and the
 * failed invocation's id (to find its logs). Never the error text: the partner may see this record.
 */
export const refreshFailureSchema = z.object({
  count: z.number().int().min(1),
  lastFailedAt: z.string(),
  reference: z.string(),
});
export type RefreshFailure = z.infer<typeof refreshFailureSchema>;

export const partnerDocSchema = z.object({
  ...base,
  id: z.literal("partner"),
  type: z.literal("partner"),
  name: z.string().optional(),
  datasets: z.partialRecord(datasetNameSchema, datasetStateSchema).default({}),
  /** Bumped (ISO time) whenever a drop loads; the timer refreshes partners whose data changed since their last refresh. */
  dataVersion: z.string().optional(),
  refreshedDataVersion: z.string().optional(),
  /** Set when a refresh fails unexpectedly; removed by the next successful refresh. */
  refreshFailure: refreshFailureSchema.optional(),
  offboardedAt: z.string().optional(),
});
export type PartnerDoc = z.infer<typeof partnerDocSchema>;

export const roles = ["reportViewer", "executiveReportViewer", "administrator"] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

export const apiKeyDocSchema = z.object({
  ...base,
  /** "key:{sha256 of the secret}"; the secret itself is never stored. */
  id: z.string().startsWith("key:"),
  type: z.literal("apiKey"),
  keyId: z.string(),
  role: roleSchema,
  name: z.string(),
  createdAt: z.string(),
  createdBy: z.string().optional(),
  revokedAt: z.string().optional(),
});
export type ApiKeyDoc = z.infer<typeof apiKeyDocSchema>;

// ---- partnerData container: the staged rows of each ingestion -------------------------------
// Every document belongs to exactly one ingestion (id "{type}:{ingestionId}:{tenantId}") and holds that
// drop's rows of one tenant. Nothing is merged across drops: which ingestions are visible is decided when
// reading, from the committed (loaded) ingestion records (shared/ingest/liveSet.ts), so a drop that fails or
// is still loading is never seen, and a newer drop replaces a snapshot whole.

const stagedBase = { ...base, tenantId: z.string(), ingestionId: z.string(), asOf: z.string() };

export const tenantDocSchema = z.object({
  ...stagedBase,
  type: z.literal("tenant"),
  tenantName: z.string(),
  domain: z.string().optional(),
  countryRegion: z.string().optional(),
  segment: z.enum(segments).optional(),
  subSegment: z.string().optional(),
  tpid: z.string().optional(),
  customerName: z.string().optional(),
  industry: z.string().optional(),
  employees: z.number().optional(),
  azureMonthlyRevenue: z.number().optional(),
  eaRenewal: z.string().optional(),
  largestCspRenewal: z.string().optional(),
  cporAssociation: z.boolean().optional(),
  cspAssociation: z.boolean().optional(),
  cspTier: z.enum(["Tier1", "Tier2"]).optional(),
  t2ResellerName: z.string().optional(),
  eaLicensingPartner: z.boolean().optional(),
  partnerCenterId: z.string().optional(),
  mciEligibleWorkloads: z.array(z.string()).optional(),
});
export type TenantDoc = z.infer<typeof tenantDocSchema>;

export const subscriptionItemSchema = z.object({
  sku: z.string(),
  quantity: z.number(),
  product: z.string().optional(),
  paidUnits: z.number().optional(),
  status: z.enum(subscriptionStatuses).optional(),
  startDate: z.string().optional(),
  endDate: z.string().optional(),
  source: z.enum(["Partner", "Direct"]).optional(),
});
export type SubscriptionItem = z.infer<typeof subscriptionItemSchema>;

/** One tenant's licences in one subscriptions snapshot (the history is one document per snapshot). */
export const subscriptionsDocSchema = z.object({
  ...stagedBase,
  type: z.literal("subscriptions"),
  items: z.array(subscriptionItemSchema),
});
export type SubscriptionsDoc = z.infer<typeof subscriptionsDocSchema>;

export const workloadUsageSchema = z.object({ assignedUsers: z.number(), activeUsers: z.number() });
export const monthUsageSchema = z.record(z.string(), workloadUsageSchema);

/** One tenant's usage months (YYYY-MM) → workload → usage, as one usage drop gave them. */
export const usageDocSchema = z.object({
  ...stagedBase,
  type: z.literal("usage"),
  months: z.record(z.string(), monthUsageSchema),
  /** The newest month of `months`, copied so a refresh that needs only it reads a few numbers, not the year. */
  latest: z.object({ month: z.string(), workloads: monthUsageSchema }).optional(),
});
export type UsageDoc = z.infer<typeof usageDocSchema>;

export const incentivesDocSchema = z.object({
  ...stagedBase,
  type: z.literal("incentives"),
  engagements: z.array(
    z.object({ engagement: z.string(), workloads: z.array(z.string()), potentialEarnings: z.number() }),
  ),
});
export type IncentivesDoc = z.infer<typeof incentivesDocSchema>;

/**
 * One deal's row in one deals drop (a snapshot of the partner's CRM; id "deal:{ingestionId}:{dealKey}"). The
 * row's fields sit at the top level so a refresh can read only the state (status, stage) of older snapshots.
 */
export const dealDocSchema = dealRowSchema.extend({
  id: z.string(),
  partnerId: z.string(),
  type: z.literal("deal"),
  ingestionId: z.string(),
  asOf: z.string(),
});
export type DealDoc = z.infer<typeof dealDocSchema>;

/**
 * A block of consecutive lines of one signals drop (signals files are rarely sorted by tenant, so grouping by
 * position writes each document once). Each signal names its tenant by tenantId or by a domain, matched to a
 * tenant at refresh time; `line` orders repeats of one signal within the drop (the later line wins).
 */
export const signalsDocSchema = z.object({
  ...base,
  type: z.literal("signals"),
  ingestionId: z.string(),
  asOf: z.string(),
  block: z.number(),
  signals: z.array(
    z.object({
      tenantId: z.string().optional(),
      domain: z.string().optional(),
      signalType: z.string(),
      observedOn: z.string(),
      strength: z.number().optional(),
      line: z.number(),
    }),
  ),
});
export type SignalsDoc = z.infer<typeof signalsDocSchema>;

/** One tenant's on-premises products in one installbase drop. */
export const installBaseDocSchema = z.object({
  ...stagedBase,
  type: z.literal("installbase"),
  products: z.array(z.object({ product: z.string(), version: z.string(), quantity: z.number().optional() })),
});
export type InstallBaseDoc = z.infer<typeof installBaseDocSchema>;

/** The type of a staged document (one per dataset). */
export type StagedDocType =
  | TenantDoc["type"]
  | SubscriptionsDoc["type"]
  | UsageDoc["type"]
  | IncentivesDoc["type"]
  | DealDoc["type"]
  | SignalsDoc["type"]
  | InstallBaseDoc["type"];

// ---- ingestions container ------------------------------------------------------------

export const ingestionStatuses = ["received", "validating", "loaded", "failed"] as const;

export const rowErrorSchema = z.object({
  line: z.number(),
  column: z.string().optional(),
  reason: z.string(),
});
export type RowError = z.infer<typeof rowErrorSchema>;

/**
 * id = deterministic from blob path + ETag, so a redelivered blob version maps to the same record.
 * status "loaded" is the commit: only then do the drop's staged rows become visible to a refresh.
 */
export const ingestionDocSchema = z.object({
  ...base,
  type: z.literal("ingestion"),
  blobPath: z.string(),
  etag: z.string(),
  dataset: z.string(),
  fileName: z.string(),
  asOf: z.string().optional(),
  status: z.enum(ingestionStatuses),
  receivedAt: z.string(),
  finishedAt: z.string().optional(),
  sizeBytes: z.number(),
  counts: z.object({ rows: z.number(), loaded: z.number(), rejected: z.number(), documents: z.number() }),
  errors: z.array(rowErrorSchema),
  warnings: z.array(z.string()),
  /** Why the whole file was rejected, when it was. */
  reason: z.string().optional(),
  /** Where the original blob now lives ("processed/..." or "rejected/..."). */
  archivedTo: z.string().optional(),
  /** When the blob version was written (its Last-Modified): versions apply in this order, not in the order they finish. */
  writtenAt: z.string().optional(),
  /** When a delivery first saw this version (ms precision): orders versions written within the same second. */
  firstSeenAt: z.string().optional(),
  /** Usage drops: the months (YYYY-MM) the file carries; each replaces that month whole. */
  months: z.array(z.string()).optional(),
  /** How many deliveries have worked on it; past the limit it ends failed instead of being retried forever. */
  attempts: z.number().int().optional(),
});
export type IngestionDoc = z.infer<typeof ingestionDocSchema>;
