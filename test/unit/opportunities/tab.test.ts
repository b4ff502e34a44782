import { describe, expect, it } from "vitest";
import {
  customerRowQuery,
  feedbackBodySchema,
  opportunitiesListQuerySchema,
  opportunitiesRowQuery,
  opportunityCsvFields,
  opportunityIdParamsSchema,
} from "../../../shared/api/opportunities.js";
import { dismissedFilter } from "../../../shared/api/opportunityReads.js";
import { catalogue, defaultOpportunitySettings, type FeedbackRecord, type Opportunity } from "../../../shared/domain/opportunities/index.js";
import {
  fromFeedbackDoc,
  fromOpportunityRow,
  newestKey,
  opportunityRowKey,
  previousOfRow,
  toFeedbackDoc,
  toOpportunityRow,
} from "../../../shared/domain/opportunities/stored.js";
import { csvFile } from "../../../shared/export/csv.js";
import { modelFingerprints } from "../../../shared/refresh/opportunities/modelLifecycle.js";

// The Opportunities tab's own pieces around the domain: what a row stores, how the list's parameters become a query,
// what feedback must say, when a model counts as changed, and the export's columns.

const tenantId = "0f8fad5b-d9cb-469f-a165-70867728950e";

function opportunity(overrides: Partial<Opportunity> = {}): Opportunity {
  return {
    id: `${tenantId}:Upsell`,
    tenantId,
    tenantName: "Contoso Retail",
    domain: "contoso.example.com",
    tpid: "123456",
    recommendation: "Upgrade 48 seats from Microsoft 365 Business Standard to Microsoft 365 Business Premium",
    probability: 0.7312,
    status: "High",
    category: "growth",
    type: "Upsell",
    product: "Microsoft 365 Business Premium",
    seats: 48,
    dateAdded: "2026-05-01",
    insights: ["98 % of paid seats assigned to users", "Core Apps used by 91 % of assigned users"],
    actions: [...catalogue.bSkuUpsell.actions],
    resources: catalogue.bSkuUpsell.resources.map((r) => ({ ...r })),
    basis: "ml",
    modelId: "bSkuUpsell",
    modelVersion: "bSkuUpsell.20260501T020000Z",
    ...overrides,
  };
}

const query = (qs: string) => opportunitiesListQuerySchema.parse(Object.fromEntries([...new URLSearchParams(qs)].map(([k, v]) => [k, ["type", "status", "product"].includes(k) ? v.split(",") : v])));

describe("stored opportunity rows", () => {
  it("give back the same opportunity, with its model's actions and resources, whatever the document's own id and type", () => {
    const o = opportunity();
    const row = toOpportunityRow(o, false);
    expect(row).not.toHaveProperty("actions");
    expect(row).not.toHaveProperty("id");
    expect(row.opportunityType).toBe("Upsell");
    // As the publisher stores it: the document's id and type overwrite nothing of the opportunity's.
    const doc = { ...row, id: `opportunities:rs1:${opportunityRowKey(o, false)}`, type: "row", partnerId: "p", tab: "opportunities", resultSetId: "rs1", searchText: "x" };
    expect(fromOpportunityRow(doc)).toEqual(o);
    expect(previousOfRow(doc)).toEqual({ tenantId, type: "Upsell", product: "Microsoft 365 Business Premium", dateAdded: "2026-05-01" });
  });

  it("keep a dismissed opportunity under its own key, so a listed one of the same type can sit beside it", () => {
    expect(opportunityRowKey(opportunity(), true)).toBe(`hidden:${tenantId}:Upsell`);
    expect(toOpportunityRow(opportunity(), true).hidden).toBe(true);
  });

  it("sort newest first by date added, then by probability, on one field", () => {
    const keys = [
      opportunity({ dateAdded: "2026-04-01", probability: 0.99 }),
      opportunity({ dateAdded: "2026-05-01", probability: 0.3 }),
      opportunity({ dateAdded: "2026-05-01", probability: 1 }),
    ].map(newestKey);
    expect([...keys].sort().reverse()).toEqual([keys[2], keys[1], keys[0]]);
  });
});

