import { describe, expect, it } from "vitest";
import { describeModel, failStaleTraining, mutateModel, STALE_TRAINING_MS } from "../../../shared/dealScoring/models.js";
import { problemError } from "../../../shared/dealScoring/problems.js";
import { createModel, orThrow, parseModelConfig, problem, startTraining, type DealScoringModel } from "../../../shared/domain/dealScoring/index.js";
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
