import { beforeAll, describe, expect, it } from "vitest";
import {
  demoDatasetChunks,
  demoSnapshotChunks,
  demoSnapshotDates,
  demoTenantEvents,
  generateDemoPartner,
  type DemoPartnerOptions,
} from "../../../local/demoData/index.js";
import {
  scoreOpportunities,
  trainOpportunityModels,
  type OpportunityModelSet,
  type TenantHistory,
} from "../../../shared/domain/opportunities/index.js";
import type { UsageByMonth } from "../../../shared/domain/opportunities/inputs.js";
import { strictlyValidRows } from "../../support/validatedRows.js";

// The demo partner `npm start` drops has a real history: 15 monthly subscription snapshots and 18 months of usage in
// which customers upgrade, cut seats, cancel, add Defender, roll out MFA and convert trials, each for a reason the
// data shows beforehand. Read through the ingest's own header matching and row validation, every machine-learning and
// tree model must get enough labels of both outcomes and rank the months it was validated on above chance.

const options: DemoPartnerOptions = { tenants: 400, months: 18, snapshots: 15, seed: 2024, asOfMonth: "2026-04" };
const now = new Date("2026-05-20T12:00:00Z");
const rowsOf = <D extends Parameters<typeof strictlyValidRows>[0]>(dataset: D, text: string) => strictlyValidRows(dataset, text, now);


/** The demo partner's files as the opportunity models read them: one history per tenant. */
async function demoHistories(): Promise<TenantHistory[]> {
  const histories = new Map<string, TenantHistory>();
  for (const t of await rowsOf("tenants", [...demoDatasetChunks("tenants", options)].join(""))) {
    histories.set(t.tenantId, { tenant: { tenantId: t.tenantId, tenantName: t.tenantName, segment: t.segment, industry: t.industry, employees: t.employees }, snapshots: [], usage: {} });
  }
  const dates = demoSnapshotDates(options);
  for (let k = dates.length - 1; k >= 0; k--) {
    const byTenant = new Map<string, TenantHistory["snapshots"][number]["items"]>();
    for (const s of await rowsOf("subscriptions", [...demoSnapshotChunks(k, options)].join(""))) {
      const { tenantId: _t, ...item } = s;
      byTenant.set(s.tenantId, [...(byTenant.get(s.tenantId) ?? []), item]);
    }
    for (const [tenantId, items] of byTenant) histories.get(tenantId)!.snapshots.push({ asOf: dates[k], items });
  }
  for (const u of await rowsOf("usage", [...demoDatasetChunks("usage", options)].join(""))) {
    const usage = histories.get(u.tenantId)!.usage as UsageByMonth;
    (usage[u.month] ??= {})[u.workload] = { assignedUsers: u.assignedUsers, activeUsers: u.activeUsers };
  }
  return [...histories.values()];
}

describe("the demo partner's history", () => {
  let histories: TenantHistory[];
  let set: OpportunityModelSet;

  beforeAll(async () => {
    histories = await demoHistories();
    set = trainOpportunityModels(histories, {}, now);
  }, 120_000);

  it("has 15 monthly snapshots, the newest dated the 1st of the month after the last usage month and equal to subscriptions.csv", () => {
    const dates = demoSnapshotDates(options);
    expect(dates).toHaveLength(15);
    expect(dates[0]).toBe("2025-03-01");
    expect(dates[14]).toBe("2026-05-01");
    expect([...demoSnapshotChunks(14, options)].join("")).toBe(generateDemoPartner(options).subscriptions);
    expect(set.history).toMatchObject({ snapshots: 15, from: "2025-03-01", to: "2026-05-01" });
  });

  it("leaves today's licences the same however long the history is, but for the SMB customers that cancelled in it", async () => {
    const linesOf = async (text: string) => {
      const out = new Map<string, string[]>();
      for (const s of await rowsOf("subscriptions", text)) out.set(s.tenantId, [...(out.get(s.tenantId) ?? []), JSON.stringify(s)]);
      return out;
    };
    const today = await linesOf(generateDemoPartner({ ...options, snapshots: 1 }).subscriptions);
    const withHistory = await linesOf(generateDemoPartner(options).subscriptions);
    const cancelled = new Set([...demoTenantEvents(options)].filter(([, events]) => events.some((e) => e.kind === "cancellation" && e.snapshot < 15)).map(([id]) => id));
    expect(cancelled.size).toBeGreaterThan(0);
    const segments = new Map((await rowsOf("tenants", [...demoDatasetChunks("tenants", options)].join(""))).map((t) => [t.tenantId, t.segment]));
    for (const [tenantId, lines] of today) {
      if (cancelled.has(tenantId)) {
        expect(withHistory.has(tenantId)).toBe(false);
        expect(segments.get(tenantId)).toBe("SMB");
      } else expect(withHistory.get(tenantId), tenantId).toEqual(lines);
    }
  });

  it("has customers that upgrade, cut seats, cancel, add Defender, roll out MFA and convert trials", () => {
    const counts = new Map<string, number>();
    for (const events of demoTenantEvents(options).values()) for (const e of events) if (e.snapshot < 15) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
    for (const kind of ["businessUpgrade", "enterpriseUpgrade", "seatReduction", "cancellation", "defenderForOffice", "defenderForBusiness", "mfaRollout", "trialConversion"]) {
      expect(counts.get(kind) ?? 0, kind).toBeGreaterThanOrEqual(kind === "cancellation" || kind === "trialConversion" ? 4 : 10);
    }
  });

  it("gives every machine-learning and tree model at least 40 examples of each outcome, and each ranks its validation months above chance", () => {
    for (const id of ["bSkuUpsell", "eSkuUpsell", "churnRisk", "mdoGrowth", "mfaEngagement", "mdbGrowth"]) {
      const m = set.models.find((x) => x.modelId === id)!;
      expect(m.basis, id).toBe(id.endsWith("Upsell") || id === "churnRisk" ? "ml" : "tree");
      expect(m.labels.positives, id).toBeGreaterThanOrEqual(40);
      expect(m.labels.negatives, id).toBeGreaterThanOrEqual(40);
      expect(m.validation?.method, id).toBe("time");
      expect(m.validation?.auc ?? 0, id).toBeGreaterThan(0.65);
      expect(m.notUseful, id).toBe(false);
    }
    for (const id of ["smbEngagement", "trials"]) {
      const rule = set.models.find((x) => x.modelId === id)!;
      expect(rule.rule!.levels.some((l) => l.firings > 0), id).toBe(true);
    }
  });

  it("lists High-probability opportunities of several types for today", () => {
    const { opportunities } = scoreOpportunities(set, histories, [], [], {}, now);
    const high = opportunities.filter((o) => o.status === "High");
    expect(high.length).toBeGreaterThanOrEqual(10);
    expect(new Set(high.map((o) => o.type)).size).toBeGreaterThanOrEqual(3);
  });
});
