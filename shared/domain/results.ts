import { z } from "zod";
import { cloudEndpointsRowSchema } from "./cloudEndpoints/row.js";
import { cloudEndpointsSummarySchema } from "./cloudEndpoints/summary.js";

// What a refresh produces (results container) and what the HTTP routes serve. Each tab has its own
// result sets and its own pointer: a refresh writes a whole set (every document carries its resultSetId),
// then switches the tab's pointer (id "pointer:{tab}") in one conditional write (shared/refresh/publisher.ts).

export const tabNames = ["cloudEndpoints", "opportunities", "propensity", "dealScores"] as const;
export const tabNameSchema = z.enum(tabNames);
export type TabName = z.infer<typeof tabNameSchema>;

export const resultIds = {
  pointer: (tab: TabName) => `pointer:${tab}`,
  /** Written first and deleted last: marks a set as existing, so an interrupted one is found and removed. */
  marker: (tab: TabName, resultSetId: string) => `set:${tab}:${resultSetId}`,
  summary: (tab: TabName, resultSetId: string) => `summary:${tab}:${resultSetId}`,
  row: (tab: TabName, resultSetId: string, key: string) => `${tab}:${resultSetId}:${key}`,
};

const resultDocBase = { id: z.string(), partnerId: z.string(), tab: tabNameSchema, resultSetId: z.string() };

export const resultSetMarkerDocSchema = z.object({ ...resultDocBase, type: z.literal("resultSet"), createdAt: z.string() });
export type ResultSetMarkerDoc = z.infer<typeof resultSetMarkerDocSchema>;

export const resultPointerDocSchema = z.object({
  id: z.string(),
  partnerId: z.string(),
  type: z.literal("pointer"),
  tab: tabNameSchema,
  resultSetId: z.string(),
  previousResultSetId: z.string().optional(),
  refreshedAt: z.string(),
  /** The partner's dataVersion the set was computed from. */
  dataVersion: z.string().optional(),
  /** Data as of: the snapshot dates the refresh used, per dataset. */
  asOf: z.record(z.string(), z.string()).default({}),
});
export type ResultPointerDoc = z.infer<typeof resultPointerDocSchema>;

/** A row document: the tab's row plus where it belongs; `searchText` is the lower-case text keyword search matches. */
export function rowDocSchema<T extends z.ZodRawShape>(row: z.ZodObject<T>) {
  return row.extend({ ...resultDocBase, type: z.literal("row"), searchText: z.string() });
}

export function summaryDocSchema<T extends z.ZodRawShape>(summary: z.ZodObject<T>) {
  return summary.extend({ ...resultDocBase, type: z.literal("summary") });
}

/** Any document of a result set, as the publisher writes it. */
export interface ResultDoc {
  id: string;
  partnerId: string;
  tab: TabName;
  resultSetId: string;
  type: "row" | "summary" | "resultSet";
  [field: string]: unknown;
}

export const cloudEndpointsRowDocSchema = rowDocSchema(cloudEndpointsRowSchema);
export type CloudEndpointsRowDoc = z.infer<typeof cloudEndpointsRowDocSchema>;
export const cloudEndpointsSummaryDocSchema = summaryDocSchema(cloudEndpointsSummarySchema);
export type CloudEndpointsSummaryDoc = z.infer<typeof cloudEndpointsSummaryDocSchema>;
