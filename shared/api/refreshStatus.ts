import { z } from "zod";
import type { PartnerDoc } from "../domain/documents.js";
import type { ResultPointerDoc } from "../domain/results.js";

// Whether a tab's results lag behind the partner's data because refreshes fail: every tab's list and summary
// answer it the same way.

export const resultStatusSchema = z.enum(["ready", "notRefreshedYet"]).meta({
  description: "notRefreshedYet: the partner's data has not been refreshed yet; lists are empty and figures zero.",
});

export const refreshStatusShape = {
  stale: z.boolean().optional().meta({
    description:
      "true: your data is newer than these results and refreshing it has failed (see refreshFailure); the service " +
      "keeps retrying. false otherwise. Absent when the refresh status could not be read.",
  }),
  refreshFailure: z
    .object({
      lastFailedAt: z.string().meta({ description: "When the latest refresh attempt failed (ISO 8601, UTC)." }),
      reference: z.string().meta({ description: "Reference of the failed attempt, for support." }),
    })
    .optional()
    .meta({ description: "Present when stale is true." }),
};
export type RefreshStatus = { stale: boolean; refreshFailure?: { lastFailedAt: string; reference: string } };

/**
 * Stale when the partner's data is newer than what the current results were computed from and a refresh
 * failure is recorded. A data change still being refreshed normally is not stale, nor is a failure whose data a
 * later refresh covered.
 */
export function refreshStatus(
  partner: Pick<PartnerDoc, "dataVersion" | "refreshFailure"> | undefined,
  pointer: Pick<ResultPointerDoc, "dataVersion"> | undefined,
): RefreshStatus {
  const dataVersion = partner?.dataVersion;
  const newerData = dataVersion !== undefined && (pointer?.dataVersion === undefined || pointer.dataVersion < dataVersion);
  const failure = partner?.refreshFailure;
  if (!newerData || !failure) return { stale: false };
  return { stale: true, refreshFailure: { lastFailedAt: failure.lastFailedAt, reference: failure.reference } };
}
