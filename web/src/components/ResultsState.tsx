import { formatAge, formatDateTime } from "../app/format.js";
import type { ResultsState } from "../app/types.js";

// What every results tab says about the set on screen: when it was refreshed, the data it is as of, and a
// warning when refreshing the newest drop failed (the results are then behind the data).

export function ResultsLine({ state }: { state?: ResultsState }) {
  if (!state?.refreshedAt) return null;
  return (
    <p class="results-line">
      Results refreshed <time dateTime={state.refreshedAt} title={formatDateTime(state.refreshedAt)}>{formatAge(state.refreshedAt)}</time>
      {state.asOf && Object.keys(state.asOf).length > 0 && (
        <> · data as of {Object.entries(state.asOf).map(([dataset, date]) => `${dataset} ${date}`).join(", ")}</>
      )}
    </p>
  );
}

export function StaleBanner({ state }: { state?: ResultsState }) {
  if (!state?.stale) return null;
  return (
    <p class="banner warning" role="status">
      These results are behind your data: refreshing your newest drop failed
      {state.refreshFailure ? ` (${formatDateTime(state.refreshFailure.lastFailedAt)}, reference ${state.refreshFailure.reference})` : ""}. The
      service keeps retrying on its own.
    </p>
  );
}
