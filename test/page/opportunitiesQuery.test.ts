import { describe, expect, it } from "vitest";
import { opportunitiesListQuerySchema, repeatableParameters, sortFields } from "../../shared/api/opportunities.js";
import { maxSearchLength as apiMaxSearchLength } from "../../shared/api/common.js";
import { parseQuery } from "../../shared/api/validation.js";
import { categoryOfType, feedbackReasons, opportunityCategories, opportunityTypes, probabilityStatuses } from "../../shared/domain/opportunities/index.js";
import { toQueryString } from "../../web/src/app/api.js";
import {
  activeFilters,
  allTypes,
  defaultSort,
  exportQuery,
  feedbackReasonLabels,
  listQuery,
  maxSearchLength,
  naturalOrder,
  nextSort,
  noFilters,
  sortLabels,
  statuses,
  typesOf,
  withCategory,
} from "../../web/src/tabs/opportunities/query.js";

// The Opportunities table's state as the API's query string, read back by the API's own parser, and the page's
// lists (categories, types, statuses, reasons) against the domain's.

const parse = (qs: string) => parseQuery(opportunitiesListQuerySchema, new URLSearchParams(qs.slice(1)), repeatableParameters);

describe("the Opportunities table's query", () => {
  it("sends the category tab, every filter, the sort and the page size in the form the API validates", () => {
    const filters = { category: "growth" as const, type: "Upsell" as const, status: "High" as const, product: "Microsoft 365 E5", search: "  Contoso " };
    expect(parse(toQueryString(listQuery(filters, { column: "probability", order: "desc" }, 25)))).toMatchObject({
      category: "growth",
      type: ["Upsell"],
      status: ["High"],
      product: ["Microsoft 365 E5"],
      search: "contoso",
      sort: "probability",
      order: "desc",
      pageSize: 25,
    });
  });

  it("starts on All, newest first, and the export carries no paging", () => {
    expect(toQueryString(listQuery(noFilters, defaultSort, 50))).toBe("?sort=dateAdded&order=desc&pageSize=50");
    expect(toQueryString(exportQuery(noFilters, defaultSort))).toBe("?sort=dateAdded&order=desc");
    expect(parse(toQueryString(listQuery(noFilters, defaultSort, 50)))).toMatchObject({ sort: "dateAdded", order: "desc" });
  });

  it("offers the API's sorts, names and types A to Z, the rest largest first", () => {
    expect(Object.keys(sortLabels).sort()).toEqual(Object.keys(sortFields).sort());
    expect(naturalOrder("tenantName")).toBe("asc");
    expect(naturalOrder("seats")).toBe("desc");
    expect(nextSort(defaultSort, "dateAdded")).toEqual({ column: "dateAdded", order: "asc" });
    expect(maxSearchLength).toBe(apiMaxSearchLength);
  });

  it("keeps a type on a tab that has it and drops it on one that does not", () => {
    const upsells = { ...noFilters, type: "Upsell" as const, status: "High" as const };
    expect(withCategory(upsells, "growth")).toEqual({ ...upsells, category: "growth" });
    expect(withCategory(upsells, "retention")).toEqual({ ...upsells, category: "retention", type: undefined });
    expect(withCategory({ ...upsells, category: "growth" }, undefined)).toEqual({ ...upsells, category: undefined });
  });

  it("names the filters in force, the category being the tab", () => {
    const chips = activeFilters({ ...noFilters, category: "retention", status: "Medium", search: "fab" });
    expect(chips.map((c) => c.label)).toEqual(["Search: “fab”", "Probability: Medium"]);
    expect(chips[1].without.category).toBe("retention");
  });
});

describe("the page's lists", () => {
  it("are the domain's categories, types, statuses and feedback reasons", () => {
    expect(Object.keys(typesOf)).toEqual([...opportunityCategories]);
    for (const type of opportunityTypes) expect(typesOf[categoryOfType[type]]).toContain(type);
    expect(allTypes).toEqual([...opportunityTypes]);
    expect(statuses).toEqual([...probabilityStatuses]);
    expect(Object.keys(feedbackReasonLabels)).toEqual([...feedbackReasons]);
  });
});
