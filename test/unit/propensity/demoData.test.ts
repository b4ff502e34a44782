import { describe, expect, it } from "vitest";
import { generateDemoPartner } from "../../../local/demoData/index.js";
import { clusters, families, scorePropensity, selectPropensityTenants, type TenantLicences } from "../../../shared/domain/propensity/index.js";
import { mergeSubscriptions, mergeTenant, mergeUsage } from "../../../shared/ingest/documents.js";
import { strictlyValidRows } from "../../support/validatedRows.js";

// The demo partner as `npm start` drops it, read the way ingest validates it and a refresh selects it, then
// scored: fit must be learned from real differences, and every cluster, family and intent band populated.

const options = { tenants: 400, seed: 2024, asOfMonth: "2025-05", asOfDay: "2025-06-10" };
const now = new Date("2025-06-12T08:00:00Z");
const rows = <D extends Parameters<typeof strictlyValidRows>[0]>(dataset: D, text: string) => strictlyValidRows(dataset, text, now);


function byTenant<R extends { tenantId: string }>(list: R[]): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const r of list) out.set(r.tenantId, [...(out.get(r.tenantId) ?? []), r]);
  return out;
}

async function scoredDemo() {
  const files = generateDemoPartner(options);
  const ctx = { partnerId: "contoso-demo", ingestionId: "demo", asOf: "2025-06-10" };
  const tenants = (await rows("tenants", files.tenants)).map((r) => mergeTenant(ctx, r.tenantId, undefined, [r]));
  const licences = new Map<string, TenantLicences>();
  for (const [id, list] of byTenant(await rows("subscriptions", files.subscriptions))) licences.set(id, { current: mergeSubscriptions(ctx, id, undefined, list).items });
  const usage = new Map<string, { month: string; workloads: Record<string, { assignedUsers: number; activeUsers: number }> }>();
  for (const [id, list] of byTenant(await rows("usage", files.usage))) {
    const latest = mergeUsage(ctx, id, undefined, list).latest;
    if (latest) usage.set(id, latest);
  }
  const signals = await rows("signals", files.signals);
  const installBase = await rows("installbase", files.installbase);
  const selection = selectPropensityTenants(tenants, licences, usage);
  const result = scorePropensity({ asOf: now.toISOString(), tenants: selection.inputs, signals, installBase, unlistedTenants: selection.unlisted });
  return { result, selection, signals };
}

describe("the demo partner's propensity", () => {
  const demo = scoredDemo();

  it("learns fit with the engine from the demo's customers, who differ in firmographics that matter", async () => {
    const { result } = await demo;
    expect(result.fit.basis).toBe("model");
    expect(result.fit.bestCustomers).toBeGreaterThanOrEqual(40);
    expect(result.fit.validationAuc).toBeGreaterThan(0.75);
  });

  it("populates every cluster, every fit and intent band, and every family", async () => {
    const { result } = await demo;
    for (const c of result.summary.clusters) expect(c.count, c.cluster).toBeGreaterThanOrEqual(5);
    expect(result.summary.clusters.map((c) => c.cluster)).toEqual([...clusters]);
    for (const b of result.summary.bands) {
      expect(b.fit, `fit ${b.band}`).toBeGreaterThan(0);
      expect(b.intent, `intent ${b.band}`).toBeGreaterThan(0);
    }
    for (const f of result.summary.families) expect(f.customers, f.family).toBeGreaterThanOrEqual(5);
    expect(result.summary.families.map((f) => f.family)).toEqual([...families]);
    expect(result.summary.cells.filter((c) => c.count > 0).length).toBeGreaterThanOrEqual(12);
  });

  it("lists prospects without licences, their subsegment worked out from employees and Azure revenue", async () => {
    const { result } = await demo;
    const prospects = result.customers.filter((c) => c.customerType === "Prospect");
    expect(prospects.length).toBeGreaterThanOrEqual(30);
    expect(new Set(prospects.filter((p) => p.smb).map((p) => p.subsegment))).toEqual(new Set(["Upper Medium", "Medium", "Very Small"]));
    expect(prospects.every((p) => p.fit !== undefined && p.products.some((x) => x.family === "Whitespace"))).toBe(true);
  });

  it("matches signals given by domain, and leaves out the tenants reached only as EA licensing partner", async () => {
    const { result, selection, signals } = await demo;
    expect(signals.some((s) => s.tenantId === undefined)).toBe(true);
    expect(result.intent.signals.matchedByDomain).toBeGreaterThan(20);
    expect(result.intent.signals.unmatchedDomain).toBe(0);
    expect(result.intent.signals.unknownTenant).toBe(0);
    expect(result.intent.unknownSignalTypes).toEqual([]);
    expect(selection.renewalOnly).toBeGreaterThan(0);
    expect(result.installBase.unknownProductRows).toBe(0);
  });

  it("has Act now customers to show (the curl npm start prints)", async () => {
    const { result } = await demo;
    const actNow = result.customers.filter((c) => c.cluster === "Act now");
    expect(actNow.some((c) => c.customerType === "Customer" && c.fitFactors.length > 0 && c.products.length > 0)).toBe(true);
  });
});
