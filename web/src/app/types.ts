import type { z } from "zod";
import type { cloudEndpointsListResponseSchema } from "../../../shared/api/cloudEndpoints.js";
import type { RefreshStatus } from "../../../shared/api/refreshStatus.js";
import type { ApiKeyDoc, IngestionDoc, Role } from "../../../shared/domain/documents.js";
import type { CloudEndpointsSummary } from "../../../shared/domain/cloudEndpoints/index.js";

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
