import type { z } from "zod";
import type { cloudEndpointsListResponseSchema } from "../../../shared/api/cloudEndpoints.js";
import type { RefreshStatus } from "../../../shared/api/refreshStatus.js";
import type { ApiKeyDoc, IngestionDoc, Role } from "../../../shared/domain/documents.js";
import type { CloudEndpointsSummary } from "../../../shared/domain/cloudEndpoints/index.js";
import type {
  bandHitRateSchema,
  customerSubscriptionSchema,
  customerUsageSchema,
  feedbackRecordSchema,
  opportunitySchema,
  opportunitySummarySchema,
  trainedModelSchema,
} from "../../../shared/domain/opportunities/index.js";
import type { customerPropensitySchema, propensityReportSchema, propensitySummarySchema, Cell, Cluster, FitBasis } from "../../../shared/domain/propensity/index.js";
import type {
  dealModelResponseSchema,
  dealScoreDetailSchema,
  dealScoresListResponseSchema,
  dealScoresSummaryResponseSchema,
  sortableColumns as dealScoresSortableColumns,
  trainingAcceptedSchema,
} from "../../../shared/api/dealScoring.js";

// The API's answers as the page reads them, typed from the same schemas the server validates with
// (type-only imports: no schema code reaches the page through this file).

export type { Role };
export type { CloudEndpointsRow, CloudEndpointsSummary, SalesMotion } from "../../../shared/domain/cloudEndpoints/index.js";

/** GET /api/me */
export interface Me {
  partnerId: string;
  role: Role;
  keyId: string;
}

export type ResultStatus = "ready" | "notRefreshedYet";

/** What list and summary answers say about the result set they come from. */
export type ResultsState = { status: ResultStatus; resultSetId?: string; refreshedAt?: string; asOf?: Record<string, string> } & Partial<RefreshStatus>;

export type CloudEndpointsSummaryResponse = CloudEndpointsSummary & ResultsState;
export type CloudEndpointsListResponse = z.output<typeof cloudEndpointsListResponseSchema>;

export type Ingestion = Omit<IngestionDoc, "type">;
export interface IngestionsPage {
  items: Ingestion[];
  continuationToken?: string;
}

export type ApiKeyInfo = Pick<ApiKeyDoc, "keyId" | "name" | "role" | "createdAt" | "createdBy" | "revokedAt">;
export type CreatedKey = ApiKeyInfo & { key: string };

/** POST /api/uploads (the upload route's contract). */
export interface UploadGrant {
  uploadUrl: string;
  blobPath: string;
  expiresAt: string;
  method: "PUT";
  headers: Record<string, string>;
}

// ---- Propensity (CloudAscent)

// Written out from the domain's schemas: shared/api/propensity.ts also reaches the CSV export (Node streams), which
// the page's types do not include. test/page/types.test.ts checks these equal the API's schemas.

export type { Cell, Cluster };
export type ClusterMapping = Record<Cell, Cluster>;
export type PropensityReport = z.output<typeof propensityReportSchema>;
export type PropensitySummaryResponse = z.output<typeof propensitySummarySchema> &
  ResultsState & {
    report?: PropensityReport;
    clusterMapping: { mapping: ClusterMapping; isDefault: boolean; updatedAt?: string };
    settings?: { halfLifeDays: number; signalWeights: Record<string, number>; fitEveryMonths: number; signalHorizonDays: number };
    message?: string;
  };
export type PropensityRow = z.output<typeof customerPropensitySchema> & { priority: number };
export type PropensityListResponse = ResultsState & { items: PropensityRow[]; continuationToken?: string; message?: string };
export type PropensityCustomer = PropensityRow & {
  explanation: {
    fit: { basis: FitBasis; message?: string; factors: string[] };
    intent: { halfLifeDays?: number; signalsCounted: number; strongestSignals: PropensityRow["strongestSignals"] };
    cluster?: { cluster: Cluster; purpose: string };
  };
  resultSetId: string;
  refreshedAt: string;
};
export interface ClusterMappingResponse {
  mapping: ClusterMapping;
  isDefault: boolean;
  updatedAt?: string;
  updatedBy?: string;
  clusters: { cluster: Cluster; purpose: string; cells: string[] }[];
  refresh?: { status: "queued"; requestedAt: string };
}
export type PropensitySortColumn =
  | "priority"
  | "tenantName"
  | "fit"
  | "intent"
  | "cell"
  | "whitespaceRevenue"
  | "openExpiringRevenue"
  | "monthlyLicenceValue"
  | "licensedUsers"
  | "employees"
  | "azureMonthlyRevenue";

// ---- Deal scoring

export type DealScoresSummaryResponse = z.output<typeof dealScoresSummaryResponseSchema>;
export type DealScoresListResponse = z.output<typeof dealScoresListResponseSchema>;
export type DealScoreItem = DealScoresListResponse["items"][number];
export type DealScoreDetail = z.output<typeof dealScoreDetailSchema>;
export type DealFactor = DealScoreItem["topPositive"][number];
export type DealModel = z.output<typeof dealModelResponseSchema>;
export type DealModelVersion = DealModel["versions"][number];
export type TrainingAccepted = z.output<typeof trainingAcceptedSchema>;
export type DealScoresSortColumn = (typeof dealScoresSortableColumns)[number];

// ---- Opportunities (Sales Advisor)
// Written out from the domain's schemas, like Propensity's (shared/api/opportunities.ts reaches the CSV export);
// test/page/types.test.ts checks them against the API's.

export type Opportunity = z.output<typeof opportunitySchema>;
export type OpportunityFeedback = z.output<typeof feedbackRecordSchema> & { hidden: boolean };
export type OpportunitiesListResponse = ResultsState & { items: Opportunity[]; continuationToken?: string; message?: string };
type OpportunitySummary = z.output<typeof opportunitySummarySchema>;
export type OpportunitiesSummaryResponse = ResultsState & {
  overview: Pick<OpportunitySummary, "totalTenants" | "customersWithOpportunities" | "opportunities" | "byCategory" | "byType">;
  prioritised: OpportunitySummary["prioritised"];
  hiddenByFeedback: number;
  warnings: string[];
  message?: string;
};
export interface OpportunityCustomer {
  tenantId: string;
  tenantName: string;
  domain?: string;
  tpid?: string;
  customerName?: string;
  segment?: string;
  opportunities: Opportunity[];
  subscriptions: { asOf?: string; items: z.output<typeof customerSubscriptionSchema>[] };
  usage: z.output<typeof customerUsageSchema>;
  resultSetId?: string;
}
export interface OpportunityModels {
  status: "trained" | "notTrainedYet";
  version?: string;
  savedAt?: string;
  history?: { tenants: number; snapshots: number; from?: string; to?: string };
  bands: { high: number; medium: number };
  warnings: string[];
  models: (Omit<z.output<typeof trainedModelSchema>, "engine" | "bands"> & {
    bandHitRates: z.output<typeof bandHitRateSchema>[];
    feedback: { helpful: number; notHelpful: number; reasons: Record<string, number> };
  })[];
}