describe("list parameters", () => {
  it("never list dismissed rows, and turn the category tab, types, statuses, products and keyword into filters", () => {
    const q = opportunitiesRowQuery(query("category=growth&type=Upsell,Expansion&status=High&product=Microsoft 365 Business Premium&search=  Contoso "));
    expect(q.filters).toEqual([
      { field: "hidden", op: "eq", value: false },
      { field: "category", op: "eq", value: "growth" },
      { field: "opportunityType", op: "in", values: ["Upsell", "Expansion"] },
      { field: "status", op: "in", values: ["High"] },
      { field: "product", op: "in", values: ["Microsoft 365 Business Premium"] },
      { field: "searchText", op: "contains", value: "contoso" },
    ]);
    expect(q.sort).toEqual({ field: "newestKey", order: "desc", optional: false });
    expect(opportunitiesRowQuery(query("sort=tenantName")).sort).toMatchObject({ field: "tenantName", order: "asc" });
    expect(customerRowQuery(tenantId).filters).toContainEqual({ field: "hidden", op: "eq", value: false });
  });

  it("refuse an unknown category or sort and an oversized page, naming the parameter", () => {
    for (const [qs, field] of [["category=upsell", "category"], ["sort=date", "sort"], ["pageSize=501", "pageSize"]] as const) {
      const parsed = opportunitiesListQuerySchema.safeParse(Object.fromEntries(new URLSearchParams(qs)));
      expect(parsed.success, qs).toBe(false);
      expect(parsed.error!.issues[0].path[0]).toBe(field);
    }
  });
});

describe("feedback", () => {
  it("needs a reason when not helpful, a comment with reason other, and one of the four reasons", () => {
    expect(feedbackBodySchema.parse({ helpful: true })).toEqual({ helpful: true });
    expect(feedbackBodySchema.parse({ helpful: false, reason: "other", comment: " budget frozen " })).toEqual({ helpful: false, reason: "other", comment: "budget frozen" });
    const field = (body: unknown) => feedbackBodySchema.safeParse(body).error?.issues[0].path[0];
    expect(field({ helpful: false })).toBe("reason");
    expect(field({ helpful: false, reason: "tooExpensive" })).toBe("reason");
    expect(field({ helpful: false, reason: "other" })).toBe("comment");
    expect(feedbackBodySchema.safeParse({ helpful: true, extra: 1 }).success).toBe(false);
  });

  it("names an opportunity by its tenant and type, the tenant id lower-cased", () => {
    expect(opportunityIdParamsSchema.parse({ opportunityId: `${tenantId.toUpperCase()}:Retention` })).toEqual({ opportunityId: `${tenantId}:Retention` });
    expect(opportunityIdParamsSchema.safeParse({ opportunityId: `${tenantId}:Growth` }).success).toBe(false);
    expect(opportunityIdParamsSchema.safeParse({ opportunityId: "x:Upsell" }).success).toBe(false);
  });

  it("hides an opportunity the latest answer dismissed while its product and band stay the same", () => {
    const answer = (helpful: boolean, givenAt: string, status: FeedbackRecord["status"] = "High"): FeedbackRecord => ({
      opportunityId: `${tenantId}:Upsell`, tenantId, type: "Upsell", modelId: "bSkuUpsell", product: "Microsoft 365 Business Premium", status, helpful,
      ...(helpful ? {} : { reason: "wrongTiming" as const }), givenAt,
    });
    expect(dismissedFilter([answer(false, "2026-05-02T00:00:00Z")])(opportunity())).toBe(true);
    expect(dismissedFilter([answer(false, "2026-05-02T00:00:00Z")])(opportunity({ status: "Medium" }))).toBe(false);
    expect(dismissedFilter([answer(false, "2026-05-02T00:00:00Z")])(opportunity({ product: "Microsoft 365 E3" }))).toBe(false);
    expect(dismissedFilter([answer(false, "2026-05-02T00:00:00Z"), answer(true, "2026-05-03T00:00:00Z")])(opportunity())).toBe(false);
  });

  it("stores an answer with the opportunity's type apart from the document's kind", () => {
    const record: FeedbackRecord = { opportunityId: `${tenantId}:Trial`, tenantId, type: "Trial", modelId: "trials", status: "Low", helpful: true, givenAt: "2026-05-02T00:00:00Z" };
    const doc = toFeedbackDoc("contoso", "opportunityFeedback:1", record);
    expect(doc).toMatchObject({ type: "opportunityFeedback", opportunityType: "Trial" });
    expect(fromFeedbackDoc(doc)).toEqual(record);
  });
});

