import { describe, expect, it } from "vitest";
import { propensityListQuerySchema, repeatableParameters, sortableColumns } from "../../shared/api/propensity.js";
import { maxSearchLength as apiMaxSearchLength } from "../../shared/api/common.js";
import { parseQuery } from "../../shared/api/validation.js";
import { clusters, defaultClusterMapping } from "../../shared/domain/propensity/index.js";
import { toQueryString } from "../../web/src/app/api.js";
import { defaultMapping, heatLevel } from "../../web/src/tabs/propensity/matrix.js";
import { activeFilters, cellInWords, defaultSort, exportQuery, listQuery, maxSearchLength, naturalOrder, nextSort, noFilters, sortLabels } from "../../web/src/tabs/propensity/query.js";

// The Propensity table's state as the API's query string, read back by the API's own parser: what the page
// sends is what the API accepts. And the heat map's shading and the default mapping the editor offers.

const parse = (qs: string) => parseQuery(propensityListQuerySchema, new URLSearchParams(qs.slice(1)), repeatableParameters);

describe("the Propensity table's query", () => {
  it("sends every filter, the sort and the page size in the form the API validates", () => {
    const filters = {
      cell: "B2" as const,
      cluster: "Evaluate" as const,
      customerType: "Prospect" as const,
      family: "Up-sell",
      fitBand: "Medium" as const,
      intentBand: "Very low" as const,
      subsegment: "Very Small",
      search: "  Fabrikam ",
    };
    expect(parse(toQueryString(listQuery(filters, { column: "whitespaceRevenue", order: "desc" }, 100)))).toMatchObject({
      cell: ["B2"],
      cluster: ["Evaluate"],
      customerType: ["Prospect"],
      family: ["Up-sell"],
      fitBand: ["Medium"],
      intentBand: ["Very low"],
      subsegment: ["Very Small"],
      search: "fabrikam",
      sort: "whitespaceRevenue",
      order: "desc",
      pageSize: 100,
    });
  });

  it("leaves out what is not set, starts in the matrix order, and the export carries no paging", () => {
    expect(toQueryString(listQuery(noFilters, defaultSort, 50))).toBe("?sort=priority&order=desc&pageSize=50");
    expect(toQueryString(exportQuery(noFilters, defaultSort))).toBe("?sort=priority&order=desc");
    expect(parse(toQueryString(listQuery(noFilters, defaultSort, 50)))).toMatchObject({ sort: "priority", order: "desc" });
  });

  it("offers every column the API sorts by, each in its natural order, reversing on a second click", () => {
    expect(Object.keys(sortLabels).sort()).toEqual([...sortableColumns].sort());
    expect(naturalOrder("tenantName")).toBe("asc");
    expect(naturalOrder("cell")).toBe("asc");
    expect(naturalOrder("fit")).toBe("desc");
    const byFit = nextSort(defaultSort, "fit");
    expect(byFit).toEqual({ column: "fit", order: "desc" });
    expect(nextSort(byFit, "fit")).toEqual({ column: "fit", order: "asc" });
  });

  it("limits the search as the API does", () => {
    expect(maxSearchLength).toBe(apiMaxSearchLength);
  });

  it("names the filters in force in words, each removable on its own", () => {
    const filters = { ...noFilters, cell: "A1" as const, family: "End of service", search: "contoso" };
    const chips = activeFilters(filters);
    expect(chips.map((c) => c.label)).toEqual(["Search: “contoso”", "Cell: A1 (high fit, high intent)", "Family: End of service"]);
    expect(chips[1].without).toEqual({ ...filters, cell: undefined });
    expect(chips[0].without.search).toBe("");
    expect(cellInWords("D4")).toBe("very low fit, very low intent");
    expect(activeFilters(noFilters)).toEqual([]);
  });
});

describe("the heat map and the cluster mapping editor", () => {
  it("shades an empty cell lightest and the fullest darkest, small cells still apart from empty ones", () => {
    expect(heatLevel(0, 141)).toBe(0);
    expect(heatLevel(1, 141)).toBe(1);
    expect(heatLevel(141, 141)).toBe(4);
    expect(heatLevel(19, 141)).toBe(2);
    expect(heatLevel(5, 0)).toBe(0);
  });

  it("offers the API's default mapping (row A Act now … D Educate)", () => {
    expect(defaultMapping(clusters)).toEqual(defaultClusterMapping);
  });
});
