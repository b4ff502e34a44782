import { describe, expect, it } from "vitest";
import { cloudEndpointsListQuerySchema } from "../../shared/api/cloudEndpoints.js";
import { toQueryString } from "../../web/src/app/api.js";
import { activeFilters, defaultSort, exportQuery, listQuery, nextSort, noFilters } from "../../web/src/tabs/cloudEndpoints/query.js";

// The Cloud Endpoints table's state as the API's query string: what the page sends is what the API accepts.

const parse = (qs: string) => {
  const params = Object.fromEntries(new URLSearchParams(qs.slice(1)));
  return cloudEndpointsListQuerySchema.parse({
    ...params,
    ...(params.salesMotion ? { salesMotion: params.salesMotion.split(",") } : {}),
    ...(params.segment ? { segment: params.segment.split(",") } : {}),
  });
};

describe("the Cloud Endpoints table's query", () => {
  it("sends every filter, the sort, the page size and the token in the form the API validates", () => {
    const filters = { salesMotion: "Land W365", segment: "SME&C", renewalFrom: "2026-01", renewalTo: "2026-06", incentiveEligible: "true" as const, search: "  Contoso " };
    const qs = toQueryString(listQuery(filters, { column: "w365Whitespace", order: "desc" }, true, 100, "token-1"));
    expect(qs).toContain("segment=SME%26C");
    expect(parse(qs)).toMatchObject({
      salesMotion: ["Land W365"],
      segment: ["SME&C"],
      renewalFrom: "2026-01",
      renewalTo: "2026-06",
      incentiveEligible: true,
      search: "contoso",
      sort: "w365Whitespace",
      order: "desc",
      columns: "all",
      pageSize: 100,
      continuationToken: "token-1",
    });
  });

  it("leaves out what is not set, and the export carries no paging", () => {
    expect(toQueryString(listQuery(noFilters, defaultSort, false, 50))).toBe("?sort=tenantName&order=asc&pageSize=50");
    expect(toQueryString(exportQuery(noFilters, defaultSort, false))).toBe("?sort=tenantName&order=asc");
  });

  it("sorts a new column in its natural order (numbers largest first) and reverses on a second click", () => {
    const byWhitespace = nextSort(defaultSort, "w365Whitespace");
    expect(byWhitespace).toEqual({ column: "w365Whitespace", order: "desc" });
    expect(nextSort(byWhitespace, "w365Whitespace")).toEqual({ column: "w365Whitespace", order: "asc" });
    expect(nextSort(byWhitespace, "customerName")).toEqual({ column: "customerName", order: "asc" });
  });

  it("names the filters in force, each removable on its own", () => {
    const filters = { ...noFilters, salesMotion: "Nurture Intune", renewalFrom: "2026-03", renewalTo: "2026-03", search: "fab" };
    const chips = activeFilters(filters);
    expect(chips.map((c) => c.label)).toEqual(["Search: “fab”", "Sales motion: Nurture Intune", "Renewal: Mar 2026"]);
    expect(chips[1].without).toEqual({ ...filters, salesMotion: undefined });
    expect(activeFilters(noFilters)).toEqual([]);
  });
});
