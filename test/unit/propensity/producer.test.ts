import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { defaultPropensitySettings, propensitySettingsSchema, type CustomerPropensity } from "../../../shared/domain/propensity/index.js";
import type { LiveSet } from "../../../shared/ingest/liveSet.js";
import type { PartnerDataReader } from "../../../shared/ports/partnerData.js";
import { readSignals } from "../../../shared/refresh/partnerHistory.js";
import { earlierSnapshot, facetsOf, fitInputsKey, priorityOf } from "../../../shared/refresh/producers/propensity.js";

// The producer's own rules: which snapshot seat growth compares with, when the stored fit model still stands,
// the list's default order and filter tags, and how accumulated signals are read.

function live(snapshots: LiveSet["snapshots"]): LiveSet {
  return { snapshots, usageMonths: new Map(), usageDrops: [], superseded: [] };
}

describe("the earlier subscriptions snapshot", () => {
  it("is the newest one at least three months before the newest, else the oldest older one, else none", () => {
    const s = (asOf: string) => ({ ingestionId: asOf, asOf });
    expect(earlierSnapshot([s("2026-06-01")])).toBeUndefined();
    expect(earlierSnapshot([s("2026-06-01"), s("2026-05-01"), s("2026-03-01"), s("2026-02-01")])?.asOf).toBe("2026-03-01");
    expect(earlierSnapshot([s("2026-06-01"), s("2026-05-15"), s("2026-05-01")])?.asOf).toBe("2026-05-01");
  });
});

describe("the fit model's inputs", () => {
  const base = live({
    tenants: [{ ingestionId: "t1", asOf: "2026-06-01" }],
    subscriptions: [{ ingestionId: "s1", asOf: "2026-06-01" }],
    signals: [{ ingestionId: "g1", asOf: "2026-06-01" }],
  });

  it("stay the same for a signals or install-base drop, so the stored model is reused", () => {
    const more = live({ ...base.snapshots, signals: [{ ingestionId: "g2", asOf: "2026-06-10" }], installbase: [{ ingestionId: "i1", asOf: "2026-06-10" }] });
    expect(fitInputsKey(more, defaultPropensitySettings)).toBe(fitInputsKey(base, defaultPropensitySettings));
  });

  it("change with a tenants or subscriptions drop, or with the fit settings", () => {
    const key = fitInputsKey(base, defaultPropensitySettings);
    expect(fitInputsKey(live({ ...base.snapshots, tenants: [{ ingestionId: "t2", asOf: "2026-06-10" }] }), defaultPropensitySettings)).not.toBe(key);
    expect(fitInputsKey(live({ ...base.snapshots, subscriptions: [{ ingestionId: "s2", asOf: "2026-06-10" }, { ingestionId: "s1", asOf: "2026-06-01" }] }), defaultPropensitySettings)).not.toBe(key);
    expect(fitInputsKey(base, propensitySettingsSchema.parse({ fit: { bestCustomerShare: 0.2 } }))).not.toBe(key);
  });
});

describe("the list's default order and filter tags", () => {
  it("orders the matrix A1 first … D4, within a cell by fit then intent, tenants without a cell last", () => {
    const order = [
      { cell: "A1", fit: 80, intent: 76 },
      { cell: "A1", fit: 78, intent: 99 },
      { cell: "A2", fit: 99, intent: 60 },
      { cell: "B1", fit: 74, intent: 90 },
      { cell: "D4", fit: 0, intent: 0 },
      { intent: 95 },
      { intent: 10 },
    ] as const;
    const priorities = order.map((c) => priorityOf(c as Pick<CustomerPropensity, "cell" | "fit" | "intent">));
    expect([...priorities].sort((a, b) => b - a)).toEqual(priorities);
    expect(new Set(priorities).size).toBe(priorities.length);
  });

  it("tags families, products by name and part number, and firmographics in lower case", () => {
    const customer = {
      subsegment: "Upper Medium",
      industry: "Retail",
      countryRegion: "United Kingdom",
      products: [
        { family: "Whitespace", product: "Microsoft 365 Business Premium", sku: "SPB", reason: "" },
        { family: "Azure next logical workload", product: "Azure SQL", reason: "" },
      ],
    } as unknown as CustomerPropensity;
    expect(facetsOf(customer).sort()).toEqual(
      [
        "family:whitespace",
        "product:microsoft 365 business premium",
        "product:spb",
        "family:azure next logical workload",
        "product:azure sql",
        "subsegment:upper medium",
        "industry:retail",
        "country:united kingdom",
      ].sort(),
    );
  });
});

describe("reading accumulated signals", () => {
  const t1 = "0f8fad5b-d9cb-469f-a165-70867728950e";
  const doc = (ingestionId: string, asOf: string, signals: Record<string, unknown>[]) => ({
    id: `signals:${ingestionId}:0`,
    partnerId: "p1",
    type: "signals",
    ingestionId,
    asOf,
    block: 0,
    signals,
  });
  function reader(docs: Record<string, unknown>[]): PartnerDataReader {
    return {
      loadedIngestions: async () => [],
      async *documents<T>(_p: string, _t: string, ids: readonly string[], schema: z.ZodType<T>) {
        yield docs.filter((d) => ids.includes(d.ingestionId as string)).map((d) => schema.parse(d));
      },
      documentsById: async () => [],
      count: async (_p: string, _t: string, ids: readonly string[]) => docs.filter((d) => ids.includes(d.ingestionId as string)).length,
    };
  }
  const snapshots = live({
    signals: [
      { ingestionId: "june", asOf: "2026-06-01" },
      { ingestionId: "may", asOf: "2026-05-01" },
    ],
  });

  it("counts a signal repeated by a later drop once, with the newest drop's strength", async () => {
    const read = await readSignals(
      reader([
        doc("may", "2026-05-01", [{ tenantId: t1, signalType: "Demo request", observedOn: "2026-04-20", strength: 0.4, line: 2 }]),
        doc("june", "2026-06-01", [
          { tenantId: t1, signalType: "demo-request", observedOn: "2026-04-20T15:00:00Z", strength: 0.9, line: 2 },
          { tenantId: t1, signalType: "Funding", observedOn: "2026-05-20", line: 3 },
        ]),
      ]),
      "p1",
      snapshots,
      "2026-06-15",
    );
    expect(read).toMatchObject({ staged: 3, repeated: 1, pastHorizon: 0 });
    expect(read.signals).toHaveLength(2);
    expect(read.signals.find((s) => s.signalType !== "Funding")?.strength).toBe(0.9);
  });

  it("lets the later line win within one drop, and no longer counts signals past the horizon", async () => {
    const read = await readSignals(
      reader([
        doc("june", "2026-06-01", [
          { domain: "contoso.com", signalType: "Funding", observedOn: "2026-05-20", strength: 0.2, line: 9 },
          { domain: "contoso.com", signalType: "Funding", observedOn: "2026-05-20", strength: 0.7, line: 4 },
          { domain: "contoso.com", signalType: "Funding", observedOn: "2025-05-01", line: 5 },
        ]),
      ]),
      "p1",
      snapshots,
      "2026-06-15",
    );
    expect(read).toMatchObject({ staged: 3, repeated: 1, pastHorizon: 1 });
    expect(read.signals).toEqual([expect.objectContaining({ domain: "contoso.com", signalType: "Funding", observedOn: "2026-05-20", strength: 0.2 })]);
  });
});
