import type { QueueServiceClient } from "@azure/storage-queue";
import { z } from "zod";
import { names } from "../config.js";

// One message per partner to refresh. Queue-triggered instances refresh partners in parallel.

export const refreshJobSchema = z.object({
  partnerId: z.string().min(1),
  reason: z.enum(["drop", "schedule", "daily", "manual"]),
  requestedAt: z.string(),
});
export type RefreshJob = z.infer<typeof refreshJobSchema>;

export interface RefreshQueue {
  enqueue(job: RefreshJob): Promise<void>;
}

export function createRefreshQueue(queues: QueueServiceClient): RefreshQueue {
  const queue = queues.getQueueClient(names.queues.refresh);
  return {
    async enqueue(job) {
      // The Functions queue trigger expects base64 text by default (host.json messageEncoding).
      await queue.sendMessage(Buffer.from(JSON.stringify(refreshJobSchema.parse(job))).toString("base64"));
    },
  };
}
