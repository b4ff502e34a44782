import { z } from "zod";
import { clusterMappingSchema } from "./clusters.js";
import { fitReportSchema } from "./fit.js";

// Propensity's partner-owned documents (partners container, the partner's partition, their own types): the
// administrator's cell → cluster mapping, and the record of the stored fit model (its artifact is JSON in Blob
// Storage, ModelStore kind "propensity-fit"). Read back with these schemas, never cast.

export const clusterMappingDocId = "propensity:clusterMapping";
export const fitModelRecordDocId = "propensity:fitModel";
export const fitModelKind = "propensity-fit";

export const clusterMappingDocSchema = z.object({
  id: z.literal(clusterMappingDocId),
  partnerId: z.string(),
  type: z.literal("propensityClusterMapping"),
  mapping: clusterMappingSchema,
  updatedAt: z.string(),
  /** The API key id that saved it. */
  updatedBy: z.string(),
});
export type ClusterMappingDoc = z.infer<typeof clusterMappingDocSchema>;

export const fitModelRecordDocSchema = z.object({
  id: z.literal(fitModelRecordDocId),
  partnerId: z.string(),
  type: z.literal("propensityFitModel"),
  /** Artifact version (the training time, compact): models/{partnerId}/propensity-fit/{version}.json. */
  version: z.string(),
  artifact: z.string(),
  /** The version before, kept so the previous result set's scores can still be reproduced. */
  previousVersion: z.string().optional(),
  trainedAt: z.string(),
  /** The refresh day it was learned at: the fit cadence counts from it. */
  trainedOn: z.string(),
  /** What it was learned from (the tenants and subscriptions drops, the fit settings): a change retrains it. */
  inputsKey: z.string(),
  report: fitReportSchema,
});
export type FitModelRecordDoc = z.infer<typeof fitModelRecordDocSchema>;
