// Small measuring helpers for the benchmark: percentiles and a fixed-duration concurrent load.

/** Nearest-rank percentile of the samples (ms); undefined when there are none. */
export function percentile(samples: readonly number[], p: number): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export const round = (n: number | undefined, digits = 1): number | null =>
  n === undefined || !Number.isFinite(n) ? null : Math.round(n * 10 ** digits) / 10 ** digits;

export interface LoadResult {
  clients: number;
  durationMs: number;
  requests: number;
  errors: number;
  firstError?: string;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  requestsPerSecond: number | null;
}

/**
 * Runs `clients` loops that each call `request` back to back until `durationMs` has passed
 * (a request in flight at the end still completes and counts). A request that throws counts as an error.
 */
export async function runLoad(clients: number, durationMs: number, request: () => Promise<void>): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          await request();
          latencies.push(performance.now() - t0);
        } catch (err) {
          errors++;
          firstError ??= (err as Error).message;
        }
      }
    }),
  );
  const elapsed = performance.now() - start;
  return {
    clients,
    durationMs: Math.round(elapsed),
    requests: latencies.length,
    errors,
    ...(firstError ? { firstError } : {}),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies.length ? Math.max(...latencies) : undefined),
    requestsPerSecond: round(latencies.length / (elapsed / 1000)),
  };
}

/** Polls `check` every `intervalMs` until it returns a value, or throws after `timeoutMs` naming `what`. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, intervalMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ""}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export const mb = (bytes: number) => bytes / (1024 * 1024);
