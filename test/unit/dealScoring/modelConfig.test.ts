import { describe, expect, it } from "vitest";
import {
  dealOutcome,
  defaultModelName,
  editModelConfig,
  findFilterOverlaps,
  MAX_MODELS_PER_PARTNER,
  orThrow,
  parseModelConfig,
  validateNewModel,
  type DealRow,
  type ModelConfig,
} from "../../../shared/domain/dealScoring/index.js";

const now = new Date("2026-09-18T14:10:59Z");
const columns = ["dealId", "status", "createdOn", "name", "stage", "closedOn", "estimatedValue", "estimatedCloseDate", "tenantId", "product", "owner", "Region", "Industry"];
const config = (input: object): ModelConfig => orThrow(parseModelConfig(input, now));
const context = (existing: ModelConfig[] = [], extra: object = {}) => ({ now, columns, existing, ...extra });

describe("model configuration", () => {
  it("defaults: name OpportunityScoring_YYYYMMDDHHmm in UTC, status Won/Lost, a two-year window, no per-stage modelling", () => {
    expect(defaultModelName(now)).toBe("OpportunityScoring_202609181410");
    const c = config({});
    expect(c).toMatchObject({ name: "OpportunityScoring_202609181410", statusColumn: "status", wonValues: ["Won"], lostValues: ["Lost"], trainingWindowMonths: 24, perStage: false });
  });

  it("refuses a name with spaces or other characters, naming the field", () => {
    for (const name of ["My model", "model-1", "modèle"]) {
      const out = validateNewModel({ name }, context());
      expect(out.ok).toBe(false);
      if (!out.ok) expect(out.error).toMatchObject({ code: "invalid_model_name", field: "name", kind: "invalid" });
    }
    expect(validateNewModel({ name: "Model_2" }, context()).ok).toBe(true);
  });

  it("refuses a training window outside 3 months to 2 years", () => {
    for (const trainingWindowMonths of [2, 25, 6.5]) {
      const out = validateNewModel({ trainingWindowMonths }, context());
      expect(out.ok).toBe(false);
      if (!out.ok) expect(out.error).toMatchObject({ code: "invalid_training_window", field: "trainingWindowMonths" });
    }
    expect(orThrow(validateNewModel({ trainingWindowMonths: 3 }, context())).config.trainingWindowMonths).toBe(3);
  });

  it("refuses a filter column or status column that the deals do not have", () => {
    const filter = validateNewModel({ filter: { column: "Country", values: ["FR"] } }, context());
    expect(filter.ok).toBe(false);
    if (!filter.ok) expect(filter.error).toMatchObject({ code: "unknown_filter_column", field: "filter.column" });
    const status = validateNewModel({ statusColumn: "Outcome" }, context());
    expect(status.ok).toBe(false);
    if (!status.ok) expect(status.error).toMatchObject({ code: "unknown_column", field: "statusColumn" });
    expect(validateNewModel({ filter: { column: "region", values: ["West"] } }, context()).ok).toBe(true);
  });

  it("refuses a value that is both won and lost, and attributes that do not exist", () => {
    const both = validateNewModel({ wonValues: ["Won"], lostValues: ["won"] }, context());
    if (!both.ok) expect(both.error).toMatchObject({ code: "won_lost_overlap", field: "lostValues" });
    expect(both.ok).toBe(false);
    const attr = validateNewModel({ ignoreEmpty: ["Budget"] }, context());
    if (!attr.ok) expect(attr.error).toMatchObject({ code: "unknown_attribute", field: "ignoreEmpty" });
    expect(attr.ok).toBe(false);
  });

  it("refuses an 11th model and a second model with the same name", () => {
    const ten = Array.from({ length: MAX_MODELS_PER_PARTNER }, (_, i) => config({ name: `M${i}`, filter: { column: "Region", values: [`R${i}`] } }));
    const eleventh = validateNewModel({ name: "M10", filter: { column: "Region", values: ["R10"] } }, context(ten));
    expect(eleventh.ok).toBe(false);
    if (!eleventh.ok) expect(eleventh.error).toMatchObject({ code: "model_limit_reached", kind: "conflict", details: { models: 10, limit: 10 } });
    const same = validateNewModel({ name: "m0", filter: { column: "Region", values: ["R99"] } }, context(ten.slice(0, 3)));
    if (!same.ok) expect(same.error).toMatchObject({ code: "duplicate_model_name", field: "name" });
    expect(same.ok).toBe(false);
  });

  it("lets an administrator narrow the inputs and ignore empty values later, checked against the columns", () => {
    const c = config({});
    expect(orThrow(editModelConfig(c, { attributes: ["Industry", "estimatedValue"], ignoreEmpty: ["Industry"] }, columns))).toMatchObject({
      attributes: ["Industry", "estimatedValue"],
      ignoreEmpty: ["Industry"],
    });
    expect(editModelConfig(c, { attributes: ["Budget"] }, columns).ok).toBe(false);
  });

  it("keeps the stage for per-stage models and the durations for standard ones", () => {
    const stage = validateNewModel({ attributes: ["stage", "Industry"] }, context());
    expect(stage.ok).toBe(false);
    if (!stage.ok) expect(stage.error).toMatchObject({ code: "invalid_model_config", field: "attributes" });
    expect(validateNewModel({ perStage: true, attributes: ["stage", "Industry"] }, context()).ok).toBe(true);
    expect(validateNewModel({ perStage: true, attributes: ["ageInDays"] }, context()).ok).toBe(false);
    expect(validateNewModel({ attributes: ["ageInDays"] }, context()).ok).toBe(true);
  });
});

