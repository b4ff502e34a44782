import type { PartnerRegistryEntry } from "../ports/partners.js";
import type { RefreshJob } from "../ports/refreshQueue.js";

// Which partners the timer asks to refresh (pure). Decision: every 5 minutes, each partner whose data
// changed since its last refresh (dataVersion newer than refreshedDataVersion); and in the first slot after
// 02:00 UTC every partner once (reason "daily"), so time-dependent results never go stale. Off-boarded
// partners are skipped. A partner whose refreshes keep failing is asked again only after a backoff
// (5 min × 2^(failures−1), at most 6 h) since its last failure; the daily slot still includes it, and drops
// still queue their refresh at once (that is ingest's, not the timer's).

export const dailyRefreshUtcHour = 2;
const timerPeriodMinutes = 5;
const firstRetryDelayMs = 5 * 60_000;
export const maxRetryDelayMs = 6 * 60 * 60_000;

/** How long the timer waits after the `count`-th failure in a row before asking again. */
export function refreshRetryDelayMs(count: number): number {
  // The exponent is bounded so a long run of failures cannot overflow to Infinity.
  const doublings = Math.min(Math.max(Math.floor(count), 1) - 1, 20);
  return Math.min(firstRetryDelayMs * 2 ** doublings, maxRetryDelayMs);
}

/** Whether the partner's last refresh failed too recently for the timer to ask again. */
export function isBackingOff(partner: Pick<PartnerRegistryEntry, "refreshFailure">, now: Date): boolean {
  const failure = partner.refreshFailure;
  if (!failure) return false;
  const failedAt = Date.parse(failure.lastFailedAt);
  // An unreadable time must not stop refreshes for good.
  if (Number.isNaN(failedAt)) return false;
  return now.getTime() < failedAt + refreshRetryDelayMs(failure.count);
}

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
    else if (hasUnrefreshedData(partner) && !isBackingOff(partner, now)) jobs.push({ partnerId: partner.partnerId, reason: "schedule", requestedAt });
  }
  return jobs;
}
