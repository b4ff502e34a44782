// The Opportunities tab (Lighthouse Sales Advisor), pure domain: what the refresh producer and the API call.

export { trainOpportunityModels, type TrainOptions } from "./train.js";
export { scoreOpportunities, type ScoreResult } from "./score.js";
export { summarizeOpportunities, opportunitySummarySchema, type OpportunitySummary } from "./summary.js";
export { feedbackCounts, indexFeedback, isHiddenByFeedback, type FeedbackCounts } from "./feedback.js";
export { probabilityStatus, bandHitRates, bandHitRateSchema, type BandHitRate } from "./bands.js";
export { catalogue, type CatalogueEntry } from "./catalogue.js";
export { opportunityModels, modelById } from "./models/index.js";
export {
  MODEL_SET_FORMAT_VERSION,
  opportunityModelSetSchema,
  trainedModelSchema,
  type OpportunityModelSet,
  type TrainedOpportunityModel,
} from "./modelSet.js";
export {
  categoryOfType,
  opportunityBases,
  opportunityCategories,
  opportunityId,
  opportunitySchema,
  resourceSchema,
  type Opportunity,
  type OpportunityBasis,
  type OpportunityCategory,
  type Resource,
} from "./opportunity.js";
export {
  defaultOpportunitySettings,
  feedbackReasons,
  feedbackRecordSchema,
  modelIds,
  modelIdSchema,
  opportunitySettingsSchema,
  opportunityTypes,
  previousOpportunitySchema,
  probabilityStatuses,
  subscriptionSnapshotSchema,
  tenantHistorySchema,
  tenantProfileSchema,
  usageByMonthSchema,
  type FeedbackReason,
  type FeedbackRecord,
  type ModelId,
  type OpportunitySettings,
  type OpportunitySettingsInput,
  type OpportunityType,
  type PreviousOpportunity,
  type ProbabilityStatus,
  type TenantHistory,
  type TenantProfile,
} from "./inputs.js";
export { packUsage, PackedUsage, trendStatus, usagePacker, workloads, workloadNames, type TrendStatus, type UsagePacker } from "./history.js";
export {
  customerSubscriptions,
  customerSubscriptionSchema,
  customerUsage,
  customerUsageSchema,
  type CustomerSubscription,
  type CustomerUsage,
} from "./customer.js";
export { correctForSampling } from "./modelSet.js";
