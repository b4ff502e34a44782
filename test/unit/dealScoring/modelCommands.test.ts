import { describe, expect, it } from "vitest";
import { createDealModel, describeModel, failStaleTraining, mutateModel, STALE_TRAINING_MS, type DealModelDeps } from "../../../shared/dealScoring/models.js";
import type { DealsReader } from "../../../shared/dealScoring/readDeals.js";
import { problemError } from "../../../shared/dealScoring/problems.js";
import { createModel, historiesFromRows, orThrow, parseModelConfig, problem, startTraining, type DealRow, type DealScoringModel } from "../../../shared/domain/dealScoring/index.js";
import { DomainError } from "../../../shared/errors.js";
import type { DealModelStore, StoredDealModel } from "../../../shared/ports/dealScoring.js";

// The administrator's commands around the domain's pure transitions: a change is written only if nobody wrote
// since (tried again on a lost race), a refusal writes nothing, and a training whose job was lost ends failed.

const now = new Date("2026-05-01T10:00:00Z");
const fresh = () => createModel({ modelId: "dm-1", config: orThrow(parseModelConfig({ name: "M" }, now)), now });

function memoryStore(initial: DealScoringModel, racesToLose = 0): DealModelStore & { writes: number } {
  let current: StoredDealModel = { model: initial, etag: "e0" };
  let version = 0;
  let lose = racesToLose;
  return {
    writes: 0,
    list: async () => [current],
    get: async (_p, id) => (id === current.model.modelId ? current : undefined),
    create: async () => "created",
    async replace(_p, model, etag) {
      if (lose > 0) {
        // Someone else wrote in between: the stored document moves on.
        lose--;
        current = { model: { ...current.model, retrainAutomatically: !current.model.retrainAutomatically }, etag: `e${++version}` };
        return "conflict";
      }
      if (etag !== current.etag) return "conflict";
      this.writes++;
      current = { model, etag: `e${++version}` };
      return current;
    },
    remove: async () => undefined,
    async *listAll() {
      yield [{ partnerId: "p1", stored: current }];
    },
  };
}

describe("changing a model", () => {
  it("applies the change to the model as stored now when another write won the race", async () => {
    const store = memoryStore(fresh(), 2);
    const seen: boolean[] = [];
    const { after } = await mutateModel({ models: store }, "p1", "dm-1", (m) => {
      seen.push(m.retrainAutomatically);
      return { ...m, gradeBands: { ...m.gradeBands } };
    });
    // Read three times: twice the race was lost, the third write landed on what the others wrote.
    expect(seen).toEqual([true, false, true]);
    expect(after.retrainAutomatically).toBe(true);
    expect(store.writes).toBe(1);
  });

  it("writes nothing when the domain refuses the change", async () => {
    const store = memoryStore(fresh());
    await expect(
      mutateModel({ models: store }, "p1", "dm-1", () => {
        throw problemError(problem("no_previous_version", "nothing to revert to", "version"));
      }),
    ).rejects.toMatchObject({ code: "conflict", field: "version", details: { problem: "no_previous_version" } });
    expect(store.writes).toBe(0);
  });

  it("answers 404 for a model the partner does not have", async () => {
    const err = await mutateModel({ models: memoryStore(fresh()) }, "p1", "dm-other", (m) => m).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: "not_found", field: "modelId" });
  });
});

describe("a training whose job was lost", () => {
  it("is recorded failed two hours after it was requested, so the model can train again", () => {
    const training = orThrow(startTraining(fresh(), { now, trigger: "manual" })).model;
    expect(failStaleTraining(training, new Date(now.getTime() + STALE_TRAINING_MS - 1000))).toBe(training);
    const failed = failStaleTraining(training, new Date(now.getTime() + STALE_TRAINING_MS));
    expect(failed.versions[0]).toMatchObject({ state: "failed", failure: { code: "training_failed" } });
    expect(describeModel(failed).state).toBe("failed");
    expect(describeModel(training).state).toBe("training");
    expect(describeModel(fresh()).state).toBe("new");
  });
});

describe("deal scoring problems as HTTP errors", () => {
  it("map invalid to 400, not found to 404 and conflicts to 409, with the field and the domain's code and details", () => {
    expect(problemError(problem("invalid_training_window", "too short", "trainingWindowMonths"))).toMatchObject({ code: "invalid_request", field: "trainingWindowMonths" });
    expect(problemError(problem("model_not_found", "no model", "modelId"))).toMatchObject({ code: "not_found" });
    expect(problemError(problem("not_enough_deals", "few", "trainingWindowMonths", { won: { have: 3, need: 40 } }))).toMatchObject({
      code: "invalid_request",
      details: { problem: "not_enough_deals", won: { have: 3, need: 40 } },
    });
  });
});

describe("creating a model checks its columns against the partner's deals", () => {
  const deal = (i: number, attributes: DealRow["attributes"] = {}): DealRow => ({ dealId: `D-${i}`, status: "Open", createdOn: "2026-04-01T00:00:00.000Z", attributes });
  // A sparse attribute: only deals after the first page have it.
  const all = [...Array.from({ length: 3 }, (_, i) => deal(i, { industry: { type: "text", value: "Retail" } })), deal(3, { segment: { type: "text", value: "SMB" } })];

  function deps(existing: DealScoringModel[] = []): DealModelDeps & { fullReads: number } {
    const reader: DealsReader & { fullReads: number } = {
      fullReads: 0,
      async histories() {
        this.fullReads++;
        return historiesFromRows(all, "2026-04-02T00:00:00.000Z");
      },
      newestRows: async (_p, limit) => ({ rows: all.slice(0, Math.min(limit, 3)), complete: false }),
      closedInWindow: async () => undefined,
    };
    const store = memoryStore(existing[0] ?? fresh());
    const out = {
      models: { ...store, list: async () => existing.map((model) => ({ model, etag: "e" })), create: async () => "created" as const },
      artifacts: { remove: async () => 0 },
      deals: reader,
      trainingQueue: { enqueue: async () => undefined },
      refreshQueue: { enqueue: async () => undefined },
      scoreHistory: { removeModel: async () => 0 },
      now: () => now,
      get fullReads() {
        return reader.fullReads;
      },
    };
    return out;
  }

  it("from a page of the newest snapshot when that shows every column it names", async () => {
    const d = deps();
    const { model } = await createDealModel(d, "p1", { config: { name: "Retail", filter: { column: "industry", values: ["Retail"] } } });
    expect(model.config.filter?.column).toBe("industry");
    expect(d.fullReads).toBe(0);
  });

  it("from every deal before refusing a column the page did not show (a sparse attribute)", async () => {
    const d = deps();
    const { model } = await createDealModel(d, "p1", { config: { name: "Smb", filter: { column: "segment", values: ["SMB"] } } });
    expect(model.config.filter?.column).toBe("segment");
    expect(d.fullReads).toBe(1);
    await expect(createDealModel(deps(), "p1", { config: { name: "Nope", filter: { column: "segmentation", values: ["SMB"] } } })).rejects.toMatchObject({
      code: "invalid_request",
      field: "filter.column",
    });
  });

  it("from every deal when filters on different columns must be counted for the overlap warning", async () => {
    const retail = createModel({ modelId: "dm-r", config: orThrow(parseModelConfig({ name: "Retail", filter: { column: "industry", values: ["Retail"] } }, now)), now });
    const d = deps([retail]);
    await expect(createDealModel(d, "p1", { config: { name: "Smb", filter: { column: "segment", values: ["SMB"] } } })).resolves.toBeDefined();
    expect(d.fullReads).toBe(1);
  });
});
