import { useEffect, useMemo, useState } from "preact/hooks";
import { describeError } from "../../app/api.js";
import { formatAge, formatDateTime } from "../../app/format.js";
import type { TabProps } from "../../app/tabs.js";
import type { CloudEndpointsSummaryResponse, Ingestion, IngestionsPage } from "../../app/types.js";
import { useApiGet } from "../../app/useApiGet.js";
import { Empty, ErrorMessage, Loading } from "../../components/States.js";
import { freshness, isCatchingUp, type Freshness } from "./freshness.js";
import { IngestionsTable } from "./IngestionsTable.js";
import { Upload, type Uploaded } from "./Upload.js";

// Data: upload a drop, the recent ingestions with their errors, and whether the results have caught up.

const pageSize = 20;
/** How often the tab looks again: soon while results catch up, now and then otherwise (drops also arrive from elsewhere). */
const busyPollMs = 2000;
const idlePollMs = 10_000;

export default function DataTab({ api }: TabProps) {
  const newest = useApiGet<IngestionsPage>(api, "/api/ingestions", { pageSize });
  const results = useApiGet<CloudEndpointsSummaryResponse>(api, "/api/cloud-endpoints/summary");
  const [older, setOlder] = useState<{ items: Ingestion[]; token?: string; loading: boolean; error?: unknown }>({ items: [], loading: false });
  const [watching, setWatching] = useState<Uploaded>();

  const state = useMemo<Freshness | undefined>(
    () => (newest.data && results.data ? freshness(newest.data.items, results.data) : undefined),
    [newest.data, results.data],
  );
  const watched = watching && newest.data?.items.find((i) => samePath(i.blobPath, watching.blobPath));
  const watchDone = watched && (watched.status === "loaded" || watched.status === "failed");

  // Look again every few seconds while a drop is being read or the results are catching up.
  const busy = (state && isCatchingUp(state)) || (watching && !watchDone);
  useEffect(() => {
    if (newest.loading || results.loading) return;
    const timer = setTimeout(
      () => {
        newest.reload();
        results.reload();
      },
      busy ? busyPollMs : idlePollMs,
    );
    return () => clearTimeout(timer);
  }, [busy, newest.loading, results.loading, newest.data, results.data]);

  const loadOlder = async () => {
    const token = older.token ?? newest.data?.continuationToken;
    if (!token) return;
    setOlder({ ...older, loading: true, error: undefined });
    try {
      const page = await api.get<IngestionsPage>("/api/ingestions", { pageSize, continuationToken: token });
      setOlder({ items: [...older.items, ...page.items], token: page.continuationToken ?? "", loading: false });
    } catch (error) {
      setOlder({ ...older, loading: false, error });
    }
  };
  const items = dedupe([...(newest.data?.items ?? []), ...older.items]);
  const moreToken = older.token === undefined ? newest.data?.continuationToken : older.token || undefined;

  return (
    <section class="tab" aria-labelledby="tab-title">
      <div class="tab-head">
        <h1 id="tab-title">Data</h1>
      </div>
      {state && <FreshnessBanner state={state} refreshedAt={results.data?.refreshedAt} />}
      {results.error !== undefined && !results.data && (
        <ErrorMessage message={`Whether the results are up to date could not be read: ${describeError(results.error)}`} onRetry={results.reload} />
      )}

      <Upload api={api} onUploaded={(upload) => (setWatching(upload), newest.reload())} />
      {watching && (
        <p class="notice" role="status">
          {!watched
            ? `${watching.fileName} uploaded to ${watching.dataset}; waiting for its ingestion to start…`
            : watched.status === "loaded"
              ? `${watching.fileName}: loaded ${watched.counts.loaded} of ${watched.counts.rows} rows${watched.counts.rejected ? ` (${watched.counts.rejected} rejected, see below)` : ""}.`
              : watched.status === "failed"
                ? `${watching.fileName} was rejected: ${watched.reason ?? "see the row errors below"}.`
                : `${watching.fileName} is being ingested…`}
        </p>
      )}

      <section class="table-section" aria-labelledby="ingestions-title">
        <h2 id="ingestions-title" class="section-title">
          Recent ingestions
        </h2>
        {newest.error !== undefined && !newest.data ? (
          <ErrorMessage message={`The ingestions could not be loaded: ${describeError(newest.error)}`} onRetry={newest.reload} />
        ) : !newest.data ? (
          <Loading label="Loading ingestions…" />
        ) : items.length === 0 ? (
          <Empty title="No files dropped yet.">
            <p>Upload a drop above, or put CSV files into drops/&lt;your partner id&gt;/&lt;dataset&gt;/ in blob storage.</p>
          </Empty>
        ) : (
          <IngestionsTable items={items} />
        )}
        {older.error !== undefined && <ErrorMessage message={`Older ingestions could not be loaded: ${describeError(older.error)}`} onRetry={loadOlder} />}
        {moreToken && (
          <div class="pager">
            <button type="button" class="secondary small" onClick={loadOlder} disabled={older.loading}>
              {older.loading ? "Loading…" : "Show older ingestions"}
            </button>
          </div>
        )}
      </section>
    </section>
  );
}

function FreshnessBanner({ state, refreshedAt }: { state: Freshness; refreshedAt?: string }) {
  switch (state.state) {
    case "failing":
      return (
        <p class="banner warning" role="status">
          Refreshing your newest data failed{state.lastFailedAt ? ` (${formatDateTime(state.lastFailedAt)}, reference ${state.reference})` : ""}. The
          results show older data; the service keeps retrying.
        </p>
      );
    case "ingesting":
      return (
        <p class="banner busy" role="status">
          <span class="spinner" aria-hidden="true" />
          Reading {state.files.join(", ")}… the results are refreshed once it is loaded.
        </p>
      );
    case "refreshing":
      return (
        <p class="banner busy" role="status">
          <span class="spinner" aria-hidden="true" />
          Refreshing results: the drop loaded {formatAge(state.since)} is not in the results yet. This page updates by itself.
        </p>
      );
    case "upToDate":
      return (
        <p class="banner ok" role="status">
          Results are up to date with your drops{refreshedAt ? ` (refreshed ${formatAge(refreshedAt)})` : ""}.
        </p>
      );
  }
}

const samePath = (a: string, b: string) => a.replace(/^\/*(drops\/)?/, "") === b.replace(/^\/*(drops\/)?/, "");

function dedupe(items: Ingestion[]): Ingestion[] {
  const seen = new Set<string>();
  return items.filter((i) => !seen.has(i.id) && (seen.add(i.id), true));
}
