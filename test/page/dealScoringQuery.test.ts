import { describe, expect, it } from "vitest";
import { dealScoresListQuerySchema, repeatableParameters, sortableColumns } from "../../shared/api/dealScoring.js";
import { maxSearchLength as apiMaxSearchLength } from "../../shared/api/common.js";
import { parseQuery } from "../../shared/api/validation.js";
import { validateGradeBands } from "../../shared/domain/dealScoring/index.js";
import { ApiError, toQueryString } from "../../web/src/app/api.js";
import { bandsFrom } from "../../web/src/tabs/dealScoring/models/gradeBands.js";
import { problemOf, refusalOf } from "../../web/src/tabs/dealScoring/models/refusal.js";
import { activeFilters, defaultSort, exportQuery, listQuery, maxSearchLength, naturalOrder, nextSort, noFilters } from "../../web/src/tabs/dealScoring/query.js";

// The scored deals table's state as the API's query string (read back by the API's own parser), the grade bands
// the editor sends, and refusals in words.

const parse = (qs: string) => parseQuery(dealScoresListQuerySchema, new URLSearchParams(qs.slice(1)), repeatableParameters);

describe("the scored deals table's query", () => {
  it("sends every filter, the sort and the page size in the form the API validates", () => {
    const filters = { grade: "B" as const, trend: "Not enough info" as const, owner: "owner 08", stage: "Propose", product: "Windows 365", modelId: "dm-1", search: " Deal 14 " };
    expect(parse(toQueryString(listQuery(filters, { column: "estimatedCloseDate", order: "asc" }, 25)))).toMatchObject({
      grade: ["B"],
      trend: ["Not enough info"],
      owner: "owner 08",
      stage: "Propose",
      product: "Windows 365",
      modelId: "dm-1",
      search: "deal 14",
      sort: "estimatedCloseDate",
      order: "asc",
      pageSize: 25,
    });
  });

  it("starts highest score first and leaves out what is not set; the export carries no paging", () => {
    expect(toQueryString(listQuery(noFilters, defaultSort, 50))).toBe("?sort=score&order=desc&pageSize=50");
    expect(toQueryString(exportQuery(noFilters, defaultSort))).toBe("?sort=score&order=desc");
  });

  it("sorts names and ids A to Z, the rest largest first, and reverses on a second click", () => {
    expect(sortableColumns.map(naturalOrder)).toEqual(sortableColumns.map((c) => (c === "name" || c === "dealId" ? "asc" : "desc")));
    expect(nextSort(nextSort(defaultSort, "name"), "name")).toEqual({ column: "name", order: "desc" });
    expect(maxSearchLength).toBe(apiMaxSearchLength);
  });

  it("names the filters in force, a model by its name", () => {
    const chips = activeFilters({ ...noFilters, grade: "A", modelId: "dm-1" }, (id) => (id === "dm-1" ? "DemoScoring" : id));
    expect(chips.map((c) => c.label)).toEqual(["Grade A", "Model: DemoScoring"]);
    expect(chips[0].without).toEqual({ ...noFilters, modelId: "dm-1", grade: undefined });
  });
});

describe("the grade bands editor", () => {
  it("sends four bands the API accepts, each ending one below the next", () => {
    const bands = bandsFrom({ A: 75, B: 55, C: 30 });
    expect(bands).toEqual({ A: { min: 75, max: 100 }, B: { min: 55, max: 74 }, C: { min: 30, max: 54 }, D: { min: 0, max: 29 } });
    expect(validateGradeBands(bands).ok).toBe(true);
    expect(validateGradeBands(bandsFrom({ A: 60, B: 60, C: 30 })).ok).toBe(false);
  });
});

describe("a refusal in words", () => {
  it("says what is missing when there are too few deals, with the counts", () => {
    const err = new ApiError(400, "a model needs at least 40 won and 40 lost deals created and closed in the last 24 months; there are 25 (15 more needed) won and 25 (15 more needed) lost", "invalid_request", "trainingWindowMonths", {
      problem: "not_enough_deals",
      window: { from: "2024-11-29T16:16:16.251Z", to: "2026-11-29T16:16:16.251Z", months: 24 },
      won: { have: 25, need: 40 },
      lost: { have: 41, need: 40 },
    });
    const refusal = refusalOf(err);
    expect(refusal.title).toBe("Not enough deals to train");
    expect(refusal.message).toMatch(/^A model needs at least 40 won/);
    expect(refusal.message.endsWith(".")).toBe(true);
    expect(refusal.facts).toEqual(["Won deals: 25 of the 40 needed (15 more)", "Lost deals: 41 of the 40 needed", "Training window: Nov 29, 2024 – Nov 29, 2026 (24 months)"]);
    expect(problemOf(err)).toBe("not_enough_deals");
  });

  it("lists the models a filter overlaps, and names an unknown refusal by its status", () => {
    const overlap = refusalOf(
      new ApiError(409, "the filter overlaps DemoScoring", "conflict", "filter", { problem: "filter_overlap_unconfirmed", overlaps: [{ model: "DemoScoring", reason: "no_filter" }] }),
    );
    expect(overlap.title).toBe("This model's filter overlaps another model's");
    expect(overlap.facts).toEqual(["Overlaps DemoScoring: one of the two has no filter, so both take every deal"]);
    expect(refusalOf(new ApiError(409, "busy", "conflict")).title).toBe("Not possible now");
    expect(refusalOf(new Error("x")).title).toBe("Something went wrong");
  });
});
