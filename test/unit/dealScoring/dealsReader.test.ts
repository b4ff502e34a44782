import { describe, expect, it } from "vitest";
import { readDealHistories } from "../../../shared/dealScoring/readDeals.js";
import type { DealRow } from "../../../shared/domain/dealScoring/index.js";
import type { DealDoc } from "../../../shared/domain/documents.js";
import type { LiveSet } from "../../../shared/ingest/liveSet.js";
import type { PartnerDataReader } from "../../../shared/ports/partnerData.js";

// Reading a partner's deals as histories from the live snapshots: the newest snapshot whole, older ones by
// their state only when scoring; every deal with its newest row when training.

const row = (dealId: string, status: string, stage: string, extra: Partial<DealRow> = {}): DealRow => ({
  dealId,
  status,
  stage,
  createdOn: "2026-01-05T00:00:00.000Z",
  attributes: { industry: { type: "text", value: "Retail" } },
  ...extra,
});

const snapshots = {
  "ing-jan": { asOf: "2026-02-01", rows: [row("D-1", "Open", "Qualify"), row("D-2", "Open", "Develop"), row("D-3", "Open", "Propose")] },
  "ing-feb": { asOf: "2026-03-01", rows: [row("D-1", "Open", "Develop"), row("D-2", "Won", "Close", { closedOn: "2026-02-20T00:00:00.000Z" })] },
  "ing-mar": { asOf: "2026-04-01", rows: [row("D-1", "Open", "Propose", { owner: "ana" }), row("D-4", "Open", "Qualify", { createdOn: "2026-03-10T00:00:00.000Z" })] },
};

const live: LiveSet = {
  snapshots: { deals: [{ ingestionId: "ing-mar", asOf: "2026-04-01" }, { ingestionId: "ing-feb", asOf: "2026-03-01" }, { ingestionId: "ing-jan", asOf: "2026-02-01" }] },
  usageMonths: new Map(),
  usageDrops: [],
  superseded: [],
};

function fakeReader(): { reader: PartnerDataReader; reads: { ingestions: readonly string[]; fields?: readonly string[] }[] } {
  const docs: DealDoc[] = Object.entries(snapshots).flatMap(([ingestionId, s]) =>
    s.rows.map((r) => ({ ...r, id: `deal:${ingestionId}:${r.dealId}`, partnerId: "p1", type: "deal" as const, ingestionId, asOf: s.asOf })),
  );
  const reads: { ingestions: readonly string[]; fields?: readonly string[] }[] = [];
  const reader: PartnerDataReader = {
    loadedIngestions: async () => [],
    async *documents(_partnerId, type, ingestionIds, schema, fields) {
      reads.push({ ingestions: ingestionIds, ...(fields ? { fields } : {}) });
      const page = docs
        .filter((d) => d.type === type && ingestionIds.includes(d.ingestionId))
        .map((d) => (fields ? Object.fromEntries(fields.filter((f) => f in d).map((f) => [f, d[f as keyof DealDoc]])) : d))
        .map((d) => schema.parse(d));
      yield page;
    },
    documentsById: async () => [],
  };
  return { reader, reads };
}

describe("the deals a refresh reads", () => {
  it("for scoring: the newest snapshot's deals with their whole row, and only the state of older snapshots", async () => {
    const { reader, reads } = fakeReader();
    const histories = await readDealHistories(reader, "p1", live, "current");
    expect(histories.map((h) => h.dealId).sort()).toEqual(["D-1", "D-4"]);
    const d1 = histories.find((h) => h.dealId === "D-1")!;
    expect(d1.deal).toMatchObject({ owner: "ana", stage: "Propose", attributes: { industry: { value: "Retail" } } });
    expect(d1.runs.map((r) => [r.stage, r.from.slice(0, 10)])).toEqual([
      ["Qualify", "2026-02-01"],
      ["Develop", "2026-03-01"],
      ["Propose", "2026-04-01"],
    ]);
    // A deal created after the snapshot before the one that first shows it entered its stage when created.
    expect(histories.find((h) => h.dealId === "D-4")!.runs[0].since).toBe("2026-03-10T00:00:00.000Z");
    expect(reads).toEqual([{ ingestions: ["ing-mar"] }, { ingestions: ["ing-feb", "ing-jan"], fields: ["dealId", "status", "stage", "createdOn", "ingestionId"] }]);
  });

  it("for training: every deal of every live snapshot, with the row of the newest snapshot that had it", async () => {
    const { reader } = fakeReader();
    const histories = await readDealHistories(reader, "p1", live, "all");
    expect(histories.map((h) => h.dealId).sort()).toEqual(["D-1", "D-2", "D-3", "D-4"]);
    const won = histories.find((h) => h.dealId === "D-2")!;
    expect(won.deal).toMatchObject({ status: "Won", closedOn: "2026-02-20T00:00:00.000Z", attributes: { industry: { value: "Retail" } } });
    expect(won.runs.map((r) => r.status)).toEqual(["Open", "Won"]);
    expect(histories.find((h) => h.dealId === "D-3")!.deal.attributes.industry).toBeDefined();
  });

  it("reads nothing when the partner has no deals drop", async () => {
    const { reader, reads } = fakeReader();
    expect(await readDealHistories(reader, "p1", { ...live, snapshots: {} }, "all")).toEqual([]);
    expect(reads).toEqual([]);
  });
});
