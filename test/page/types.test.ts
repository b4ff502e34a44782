import { describe, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import type {
  clusterMappingResponseSchema,
  propensityCustomerResponseSchema,
  propensityListResponseSchema,
  propensitySummaryResponseSchema,
  SortColumn,
} from "../../shared/api/propensity.js";
import type { ClusterMappingResponse, PropensityCustomer, PropensityListResponse, PropensityRow, PropensitySortColumn, PropensitySummaryResponse } from "../../web/src/app/types.js";

// The page writes the Propensity answers' types out from the domain (the API module also reaches Node-only
// code); the typecheck fails here if they drift from what the API's schemas say it answers.

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
