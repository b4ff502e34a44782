import { app, type InvocationContext, type Timer } from "@azure/functions";
import { createRefreshQueue, refreshJobSchema, type RefreshQueue } from "../shared/adapters/refreshQueue.js";
import { names } from "../shared/config.js";
import { createRefreshDeps } from "../shared/refresh/deps.js";
import {
  RefreshConflictError,
  refreshPartner,
  UnknownPartnerError,
  type RefreshDeps,
  type RefreshLogger,
} from "../shared/refresh/refreshPartner.js";
import { listPartnerRegistry, planRefreshJobs, type PartnerRegistryEntry } from "../shared/refresh/schedule.js";
import { fromServices } from "../shared/services.js";

// Refreshes: a timer enqueues one job per partner that needs one; queue-triggered instances refresh
// partners in parallel (one job = one partner), so the work scales out with the platform.

export interface ScheduleDeps {
  listPartners(): Promise<PartnerRegistryEntry[]>;
  queue: RefreshQueue;
  now?: () => Date;
}

export function makeScheduleRefreshesHandler(deps: ScheduleDeps) {
  return async (_timer: Timer, context: InvocationContext): Promise<void> => {
    try {
      const now = (deps.now ?? (() => new Date()))();
      const jobs = planRefreshJobs(await deps.listPartners(), now);
      for (const job of jobs) await deps.queue.enqueue(job);
      const daily = jobs.filter((j) => j.reason === "daily").length;
      context.log(`scheduleRefreshes: enqueued ${jobs.length} refresh job(s)${daily ? ` (${daily} daily)` : ""}`);
    } catch (err) {
      context.error(err);
      throw err;
    }
  };
}

export function makeRefreshPartnerHandler(deps: RefreshDeps) {
  return async (message: unknown, context: InvocationContext): Promise<void> => {
    const job = refreshJobSchema.safeParse(typeof message === "string" ? parseJson(message) : message);
    if (!job.success) {
      // Retrying cannot fix a malformed message: log it and let it go instead of cycling to the poison queue.
      context.warn(`refreshPartner: dropped an invalid refresh job: ${job.error.issues.map((i) => `${i.path.join(".") || "message"}: ${i.message}`).join("; ")}`);
      return;
    }
    const { partnerId, reason } = job.data;
    try {
      // Drop- and schedule-triggered jobs are skipped when another refresh already covered the data
      // (a backlog may hold several); daily and manual ones always run.
      const outcome = await oneAtATime(partnerId, async () => {
        try {
          return await refreshPartner({ ...deps, log: contextLogger(context) }, partnerId, {
            onlyIfChanged: reason === "drop" || reason === "schedule",
          });
        } catch (err) {
          // Recorded before the partner's next job here starts, so a success right after clears it.
          if (isRefreshFailure(err)) await recordFailure(deps, partnerId, context);
          throw err;
        }
      });
      if (outcome.status === "skipped") context.log(`refreshPartner: ${partnerId} skipped (${outcome.reason})`);
      // Lost the switch to a refresh that already covers this job's data: done, not a failure.
      if (outcome.status === "superseded") {
        context.log(`refreshPartner: ${partnerId} superseded by result set ${outcome.winnerResultSetId ?? "?"}`);
      }
    } catch (err) {
      if (err instanceof UnknownPartnerError) {
        context.warn(`refreshPartner: dropped a job for unknown partner ${partnerId}`);
        return;
      }
      // A conflict here means the winner had older data: the queue retries, and the retry recomputes on fresh data.
      context.error(err);
      throw err;
    }
  };
}

/**
 * A failing refresh, as opposed to an expected outcome the queue resolves by itself (a lost pointer race,
 * an unknown partner): the scheduler then backs off and the API tells the partner its results are stale.
 */
function isRefreshFailure(err: unknown): boolean {
  return !(err instanceof RefreshConflictError) && !(err instanceof UnknownPartnerError);
}

async function recordFailure(deps: RefreshDeps, partnerId: string, context: InvocationContext): Promise<void> {
  try {
    await deps.source.recordRefreshFailure(partnerId, { failedAt: new Date().toISOString(), reference: context.invocationId });
  } catch (err) {
    // The refresh's own error is what the queue must see; a missing record only means no backoff this time.
    context.warn(`refreshPartner: recording the failed refresh of ${partnerId} failed: ${err instanceof Error ? err.message : String(err)}`);
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

function contextLogger(context: InvocationContext): RefreshLogger {
  return { info: (m) => context.log(m), warn: (m) => context.warn(m) };
}

// ---- registration: deps built from settings on first invocation, so importing this file needs none

const lazyRefreshDeps = fromServices((services): RefreshDeps => createRefreshDeps(services));
const lazyScheduleDeps = fromServices(({ clients }): ScheduleDeps => ({
  listPartners: () => listPartnerRegistry(clients.containers.partners),
  queue: createRefreshQueue(clients.queues),
}));

app.timer("scheduleRefreshes", {
  schedule: "0 */5 * * * *",
  handler: (timer, context) => makeScheduleRefreshesHandler(lazyScheduleDeps())(timer, context),
});

app.storageQueue("refreshPartner", {
  queueName: names.queues.refresh,
  connection: names.storageConnection,
  handler: (message, context) => makeRefreshPartnerHandler(lazyRefreshDeps())(message, context),
});
