import { describe, expect, it } from "vitest";
import {
  closedMoment,
  describeDeal,
  engineTable,
  featureSpecFor,
  fitImputation,
  historiesFromRows,
  openMoment,
  orThrow,
  parseModelConfig,
  stageMoments,
  type DealRow,
} from "../../../shared/domain/dealScoring/index.js";

const now = new Date("2026-06-01T00:00:00Z");
const deal: DealRow = {
  dealId: "D-1",
  status: "Won",
  createdOn: "2026-01-01T00:00:00.000Z",
  closedOn: "2026-03-01T00:00:00.000Z",
  stage: "Propose",
  estimatedValue: 5000,
  estimatedCloseDate: "2026-02-15T00:00:00.000Z",
  product: "E5",
  attributes: {
    Industry: { type: "text", value: "Retail" },
    Seats: { type: "number", value: 40 },
    LastMeeting: { type: "date", value: "2026-01-20T00:00:00.000Z" },
  },
};
const [history] = historiesFromRows([deal], now.toISOString());
const config = (input: object = {}) => orThrow(parseModelConfig(input, now));

describe("model inputs", () => {
  it("never uses raw dates: a date attribute becomes days before the moment, creation and close become durations", () => {
    const spec = featureSpecFor(config(), [deal]);
    const keys = spec.inputs.map((i) => i.key);
    expect(keys).toEqual(["estimatedValue", "product", "owner", "ageInDays", "daysToEstimatedClose", "daysSinceStageChange", "Industry", "LastMeeting", "Seats"]);
    expect(spec.inputs.find((i) => i.key === "LastMeeting")).toMatchObject({ kind: "date", label: "LastMeeting (days ago)" });
    for (const raw of ["createdOn", "closedOn", "estimatedCloseDate", "dealId", "name", "tenantId", "status"]) expect(keys).not.toContain(raw);
  });

  it("describes an open deal as of now", () => {
    const spec = featureSpecFor(config(), [deal]);
    const open = { ...history, deal: { ...deal, status: "Open", closedOn: undefined } };
    const values = Object.fromEntries(spec.inputs.map((input, i) => [input.key, describeDeal(openMoment(open, "2026-01-31T00:00:00.000Z"), spec)[i]]));
    expect(values).toMatchObject({ ageInDays: 30, daysToEstimatedClose: 15, LastMeeting: 11, Seats: 40, Industry: "Retail", daysSinceStageChange: null });
  });

  it("sees a closed deal at a moment of its open life, the same for a seed, another for another seed", () => {
    const a = closedMoment(history, 42);
    expect(a.asOf >= deal.createdOn && a.asOf <= deal.closedOn!).toBe(true);
    expect(closedMoment(history, 42).asOf).toBe(a.asOf);
    const others = new Set([1, 2, 3, 4, 5].map((seed) => closedMoment(history, seed).asOf));
    expect(others.size).toBeGreaterThan(1);
    const spec = featureSpecFor(config(), [deal]);
    const age = describeDeal(a, spec)[spec.inputs.findIndex((i) => i.key === "ageInDays")] as number;
    expect(age).toBe(Math.floor((Date.parse(a.asOf) - Date.parse(deal.createdOn)) / 86_400_000));
  });

  it("uses the stage only in per-stage models, which learn from every stage up to the one the deal closed in", () => {
    expect(featureSpecFor(config(), [deal]).inputs.some((i) => i.key === "stage")).toBe(false);
    const perStage = featureSpecFor(config({ perStage: true }), [deal]);
    expect(perStage.inputs.map((i) => i.key)).toEqual(["stage", "estimatedValue", "product", "owner", "Industry", "Seats"]);
    expect(stageMoments(history, ["Qualify", "Develop", "Propose", "Close"]).map((m) => m.stage)).toEqual(["Qualify", "Develop", "Propose"]);
  });

  it("fills an ignored empty value with the training median (numbers) or most frequent value (text)", () => {
    const spec = featureSpecFor(config({ ignoreEmpty: ["Seats", "Industry"] }), [deal]);
    const seats = spec.inputs.findIndex((i) => i.key === "Seats");
    const industry = spec.inputs.findIndex((i) => i.key === "Industry");
    const rows = [10, 20, 40, null].map((v, k) => {
      const r = new Array<number | string | null>(spec.inputs.length).fill(null);
      r[seats] = v;
      r[industry] = k < 3 ? (k === 0 ? "Health" : "Retail") : null;
      return r;
    });
    const fitted = fitImputation(spec, rows);
    expect(fitted.inputs[seats].impute).toBe(20);
    expect(fitted.inputs[industry].impute).toBe("Retail");
    const table = engineTable(fitted, rows);
    expect(table.cells[seats][3]).toBe(20);
    expect(table.cells[industry][3]).toBe("Retail");
  });
});
