import type { Container } from "@azure/cosmos";
import type { RefreshJob } from "../adapters/refreshQueue.js";
import { backoff, isRetryable } from "../adapters/resultStore.js";
import type { PartnerDoc } from "../domain/documents.js";

// Which partners the timer asks to refresh. Decision: every 5 minutes, each partner whose data
// changed since its last refresh (dataVersion newer than refreshedDataVersion); and in the first
// slot after 02:00 UTC every partner once (reason "daily"), so time-dependent results never go
// stale. Off-boarded partners are skipped.

export const dailyRefreshUtcHour = 2;
const timerPeriodMinutes = 5;

export type PartnerRegistryEntry = Pick<PartnerDoc, "partnerId" | "dataVersion" | "refreshedDataVersion" | "offboardedAt">;

/** True for the one 5-minute timer slot that starts at 02:00 UTC. */
export function isDailySlot(now: Date): boolean {
  return now.getUTCHours() === dailyRefreshUtcHour && now.getUTCMinutes() < timerPeriodMinutes;
}

export function hasUnrefreshedData(partner: PartnerRegistryEntry): boolean {
  if (partner.dataVersion === undefined) return false;
  return partner.refreshedDataVersion === undefined || partner.refreshedDataVersion < partner.dataVersion;
}

export function planRefreshJobs(partners: readonly PartnerRegistryEntry[], now: Date): RefreshJob[] {
  const daily = isDailySlot(now);
  const requestedAt = now.toISOString();
  const jobs: RefreshJob[] = [];
  for (const partner of partners) {
    if (partner.offboardedAt) continue;
    if (daily) jobs.push({ partnerId: partner.partnerId, reason: "daily", requestedAt });
    else if (hasUnrefreshedData(partner)) jobs.push({ partnerId: partner.partnerId, reason: "schedule", requestedAt });
  }
  return jobs;
}

/**
 * Every partner's registry entry. This is the one cross-partition query in the service: the scheduler
 * must see all partners, the registry holds one small document per partner, and only the fields the
 * plan needs are read.
 */
export async function listPartnerRegistry(partners: Container): Promise<PartnerRegistryEntry[]> {
  const iterator = partners.items.query<PartnerRegistryEntry>(
    {
      query:
        "SELECT c.partnerId, c.dataVersion, c.refreshedDataVersion, c.offboardedAt FROM c WHERE c.type = 'partner'",
    },
    { maxItemCount: 1000 },
  );
  const out: PartnerRegistryEntry[] = [];
  while (iterator.hasMoreResults()) {
    for (let attempt = 1; ; attempt++) {
      try {
        const { resources } = await iterator.fetchNext();
        out.push(...resources);
        break;
      } catch (err) {
        if (isRetryable(err) && attempt < 5) {
          await backoff(attempt);
          continue;
        }
        throw new Error("listing partners for the refresh schedule failed", { cause: err });
      }
    }
  }
  return out;
}
