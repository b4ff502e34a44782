import type { Container, OperationInput } from "@azure/cosmos";
import { StoreUnavailableError } from "../../errors.js";

// The one retry policy of every Cosmos DB adapter. Transient failures (throttling, timeouts, the service
// briefly unavailable, a dropped connection) are retried with jittered backoff that honours the server's
// retry-after, within a time budget; when the budget runs out the failure becomes StoreUnavailableError
// (HTTP 503 with Retry-After). Anything else (404, 409, 412, a bad request) is the caller's to handle and is
// rethrown untouched.

/** Statuses worth another try: timeout, throttled, write-conflict retry, service unavailable, gone. */
const transientStatuses = new Set([408, 410, 429, 449, 503]);
const transientNetworkCodes = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "TimeoutError",
]);

export interface RetryBudget {
  /** Attempts in all (the first one included). */
  maxAttempts: number;
  /** Stop retrying once this much time has passed since the first attempt. */
  maxTotalMs: number;
}

/** Background work (ingest, refresh) can wait; an HTTP answer should not hang. */
export const backgroundBudget: RetryBudget = { maxAttempts: 10, maxTotalMs: 60_000 };
export const requestBudget: RetryBudget = { maxAttempts: 4, maxTotalMs: 8_000 };

/** The HTTP status of a Cosmos SDK error (its numeric `code` or `statusCode`), if any. */
export function statusOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown } | undefined;
  if (typeof e?.code === "number") return e.code;
  if (typeof e?.statusCode === "number") return e.statusCode;
  return undefined;
}

export function hasStatus(err: unknown, status: number): boolean {
  return statusOf(err) === status;
}

export function isTransient(err: unknown): boolean {
  const status = statusOf(err);
  if (status !== undefined) return transientStatuses.has(status);
  const e = err as { code?: unknown; name?: unknown; cause?: unknown } | undefined;
  if (typeof e?.code === "string" && transientNetworkCodes.has(e.code)) return true;
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return true;
  // fetch wraps socket errors: TypeError("fetch failed", { cause: { code: "ECONNRESET" } }).
  if (e?.cause && e.cause !== err) return isTransient(e.cause);
  return false;
}

function serverRetryAfterMs(err: unknown): number | undefined {
  const e = err as { retryAfterInMs?: unknown; headers?: Record<string, unknown> } | undefined;
  if (typeof e?.retryAfterInMs === "number" && e.retryAfterInMs >= 0) return e.retryAfterInMs;
  const header = e?.headers?.["x-ms-retry-after-ms"];
  const ms = typeof header === "string" ? Number(header) : typeof header === "number" ? header : NaN;
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** Jittered exponential backoff (50 ms doubling, at most 2 s), never shorter than what the server asked for. */
export function backoffMs(attempt: number, err?: unknown): number {
  const exponential = Math.min(2_000, 50 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
  return Math.max(exponential, serverRetryAfterMs(err) ?? 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs one Cosmos call, retrying transient failures within the budget. Exhausting the budget on a transient
 * failure throws StoreUnavailableError; any other error is rethrown as it came.
 */
export async function withCosmosRetry<T>(what: string, call: () => Promise<T>, budget: RetryBudget = backgroundBudget): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!isTransient(err)) throw err;
      const wait = backoffMs(attempt, err);
      if (attempt >= budget.maxAttempts || Date.now() - started + wait > budget.maxTotalMs) {
        throw new StoreUnavailableError(`${what}: the database is unavailable`, {
          cause: err,
          retryAfterSeconds: Math.max(1, Math.ceil((serverRetryAfterMs(err) ?? 2_000) / 1000)),
        });
      }
      await sleep(wait);
    }
  }
}

export interface BulkOutcome {
  /** Indexes (into the operations given) whose write lost a race: 404, 409 or 412, when `lostRace` allows it. */
  lost: number[];
}

/**
 * The SDK's bulk call rethrows a failed request as a plain Error("Bulk request errored with: …") without its
 * status, so whether it was throttling or a dropped connection cannot be told: it is retried like a transient
 * failure (a lasting fault still ends, once the budget is spent, as StoreUnavailableError).
 */
function isOpaqueBulkFailure(err: unknown): boolean {
  return err instanceof Error && statusOf(err) === undefined && err.message.startsWith("Bulk request errored with");
}

/** A bulk operation answered with a status that no retry fixes (a bad document, a missing permission). */
export class BulkWriteError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = "BulkWriteError";
  }
}

/**
 * Runs bulk operations, retrying the ones that failed transiently (a partial failure retries only those) and
 * the whole call when it fails transiently. `ok` statuses count as done, `lostRace` statuses are reported back;
 * any other status throws BulkWriteError.
 */
export async function bulkWithRetry(
  container: Container,
  operations: OperationInput[],
  what: string,
  statuses: { ok: ReadonlySet<number>; lostRace?: ReadonlySet<number> },
  budget: RetryBudget = backgroundBudget,
): Promise<BulkOutcome> {
  const started = Date.now();
  let pending = operations.map((operation, index) => ({ operation, index }));
  const lost: number[] = [];
  for (let attempt = 1; pending.length > 0; attempt++) {
    let results: number[];
    let lastTransient: unknown;
    try {
      const responses = await container.items.bulk(
        pending.map((p) => p.operation),
        { continueOnError: true },
      );
      results = responses.map((r) => r.statusCode);
    } catch (err) {
      if (!isTransient(err) && !isOpaqueBulkFailure(err)) throw err;
      results = pending.map(() => statusOf(err) ?? 503);
      lastTransient = err;
    }
    const again: typeof pending = [];
    results.forEach((status, i) => {
      const item = pending[i];
      if (statuses.ok.has(status)) return;
      if (statuses.lostRace?.has(status)) lost.push(item.index);
      else if (transientStatuses.has(status)) again.push(item);
      else throw new BulkWriteError(`${what}: an operation failed with status ${status}`, status);
    });
    if (again.length === 0) break;
    const wait = backoffMs(attempt, lastTransient);
    if (attempt >= budget.maxAttempts || Date.now() - started + wait > budget.maxTotalMs) {
      throw new StoreUnavailableError(`${what}: ${again.length} operation(s) still failing after ${attempt} attempts`, {
        cause: lastTransient,
      });
    }
    pending = again;
    await sleep(wait);
  }
  return { lost };
}

/** Runs `work` over `items` in chunks with at most `inFlight` chunks at once. */
export async function inChunks<T>(items: readonly T[], chunkSize: number, inFlight: number, work: (chunk: T[], offset: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const start = next;
      next += chunkSize;
      await work(items.slice(start, start + chunkSize), start);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, Math.ceil(items.length / chunkSize)) }, worker));
}
