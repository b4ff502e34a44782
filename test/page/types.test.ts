import { describe, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import type {
  clusterMappingResponseSchema,
  propensityCustomerResponseSchema,
  propensityListResponseSchema,
  propensitySummaryResponseSchema,
  SortColumn,
} from "../../shared/api/propensity.js";
import type {
  customerDetailResponseSchema,
  feedbackResponseSchema,
  opportunitiesListResponseSchema,
  opportunitiesSummaryResponseSchema,
  opportunityModelsResponseSchema,
} from "../../shared/api/opportunities.js";
import type {
  OpportunitiesListResponse,
  OpportunitiesSummaryResponse,
  Opportunity,
  OpportunityCustomer,
  OpportunityFeedback,
  OpportunityModels,
} from "../../web/src/app/types.js";
import type { ClusterMappingResponse, PropensityCustomer, PropensityListResponse, PropensityRow, PropensitySortColumn, PropensitySummaryResponse } from "../../web/src/app/types.js";

// The page writes the Propensity and Opportunities answers' types out from the domain (their API modules also reach
// Node-only code); the typecheck fails here if they drift from what the API's schemas say it answers.

describe("the page's Propensity types", () => {
  it("are the API's answers", () => {
    // Both ways: the same fields, the same types (an intersection and an extended object compare unequal as types).
    expectTypeOf<PropensityRow>().toExtend<z.output<typeof propensityListResponseSchema>["items"][number]>();
    expectTypeOf<z.output<typeof propensityListResponseSchema>["items"][number]>().toExtend<PropensityRow>();
    expectTypeOf<z.output<typeof propensityListResponseSchema>>().toExtend<PropensityListResponse>();
    expectTypeOf<z.output<typeof propensitySummaryResponseSchema>>().toExtend<PropensitySummaryResponse>();
    expectTypeOf<z.output<typeof propensityCustomerResponseSchema>>().toExtend<PropensityCustomer>();
    expectTypeOf<PropensityCustomer["explanation"]>().toExtend<z.output<typeof propensityCustomerResponseSchema>["explanation"]>();
    expectTypeOf<z.output<typeof clusterMappingResponseSchema>>().toExtend<ClusterMappingResponse>();
    expectTypeOf<PropensitySortColumn>().toEqualTypeOf<SortColumn>();
  });
});

describe("the page's Opportunities types", () => {
  it("are the API's answers", () => {
    expectTypeOf<Opportunity>().toExtend<z.output<typeof opportunitiesListResponseSchema>["items"][number]>();
    expectTypeOf<z.output<typeof opportunitiesListResponseSchema>["items"][number]>().toExtend<Opportunity>();
    expectTypeOf<z.output<typeof opportunitiesListResponseSchema>>().toExtend<OpportunitiesListResponse>();
    expectTypeOf<z.output<typeof opportunitiesSummaryResponseSchema>>().toExtend<OpportunitiesSummaryResponse>();
    expectTypeOf<z.output<typeof customerDetailResponseSchema>>().toExtend<OpportunityCustomer>();
    expectTypeOf<z.output<typeof feedbackResponseSchema>>().toExtend<OpportunityFeedback>();
    expectTypeOf<z.output<typeof opportunityModelsResponseSchema>>().toExtend<OpportunityModels>();
  });
});
