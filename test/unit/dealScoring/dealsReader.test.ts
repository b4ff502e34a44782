import { describe, expect, it } from "vitest";
import { countClosedInWindow, readDealHistories } from "../../../shared/dealScoring/readDeals.js";
import { orThrow, parseModelConfig, type DealRow } from "../../../shared/domain/dealScoring/index.js";
import type { DealDoc } from "../../../shared/domain/documents.js";
import type { LiveSet } from "../../../shared/ingest/liveSet.js";
import type { DocumentCondition, PartnerDataReader } from "../../../shared/ports/partnerData.js";

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

/** What the store does with a condition (a document lacking the field fails in, gte and lte, passes notIn). */
function meets(doc: Record<string, unknown>, c: DocumentCondition): boolean {
  const v = doc[c.field] as string | number | undefined;
  if ("values" in c) return c.op === "in" ? v !== undefined && c.values.includes(v) : v === undefined || !c.values.includes(v);
  if (v === undefined) return false;
  return c.op === "gte" ? v >= c.value : v <= c.value;
}

function fakeReader(): { reader: PartnerDataReader; reads: { ingestions: readonly string[]; fields?: readonly string[]; where?: readonly DocumentCondition[] }[] } {
  const docs: DealDoc[] = Object.entries(snapshots).flatMap(([ingestionId, s]) =>
    s.rows.map((r) => ({ ...r, id: `deal:${ingestionId}:${r.dealId}`, partnerId: "p1", type: "deal" as const, ingestionId, asOf: s.asOf })),
  );
  const reads: { ingestions: readonly string[]; fields?: readonly string[]; where?: readonly DocumentCondition[] }[] = [];
  const select = (type: string, ingestionIds: readonly string[], where: readonly DocumentCondition[]) =>
    docs.filter((d) => d.type === type && ingestionIds.includes(d.ingestionId) && where.every((c) => meets(d, c)));
  const reader: PartnerDataReader = {
    loadedIngestions: async () => [],
    async *documents(_partnerId, type, ingestionIds, schema, fields, where = []) {
      reads.push({ ingestions: ingestionIds, ...(fields ? { fields } : {}), ...(where.length ? { where } : {}) });
      const page = select(type, ingestionIds, where)
        .map((d) => (fields ? Object.fromEntries(fields.filter((f) => f in d).map((f) => [f, d[f as keyof DealDoc]])) : d))
        .map((d) => schema.parse(d));
      yield page;
    },
    count: async (_partnerId, type, ingestionIds, where = []) => select(type, ingestionIds, where).length,
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
    expect(reads[0]).toEqual({ ingestions: ["ing-mar"] });
    const older = reads.slice(1);
    expect(older.flatMap((r) => r.ingestions).sort()).toEqual(["ing-feb", "ing-jan"]);
    for (const r of older) expect(r.fields).toEqual(["dealId", "status", "stage", "createdOn", "ingestionId"]);
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

  it("for scoring: leaves out deals every published model counts closed, in every snapshot", async () => {
    const { reader, reads } = fakeReader();
    const histories = await readDealHistories(reader, "p1", live, "current", { closedStatuses: ["Won", "Lost"] });
    expect(histories.map((h) => h.dealId).sort()).toEqual(["D-1", "D-4"]);
    expect(reads.every((r) => JSON.stringify(r.where) === JSON.stringify([{ field: "status", op: "notIn", values: ["Won", "Lost"] }]))).toBe(true);
  });

  it("counts a model's won and lost deals of the window in the store, never more than the data floor counts", async () => {
    const { reader } = fakeReader();
    const at = new Date("2026-04-02T00:00:00Z");
    expect(await countClosedInWindow(reader, "p1", live, orThrow(parseModelConfig({}, at)), at)).toEqual({ won: 0, lost: 0 });
    const monthly = { ...live, snapshots: { deals: [{ ingestionId: "ing-feb", asOf: "2026-03-01" }] } };
    expect(await countClosedInWindow(reader, "p1", monthly, orThrow(parseModelConfig({}, at)), at)).toEqual({ won: 1, lost: 0 });
    expect(await countClosedInWindow(reader, "p1", monthly, orThrow(parseModelConfig({ filter: { column: "Stage", values: ["Develop"] } }, at)), at)).toEqual({ won: 0, lost: 0 });
    // What the store cannot count: an attribute filter, another status column, per-stage models.
    expect(await countClosedInWindow(reader, "p1", monthly, orThrow(parseModelConfig({ filter: { column: "industry", values: ["Retail"] } }, at)), at)).toBeUndefined();
    expect(await countClosedInWindow(reader, "p1", monthly, orThrow(parseModelConfig({ statusColumn: "outcome" }, at)), at)).toBeUndefined();
    expect(await countClosedInWindow(reader, "p1", monthly, orThrow(parseModelConfig({ perStage: true }, at)), at)).toBeUndefined();
  });

  it("reads nothing when the partner has no deals drop", async () => {
    const { reader, reads } = fakeReader();
    expect(await readDealHistories(reader, "p1", { ...live, snapshots: {} }, "all")).toEqual([]);
    expect(reads).toEqual([]);
  });
});
