import type { QueueServiceClient } from "@azure/storage-queue";
import { z } from "zod";
import { names } from "../../config.js";
import { StoreUnavailableError } from "../../errors.js";
import { dealTrainingJobSchema, type DealTrainingQueue } from "../../ports/dealScoring.js";
import { ingestJobSchema, type IngestQueue } from "../../ports/ingest.js";
import { refreshJobSchema, type RefreshQueue } from "../../ports/refreshQueue.js";

// Storage queues: refresh jobs (one per partner), ingest jobs (drops the sweep found unfinished) and deal
// model training jobs (one per model version).
// The Functions queue trigger expects base64 text by default (host.json messageEncoding).

function sender<T>(queues: QueueServiceClient, queueName: string, schema: z.ZodType<T>) {
  const queue = queues.getQueueClient(queueName);
  return async (message: T, options: { delaySeconds?: number } = {}) => {
    const text = Buffer.from(JSON.stringify(schema.parse(message))).toString("base64");
    try {
      await queue.sendMessage(text, options.delaySeconds ? { visibilityTimeout: Math.ceil(options.delaySeconds) } : {});
    } catch (err) {
      throw new StoreUnavailableError(`queueing a message on ${queueName} failed`, { cause: err });
    }
  };
}

export function createRefreshQueue(queues: QueueServiceClient): RefreshQueue {
  return { enqueue: sender(queues, names.queues.refresh, refreshJobSchema) };
}

export function createIngestQueue(queues: QueueServiceClient): IngestQueue {
  return { enqueue: sender(queues, names.queues.ingest, ingestJobSchema) };
}

export function createDealTrainingQueue(queues: QueueServiceClient): DealTrainingQueue {
  return { enqueue: sender(queues, names.queues.dealTraining, dealTrainingJobSchema) };
}