describe("filter overlap", () => {
  const west = config({ name: "West", filter: { column: "Region", values: ["West", "North"] } });
  const deals: DealRow[] = [
    { dealId: "1", status: "Open", createdOn: "2026-01-01T00:00:00.000Z", product: "E5", attributes: { Region: { type: "text", value: "West" } } },
    { dealId: "2", status: "Open", createdOn: "2026-01-01T00:00:00.000Z", product: "E3", attributes: { Region: { type: "text", value: "East" } } },
  ];

  it("warns when the new model's filter shares values with an existing one, and creates it only when confirmed", () => {
    const input = { name: "North", filter: { column: "region", values: ["north"] } };
    const refused = validateNewModel(input, context([west]));
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error).toMatchObject({ code: "filter_overlap_unconfirmed", field: "filter" });
      expect(refused.error.details).toMatchObject({ code: "filter_overlap", overlaps: [{ model: "West", reason: "same_values", sharedValues: ["North"] }] });
    }
    const created = orThrow(validateNewModel(input, context([west], { confirmOverlap: true })));
    expect(created.config.name).toBe("North");
    expect(created.warning?.overlaps[0].model).toBe("West");
  });

  it("does not warn for disjoint values of the same column", () => {
    expect(findFilterOverlaps(config({ name: "East", filter: { column: "Region", values: ["East"] } }), [west])).toBeUndefined();
    expect(orThrow(validateNewModel({ name: "East", filter: { column: "Region", values: ["East"] } }, context([west]))).warning).toBeUndefined();
  });

  it("warns when either model has no filter: it scores every deal", () => {
    expect(findFilterOverlaps(config({ name: "All" }), [west])?.overlaps).toEqual([{ model: "West", reason: "no_filter" }]);
  });

  it("counts the deals two filters on different columns share when the deals are given", () => {
    const e5 = config({ name: "E5", filter: { column: "product", values: ["E5"] } });
    expect(findFilterOverlaps(e5, [west])?.overlaps).toEqual([{ model: "West", reason: "other_column" }]);
    expect(findFilterOverlaps(e5, [west], deals)?.overlaps).toEqual([{ model: "West", reason: "other_column", sharedDeals: 1 }]);
    const e3 = config({ name: "E3", filter: { column: "product", values: ["E3"] } });
    expect(findFilterOverlaps(e3, [west], deals)).toBeUndefined();
  });
});

describe("deal outcome", () => {
  it("reads won and lost case-insensitively from the configured status column; anything else is open", () => {
    const c = config({ statusColumn: "Stage", wonValues: ["Closed Won"], lostValues: ["Closed Lost", "Disqualified"] });
    const deal = (stage: string): DealRow => ({ dealId: "x", status: "whatever", createdOn: "2026-01-01T00:00:00.000Z", stage, attributes: {} });
    expect(dealOutcome(deal("closed won"), c)).toBe("won");
    expect(dealOutcome(deal("Disqualified"), c)).toBe("lost");
    expect(dealOutcome(deal("On hold"), c)).toBe("open");
  });
});
