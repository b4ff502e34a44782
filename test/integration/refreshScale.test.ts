import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncentivesDoc, SubscriptionsDoc, TenantDoc, UsageDoc } from "../../shared/domain/documents.js";
import { cloudEndpointsSummaryDocSchema, resultIds } from "../../shared/domain/results.js";
import { refreshPartner } from "../../shared/refresh/refreshPartner.js";
import { createRandom } from "../../shared/scoring/index.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";
import { seedCommittedDrop } from "../support/partnerDataSeed.js";

// Scale: a partner with thousands of tenants (12 months of usage for 8 workloads each) is read across many
// pages and refreshed completely, twice in a row. How fast is measured by `npm run bench`, not here.
// The suite runs 3,000 tenants; REFRESH_SCALE_TENANTS=20000 runs the benchmark's size. Data from a seeded PRNG.

const tenantCount = Number(process.env.REFRESH_SCALE_TENANTS ?? 3_000);
const partnerId = "scale-partner";
const asOf = "2024-06-01";

let env: TestEnvironment;
beforeAll(async () => {
  env = await startTestEnvironment();
});
afterAll(async () => {
  await env?.stop();
});

function* generateTenantDocs(count: number): Generator<object> {
  const rnd = createRandom(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const industries = ["Retail", "Manufacturing", "Healthcare", "Financial Services", "Education", "Hospitality", "Government"];
  const months = Array.from({ length: 12 }, (_, i) => new Date(Date.UTC(2023, 6 + i, 1)).toISOString().slice(0, 7));
  const workloads = ["Exchange", "SharePoint", "OneDrive", "Teams", "CoreApps", "Intune", "EntraID", "Windows365"];
  for (let i = 0; i < count; i++) {
    const tenantId = `${i.toString(16).padStart(8, "0")}-0000-4000-8000-${(i * 7919).toString(16).padStart(12, "0").slice(-12)}`;
    const segment = pick(["Enterprise", "Enterprise", "SME&C", "SME&C", "SMB"] as const);
    const size = segment === "Enterprise" ? int(200, 8000) : segment === "SME&C" ? int(30, 1500) : int(5, 200);
    const tenant: TenantDoc = {
      id: `tenant:ing-t:${tenantId}`, partnerId, type: "tenant", tenantId, asOf, ingestionId: "ing-t",
      tenantName: `Tenant ${i}`, domain: `tenant${i}.example.com`, countryRegion: pick(["US", "GB", "DE", "FR"]),
      segment, industry: pick(industries), tpid: String(100000 + i), customerName: `Customer ${i}`,
      cspAssociation: rnd() < 0.7, cspTier: "Tier1", cporAssociation: rnd() < 0.3, eaLicensingPartner: rnd() < 0.2,
      eaRenewal: `2025-${String(int(1, 12)).padStart(2, "0")}`, largestCspRenewal: `2024-${String(int(7, 12)).padStart(2, "0")}`,
      partnerCenterId: "123456", mciEligibleWorkloads: rnd() < 0.3 ? ["Windows365", "Intune"] : [],
    };
    yield tenant;
    const e3 = Math.round(size * rnd());
    for (const snap of ["2024-06-01", "2024-05-01", "2024-04-01"]) {
      yield {
        id: `subscriptions:ing-s-${snap}:${tenantId}`, partnerId, type: "subscriptions", tenantId, asOf: snap, ingestionId: `ing-s-${snap}`,
        items: [
          { sku: "SPE_E3", quantity: e3, paidUnits: e3, status: "Active" as const },
          { sku: "SPE_E5", quantity: size - e3, status: "Active" as const },
          { sku: "SPE_F1", quantity: rnd() < 0.4 ? int(10, 2000) : 0, status: "Active" as const },
          { sku: "ENTERPRISEPACK", quantity: int(0, 300), status: pick(["Active", "Trial", "Expired"] as const) },
          { sku: pick(["EMSPREMIUM", "AAD_PREMIUM", "INTUNE_A", "CPC_E_2C_8GB_128GB"]), quantity: int(1, 200), status: "Active" as const },
        ],
      } satisfies SubscriptionsDoc;
    }
    const usageMonths: UsageDoc["months"] = {};
    for (const month of months) {
      usageMonths[month] = {};
      for (const w of workloads) {
        const pau = w === "Windows365" ? (rnd() < 0.5 ? int(0, 600) : 0) : int(0, size);
        usageMonths[month][w] = { assignedUsers: pau, activeUsers: Math.round(pau * rnd() * 1.1) };
      }
    }
    // As ingest writes them: the latest month copied beside the history.
    const latest = { month: months[months.length - 1], workloads: usageMonths[months[months.length - 1]] };
    yield { id: `usage:ing-u:${tenantId}`, partnerId, type: "usage", tenantId, asOf, ingestionId: "ing-u", months: usageMonths, latest } satisfies UsageDoc;
    if (rnd() < 0.3) {
      yield {
        id: `incentives:ing-i:${tenantId}`, partnerId, type: "incentives", tenantId, asOf, ingestionId: "ing-i",
        engagements: [
          { engagement: "Cloud Endpoints Workshop", workloads: ["Windows365", "Intune"], potentialEarnings: int(1000, 10000) },
          { engagement: "Intune Accelerator", workloads: ["Intune"], potentialEarnings: int(500, 5000) },
        ],
      } satisfies IncentivesDoc;
    }
  }
}

async function seed(): Promise<void> {
  await env.clients.containers.partners.items.upsert({
    id: "partner", partnerId, type: "partner", name: "Scale Partner", dataVersion: "2024-06-01T10:00:00.000Z",
    datasets: Object.fromEntries(["tenants", "subscriptions", "usage", "incentives"].map((d) => [d, { asOf, ingestionId: `ing-${d}`, loadedAt: "2024-06-01T10:00:00Z" }])),
  });
  let batch: object[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const flush = async () => {
    const ops = batch.map((d) => ({ operationType: "Upsert" as const, resourceBody: d as never }));
    batch = [];
    const p = env.clients.containers.partnerData.items.bulk(ops).then((r) => {
      if (r.some((x) => x.statusCode >= 300)) throw new Error("seed failed");
    });
    inFlight.add(p);
    p.finally(() => inFlight.delete(p));
    if (inFlight.size >= 4) await Promise.race(inFlight);
  };
  for (const doc of generateTenantDocs(tenantCount)) {
    batch.push(doc);
    if (batch.length === 100) await flush();
  }
  if (batch.length) await flush();
  await Promise.all(inFlight);
  // The drops are committed: their records say loaded.
  const months = Array.from({ length: 12 }, (_, i) => new Date(Date.UTC(2023, 6 + i, 1)).toISOString().slice(0, 7));
  await seedCommittedDrop(env, partnerId, { ingestionId: "ing-t", dataset: "tenants", asOf, docs: [] });
  for (const snap of ["2024-06-01", "2024-05-01", "2024-04-01"]) {
    await seedCommittedDrop(env, partnerId, { ingestionId: `ing-s-${snap}`, dataset: "subscriptions", asOf: snap, docs: [] });
  }
  await seedCommittedDrop(env, partnerId, { ingestionId: "ing-u", dataset: "usage", asOf, docs: [], months });
  await seedCommittedDrop(env, partnerId, { ingestionId: "ing-i", dataset: "incentives", asOf, docs: [] });
}

describe("refresh at scale", () => {
  it(`refreshes a partner with ${tenantCount} tenants twice in a row, each time reading every tenant and writing a complete result set`, async () => {
    await seed();
    const deps = env.deps.refresh;
    const tabOf = async () => {
      const outcome = await refreshPartner(deps, partnerId);
      const tab = outcome.status === "refreshed" ? outcome.tabs.cloudEndpoints : undefined;
      if (tab?.status !== "published") throw new Error("not published");
      return { ...tab, tenants: tab.counts?.tenants };
    };

    const first = await tabOf();
    const second = await tabOf();
    expect(first.tenants).toBe(tenantCount);
    expect(second.tenants).toBe(tenantCount);
    expect(first.rows).toBeGreaterThan(tenantCount / 4);
    expect(second.rows).toBe(first.rows);

    const summary = cloudEndpointsSummaryDocSchema.parse(
      (await env.clients.containers.results.item(resultIds.summary("cloudEndpoints", second.resultSetId), partnerId).read()).resource,
    );
    expect(summary.kpis.tenants).toBe(second.rows);
    expect(Object.values(summary.kpis.salesMotions).reduce((a, b) => a + b, 0)).toBe(second.rows);
  }, 180_000);
});