describe("when a model counts as changed", () => {
  const purchased = (modelId: FeedbackRecord["modelId"], reason: FeedbackRecord["reason"]): FeedbackRecord => ({
    opportunityId: `${tenantId}:Upsell`, tenantId, type: "Upsell", modelId, status: "High", helpful: false, reason, givenAt: "2026-05-02T00:00:00Z",
  });
  const base = { settings: defaultOpportunitySettings, feedback: [] as FeedbackRecord[], data: "drops-1" };

  it("retrains every model when the data or the settings change", () => {
    const before = modelFingerprints(base);
    const newData = modelFingerprints({ ...base, data: "drops-2" });
    const newBands = modelFingerprints({ ...base, settings: { ...defaultOpportunitySettings, bands: { high: 0.7, medium: 0.4 } } });
    for (const id of Object.keys(before) as (keyof typeof before)[]) {
      expect(newData[id]).not.toBe(before[id]);
      expect(newBands[id]).not.toBe(before[id]);
    }
  });

  it("retrains only the model an 'already purchased' answer was given on, and none for other answers", () => {
    const before = modelFingerprints(base);
    const bought = modelFingerprints({ ...base, feedback: [purchased("bSkuUpsell", "alreadyPurchased")] });
    const changed = (Object.keys(before) as (keyof typeof before)[]).filter((id) => bought[id] !== before[id]);
    expect(changed).toEqual(["bSkuUpsell"]);
    expect(modelFingerprints({ ...base, feedback: [purchased("bSkuUpsell", "wrongTiming")] })).toEqual(before);
    // Retention models learn nothing from "already purchased".
    expect(modelFingerprints({ ...base, feedback: [purchased("churnRisk", "alreadyPurchased")] })).toEqual(before);
  });
});

describe("CSV export", () => {
  it("starts with the Lighthouse columns and writes each opportunity Excel-safe", async () => {
    const fields = opportunityCsvFields((id) => `https://host/api/opportunities/customers/${id}`);
    expect(fields.slice(0, 12).map((f) => f.header)).toEqual([
      "Customer ID", "TPID", "Name", "Opportunity Type", "Customer Insight", "Suggested Actions", "Related Resources",
      "Probability", "Recommended Product", "Seats", "Date added", "Link",
    ]);
    let text = "";
    for await (const chunk of csvFile((async function* () { yield [opportunity({ tenantName: "=HYPERLINK(\"http://x\")" })]; })(), fields)) text += chunk;
    const line = text.split("\r\n")[1];
    // The TPID is text Excel would turn into a number: kept as text (shared/export/csv.ts).
    expect(line.startsWith(`${tenantId},"=""123456""","'=HYPERLINK(""http://x"")",Upsell,98 % of paid seats assigned to users; Core Apps used by 91 % of assigned users,`)).toBe(true);
    expect(line).toContain(`,High,Microsoft 365 Business Premium,48,2026-05-01,https://host/api/opportunities/customers/${tenantId},73.1%,growth,`);
  });
});
