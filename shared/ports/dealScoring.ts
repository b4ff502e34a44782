import { z } from "zod";
import type { DealScoringModel, ScorePoint } from "../domain/dealScoring/index.js";

// What deal scoring keeps besides the partner's data: the scoring models (one document each, in the partners
// container), each deal's score history (for the trend and the chart), and the queue of training jobs. Model
// artifacts go to the ModelStore (kind "deals"). Adapters: shared/adapters/cosmos/dealModels.ts,
// dealScoreHistory.ts, shared/adapters/storage/queues.ts.

export interface StoredDealModel {
  model: DealScoringModel;
  /** ETag as read: a replace succeeds only if nobody wrote since. */
  etag: string;
}

export interface DealModelStore {
  list(partnerId: string): Promise<StoredDealModel[]>;
  get(partnerId: string, modelId: string): Promise<StoredDealModel | undefined>;
  /** "exists" when a model with this id is already there. */
  create(partnerId: string, model: DealScoringModel): Promise<"created" | "exists">;
  /** ETag-conditional: "conflict" when someone wrote it since (or deleted it). */
  replace(partnerId: string, model: DealScoringModel, etag: string): Promise<StoredDealModel | "conflict">;
  remove(partnerId: string, modelId: string): Promise<void>;
  /** Every partner's models, a page at a time (the retraining timer's cross-partition read). */
  listAll(): AsyncIterable<{ partnerId: string; stored: StoredDealModel }[]>;
}

/** A deal's scores under one model, one point per UTC day (shared/domain/dealScoring/trend.ts). */
export interface DealScoreHistory {
  modelId: string;
  dealId: string;
  points: ScorePoint[];
}

export interface ScoreHistoryStore {
  /** The partner's score histories whose newest point is at or after `since` (all when absent), a page at a time. */
  list(partnerId: string, options?: { since?: string }): AsyncIterable<DealScoreHistory[]>;
  get(partnerId: string, modelId: string, dealId: string): Promise<DealScoreHistory | undefined>;
  /** Upserts whole histories. */
  write(partnerId: string, histories: readonly DealScoreHistory[]): Promise<void>;
  /** Removes every history of one model; returns how many went. */
  removeModel(partnerId: string, modelId: string): Promise<number>;
  /** Removes histories whose newest point is before `lastBefore`, or whose model is not in `models`; returns how many went. */
  removeStale(partnerId: string, options: { lastBefore: string; models: readonly string[] }): Promise<number>;
}

/** One training of one model version; queue-triggered instances train them (functions/dealScoring.ts). */
export const dealTrainingJobSchema = z.object({
  partnerId: z.string().min(1),
  modelId: z.string().min(1),
  version: z.number().int().min(1),
  requestedAt: z.string(),
});
export type DealTrainingJob = z.infer<typeof dealTrainingJobSchema>;

export interface DealTrainingQueue {
  enqueue(job: DealTrainingJob): Promise<void>;
}
