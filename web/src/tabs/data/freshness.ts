import type { Ingestion, ResultsState } from "../../app/types.js";

// Whether the results have caught up with the drops, derived from what the page already reads:
// - a drop still being read (received, validating) is "ingesting";
// - a loaded drop that finished after the current results were computed (finishedAt > refreshedAt, or any
//   loaded drop while nothing was refreshed yet) is "refreshing": the load queued a refresh;
// - the answer's stale flag (refreshing newer data failed) is "failing", whatever else holds.
// Failed drops change no data and queue no refresh, so they never make the results wait.

export type Freshness =
  | { state: "upToDate" }
  | { state: "ingesting"; files: string[] }
  | { state: "refreshing"; since: string }
  | { state: "failing"; lastFailedAt?: string; reference?: string };

export function freshness(ingestions: readonly Pick<Ingestion, "status" | "fileName" | "receivedAt" | "finishedAt">[], results: ResultsState): Freshness {
  if (results.stale) return { state: "failing", lastFailedAt: results.refreshFailure?.lastFailedAt, reference: results.refreshFailure?.reference };
  const reading = ingestions.filter((i) => i.status === "received" || i.status === "validating");
  if (reading.length) return { state: "ingesting", files: reading.map((i) => i.fileName) };
  const loadedAt = ingestions
    .filter((i) => i.status === "loaded")
    .map((i) => i.finishedAt ?? i.receivedAt)
    .sort()
    .at(-1);
  if (loadedAt && (results.status === "notRefreshedYet" || !results.refreshedAt || Date.parse(loadedAt) > Date.parse(results.refreshedAt))) {
    return { state: "refreshing", since: loadedAt };
  }
  return { state: "upToDate" };
}

/** While the results are catching up the page looks again every few seconds. */
export const isCatchingUp = (f: Freshness) => f.state === "ingesting" || f.state === "refreshing";
