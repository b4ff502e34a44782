import { z } from "zod";

// One message per partner to refresh; queue-triggered instances refresh partners in parallel.

export const refreshReasons = ["drop", "schedule", "daily", "manual"] as const;

export const refreshJobSchema = z.object({
  partnerId: z.string().min(1),
  reason: z.enum(refreshReasons),
  requestedAt: z.string(),
});
export type RefreshJob = z.infer<typeof refreshJobSchema>;

export interface RefreshQueue {
  /** `delaySeconds`: the job becomes visible to the queue trigger only after that long. */
  enqueue(job: RefreshJob, options?: { delaySeconds?: number }): Promise<void>;
}
