import { describe, expect, it } from "vitest";
import {
  addMonths,
  checkDataFloor,
  DATA_FLOOR,
  historiesFromRows,
  orThrow,
  parseModelConfig,
  selectTrainingDeals,
  type DealRow,
} from "../../../shared/domain/dealScoring/index.js";

const now = new Date("2026-06-01T00:00:00Z");
const DAY = 86_400_000;
const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY).toISOString();

let next = 0;
function deal(status: string, createdDaysAgo: number, cycleDays: number | undefined, extra: Partial<DealRow> = {}): DealRow {
  next++;
  return {
    dealId: `D${next}`,
    status,
    createdOn: at(createdDaysAgo),
    ...(cycleDays !== undefined ? { closedOn: at(createdDaysAgo - cycleDays) } : {}),
    attributes: {},
    ...extra,
  };
}
function many(count: number, make: (i: number) => DealRow): DealRow[] {
  return Array.from({ length: count }, (_, i) => make(i));
}
const config = (input: object = {}) => orThrow(parseModelConfig(input, now));

describe("data floor", () => {
  it("refuses a model below 40 won or 40 lost deals in the window, with the counts it has and needs", () => {
    const rows = [
      ...many(39, (i) => deal("Won", 100 + i, 30)),
      ...many(55, (i) => deal("Lost", 200 + i, 20)),
      // Created before the two-year window: not counted.
      ...many(12, () => deal("Won", 800, 30)),
    ];
    const out = checkDataFloor(selectTrainingDeals(historiesFromRows(rows, now.toISOString()), config(), now));
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.error).toMatchObject({
      code: "not_enough_deals",
      kind: "invalid",
      field: "trainingWindowMonths",
      details: { won: { have: 39, need: DATA_FLOOR.won }, lost: { have: 55, need: DATA_FLOOR.lost }, window: { months: 24, from: addMonths(now, -24).toISOString() } },
    });
    expect(out.error.message).toContain("39 (1 more needed) won and 55 lost");
  });

  it("counts only deals created and closed in the chosen window", () => {
    const rows = [...many(45, (i) => deal("Won", 30 + i, 10)), ...many(45, (i) => deal("Lost", 200 + i, 10))];
    const histories = historiesFromRows(rows, now.toISOString());
    expect(checkDataFloor(selectTrainingDeals(histories, config(), now)).ok).toBe(true);
    const sixMonths = checkDataFloor(selectTrainingDeals(histories, config({ trainingWindowMonths: 6 }), now));
    expect(sixMonths.ok).toBe(false);
    if (!sixMonths.ok) expect(sixMonths.error.details).toMatchObject({ won: { have: 45 }, lost: { have: 0 } });
  });

  it("accepts exactly 40 won and 40 lost", () => {
    const rows = [...many(40, (i) => deal("Won", 50 + i, 10)), ...many(40, (i) => deal("Lost", 50 + i, 10))];
    const out = checkDataFloor(selectTrainingDeals(historiesFromRows(rows, now.toISOString()), config(), now));
    expect(out.ok && [out.value.won, out.value.lost]).toEqual([40, 40]);
  });

  it("counts status values that are neither won nor lost as open and reports them; leaves out closed deals without a usable close date", () => {
    const noClose = deal("Won", 40, undefined);
    const backwards = deal("Lost", 40, 10, { closedOn: at(60) });
    const rows = [...many(3, () => deal("On hold", 20, undefined)), ...many(5, () => deal("Open", 20, undefined)), noClose, backwards, deal("won", 90, 10)];
    const { report, won, lost } = selectTrainingDeals(historiesFromRows(rows, now.toISOString()), config(), now);
    expect(report.otherStatusValues).toEqual([
      { value: "Open", deals: 5 },
      { value: "On hold", deals: 3 },
    ]);
    expect(report.open).toBe(8);
    expect(report.closedWithoutCloseDate).toEqual({ deals: 1, examples: [noClose.dealId] });
    expect(report.closedBeforeCreated).toEqual({ deals: 1, examples: [backwards.dealId] });
    expect([won, lost]).toEqual([1, 0]);
  });

  it("counts only the deals the model's filter selects", () => {
    const west = { attributes: { Region: { type: "text" as const, value: "West" } } };
    const rows = [...many(50, (i) => deal("Won", 50 + i, 10, west)), ...many(50, (i) => deal("Lost", 50 + i, 10)), ...many(50, (i) => deal("Lost", 50 + i, 10, west))];
    const selection = selectTrainingDeals(historiesFromRows(rows, now.toISOString()), config({ filter: { column: "region", values: ["west"] } }), now);
    expect([selection.won, selection.lost, selection.report.filteredOut]).toEqual([50, 50, 50]);
  });

  it("per-stage modelling needs 40 closed deals that reached the last stage, and says which stage that is", () => {
    // Deals reach Qualify, Develop and Close after 10, 30 and 60 days: Close is the last stage.
    const rows = [
      ...many(30, (i) => deal("Won", 100 + i, 60, { stage: "Close" })),
      ...many(10, (i) => deal("Won", 100 + i, 30, { stage: "Develop" })),
      ...many(25, (i) => deal("Lost", 100 + i, 10, { stage: "Qualify" })),
      ...many(25, (i) => deal("Lost", 100 + i, 30, { stage: "Develop" })),
    ];
    const histories = historiesFromRows(rows, now.toISOString());
    const selection = selectTrainingDeals(histories, config({ perStage: true }), now);
    expect(selection.stages).toEqual(["Qualify", "Develop", "Close"]);
    const out = checkDataFloor(selection);
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.error).toMatchObject({ code: "not_enough_deals", field: "perStage", details: { lastStage: { stage: "Close", have: 30, need: 40 } } });
    // The same deals without per-stage modelling meet the floor.
    expect(checkDataFloor(selectTrainingDeals(histories, config(), now)).ok).toBe(true);
    // An administrator's stage order decides the last stage.
    const configured = selectTrainingDeals(histories, config({ perStage: true, stages: ["Qualify", "Close", "Develop"] }), now);
    expect(configured.reachedLastStage).toBe(35);
  });
});
