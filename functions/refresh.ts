import { app, type InvocationContext, type Timer } from "@azure/functions";
import { names } from "../shared/config.js";
import { safeLogger } from "../shared/logging.js";
import type { PartnerRegistry } from "../shared/ports/partners.js";
import { refreshJobSchema, type RefreshJob } from "../shared/ports/refreshQueue.js";
import { RefreshConflictError, refreshPartner, UnknownPartnerError, type RefreshDeps } from "../shared/refresh/refreshPartner.js";
import { planRefreshJobs } from "../shared/refresh/schedule.js";
import { deferWhileDropsPending, type RefreshSettleDeps } from "../shared/refresh/settle.js";
import { appDeps, type ScheduleDeps } from "../shared/wiring.js";

// Refreshes: a timer enqueues one job per partner that needs one; queue-triggered instances refresh partners in
// parallel (one job = one partner), so the work scales out with the platform.

export function makeScheduleRefreshesHandler(deps: ScheduleDeps & { now?: () => Date }) {
  return async (_timer: Timer, context: InvocationContext): Promise<void> => {
    const log = safeLogger(context);
    try {
      const now = (deps.now ?? (() => new Date()))();
      const jobs = planRefreshJobs(await deps.partners.listForSchedule(), now);
      for (const job of jobs) await deps.queue.enqueue(job);
      const daily = jobs.filter((j) => j.reason === "daily").length;
      log.info(`scheduleRefreshes: enqueued ${jobs.length} refresh job(s)${daily ? ` (${daily} daily)` : ""}`);
    } catch (err) {
      log.error(err);
      throw err;
    }
  };
}

export function makeRefreshPartnerHandler(
  deps: RefreshDeps & { failures: Pick<PartnerRegistry, "recordRefreshFailure">; settle?: RefreshSettleDeps; now?: () => Date },
) {
  return async (message: unknown, context: InvocationContext): Promise<void> => {
    const log = safeLogger(context);
    const job = refreshJobSchema.safeParse(typeof message === "string" ? parseJson(message) : message);
    if (!job.success) {
      // Retrying cannot fix a malformed message: log it and let it go instead of cycling to the poison queue.
      log.warn(`refreshPartner: dropped an invalid refresh job: ${job.error.issues.map((i) => `${i.path.join(".") || "message"}: ${i.message}`).join("; ")}`);
      return;
    }
    const { partnerId, reason } = job.data;
    if (deps.settle && (await waitsForItsBatch(deps.settle, job.data, (deps.now ?? (() => new Date()))(), log))) return;
    try {
      // Drop- and schedule-triggered jobs skip tabs whose results already cover the data (a backlog may hold
      // several); daily and manual ones always run.
      const outcome = await oneAtATime(partnerId, async () => {
        try {
          return await refreshPartner({ ...deps, log: { info: (m) => log.info(m), warn: (m) => log.warn(m) } }, partnerId, {
            onlyIfChanged: reason === "drop" || reason === "schedule",
          });
        } catch (err) {
          // Recorded before the partner's next job here starts, so a success right after clears it.
          if (isRefreshFailure(err)) await recordFailure(deps, partnerId, context);
          throw err;
        }
      });
      if (outcome.status === "skipped") log.info(`refreshPartner: ${partnerId} skipped (${outcome.reason})`);
    } catch (err) {
      if (err instanceof UnknownPartnerError) {
        log.warn(`refreshPartner: dropped a job for unknown partner ${partnerId}`);
        return;
      }
      // A conflict here means the winner had older data: the queue retries, and the retry recomputes on fresh data.
      log.error(err);
      throw err;
    }
  };
}

/** True when the job went back on the queue to wait for the partner's other drops still being ingested. */
async function waitsForItsBatch(settle: RefreshSettleDeps, job: RefreshJob, now: Date, log: ReturnType<typeof safeLogger>): Promise<boolean> {
  try {
    const decision = await deferWhileDropsPending(settle, job, now);
    if (decision.wait) log.info(`refreshPartner: ${job.partnerId} waits ${settle.recheckSeconds} s for ${decision.pending} drop(s) still being ingested`);
    return decision.wait;
  } catch (err) {
    // Not knowing what is pending never holds a refresh back: refresh now.
    log.warn(`refreshPartner: checking ${job.partnerId}'s pending drops failed, refreshing now: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}

/**
 * A failing refresh, as opposed to an expected outcome the queue resolves by itself (a lost pointer race, an
 * unknown partner): the scheduler then backs off and the API tells the partner its results are stale.
 */
function isRefreshFailure(err: unknown): boolean {
  return !(err instanceof RefreshConflictError) && !(err instanceof UnknownPartnerError);
}

async function recordFailure(deps: { failures: Pick<PartnerRegistry, "recordRefreshFailure"> }, partnerId: string, context: InvocationContext): Promise<void> {
  try {
    await deps.failures.recordRefreshFailure(partnerId, { lastFailedAt: new Date().toISOString(), reference: context.invocationId });
  } catch (err) {
    // The refresh's own error is what the queue must see; a missing record only means no backoff this time.
    safeLogger(context).warn(`refreshPartner: recording the failed refresh of ${partnerId} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

// Jobs for one partner in this instance run one after another: a drop of four files queues four jobs, and
// running them at once only races for the pointer (all but one work in vain) while holding memory each.
// Queued behind a refresh, a drop job usually finds its data covered and skips. Other instances are kept
// consistent by the pointer's conditional switch.
const partnerQueues = new Map<string, Promise<unknown>>();

async function oneAtATime<T>(partnerId: string, work: () => Promise<T>): Promise<T> {
  const previous = partnerQueues.get(partnerId) ?? Promise.resolve();
  const mine = previous.catch(() => undefined).then(work);
  partnerQueues.set(partnerId, mine);
  try {
    return await mine;
  } finally {
    if (partnerQueues.get(partnerId) === mine) partnerQueues.delete(partnerId);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// ---- registration: deps built from settings on first invocation, so importing this file needs none

app.timer("scheduleRefreshes", {
  schedule: "0 */5 * * * *",
  handler: (timer, context) => makeScheduleRefreshesHandler(appDeps().schedule)(timer, context),
});

app.storageQueue("refreshPartner", {
  queueName: names.queues.refresh,
  connection: names.storageConnection,
  handler: (message, context) =>
    makeRefreshPartnerHandler({ ...appDeps().refresh, failures: appDeps().partners, settle: appDeps().refreshSettle })(message, context),
});
