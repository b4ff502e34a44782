import { useEffect, useMemo, useState } from "preact/hooks";
import { ApiError, describeError } from "../../app/api.js";
import type { TabProps } from "../../app/tabs.js";
import type { CloudEndpointsListResponse, CloudEndpointsSummaryResponse } from "../../app/types.js";
import { useApiGet } from "../../app/useApiGet.js";
import { ExportButton } from "../../components/ExportButton.js";
import { ResultsLine, StaleBanner } from "../../components/ResultsState.js";
import { Empty, ErrorMessage, Loading } from "../../components/States.js";
import { columns } from "./columns.js";
import { FilterBar } from "./FilterBar.js";
import { Overview } from "./Overview.js";
import { defaultSort, exportQuery, listQuery, noFilters, type Filters, type Sort } from "./query.js";
import { ColumnPicker, RowsTable } from "./RowsTable.js";

// Cloud Endpoints (Windows 365): KPI tiles, the five charts, and the tenants table with filters, search,
// sort, paging (continuation tokens), hidden columns and the CSV export of the filtered view.

const pageSizes = [25, 50, 100, 200];
const hiddenColumns = columns.filter((c) => c.hidden);

export default function CloudEndpointsTab({ api }: TabProps) {
  const summary = useApiGet<CloudEndpointsSummaryResponse>(api, "/api/cloud-endpoints/summary");
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [sort, setSort] = useState<Sort>(defaultSort);
  const [pageSize, setPageSize] = useState(50);
  const [shownHidden, setShownHidden] = useState<ReadonlySet<string>>(new Set());
  // The token that opens each page visited so far; the last one is the page on screen.
  const [pageTokens, setPageTokens] = useState<(string | undefined)[]>([undefined]);
  const [notice, setNotice] = useState<string>();

  const allColumns = shownHidden.size > 0;
  const query = useMemo(
    () => listQuery(filters, sort, allColumns, pageSize, pageTokens[pageTokens.length - 1]),
    [filters, sort, allColumns, pageSize, pageTokens],
  );
  const list = useApiGet<CloudEndpointsListResponse>(api, "/api/cloud-endpoints", query);
  const visibleColumns = useMemo(() => columns.filter((c) => !c.hidden || shownHidden.has(c.key)), [shownHidden]);

  const firstPage = () => setPageTokens([undefined]);
  const changeFilters = (next: Filters) => {
    setFilters(next);
    setNotice(undefined);
    firstPage();
  };

  // A token outlives its result set only briefly (two refreshes): start again from the first page.
  const tokenExpired = list.error instanceof ApiError && list.error.field === "continuationToken";
  useEffect(() => {
    if (!tokenExpired) return;
    setNotice("The results were refreshed while you were paging; this is the first page of the new results.");
    firstPage();
  }, [tokenExpired]);

  const page = pageTokens.length;
  const rows = list.data?.items ?? [];
  const firstRow = (page - 1) * pageSize + 1;

  return (
    <section class="tab" aria-labelledby="tab-title">
      <div class="tab-head">
        <h1 id="tab-title">Cloud Endpoints (Windows 365)</h1>
        <ResultsLine state={summary.data ?? list.data} />
      </div>
      <StaleBanner state={summary.data ?? list.data} />

      {summary.error !== undefined && !summary.data ? (
        <ErrorMessage message={`The figures could not be loaded: ${describeError(summary.error)}`} onRetry={summary.reload} />
      ) : !summary.data ? (
        <Loading label="Loading figures and charts…" />
      ) : summary.data.status === "notRefreshedYet" ? (
        <Empty title="No results yet">
          <p>
            Your data has not been refreshed yet. Drop your tenants, subscriptions and usage files (see the <a href="#/data">Data</a> tab);
            results appear here within seconds of a loaded drop.
          </p>
        </Empty>
      ) : (
        <Overview summary={summary.data} filters={filters} onFilter={(patch) => changeFilters({ ...filters, ...patch })} />
      )}

      <section class="table-section" aria-labelledby="table-title">
        <h2 id="table-title" class="section-title">
          Tenants
        </h2>
        <FilterBar filters={filters} onChange={changeFilters} />
        <div class="table-toolbar">
          <ColumnPicker
            hidden={hiddenColumns}
            shown={shownHidden}
            onToggle={(key) => {
              const next = new Set(shownHidden);
              if (next.has(key)) next.delete(key);
              else next.add(key);
              setShownHidden(next);
              firstPage();
            }}
          />
          <ExportButton api={api} path="/api/cloud-endpoints/export" query={exportQuery(filters, sort, allColumns)} />
        </div>
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        {list.error !== undefined && !tokenExpired ? (
          <ErrorMessage message={`The tenants could not be loaded: ${describeError(list.error)}`} onRetry={list.reload} />
        ) : !list.data ? (
          <Loading label="Loading tenants…" />
        ) : rows.length === 0 ? (
          list.data.status === "notRefreshedYet" ? (
            <Empty title="No tenants yet">
              <p>They appear after your first drop is loaded and refreshed.</p>
            </Empty>
          ) : (
            <Empty title="No tenants match these filters.">
              <button type="button" class="secondary small" onClick={() => changeFilters(noFilters)}>
                Clear filters
              </button>
            </Empty>
          )
        ) : (
          <RowsTable
            rows={rows}
            columns={visibleColumns}
            sort={sort}
            busy={list.loading}
            onSort={(next) => {
              setSort(next);
              firstPage();
            }}
          />
        )}
        <div class="pager">
          <p class="pager-status" aria-live="polite">
            {list.loading ? "Loading…" : rows.length ? `Page ${page} · rows ${firstRow}–${firstRow + rows.length - 1}` : ""}
          </p>
          <label class="inline">
            Rows per page{" "}
            <select
              value={pageSize}
              onChange={(e) => {
                setPageSize(Number(e.currentTarget.value));
                firstPage();
              }}
            >
              {pageSizes.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <button type="button" class="secondary small" disabled={page === 1 || list.loading} onClick={() => setPageTokens(pageTokens.slice(0, -1))}>
            Previous
          </button>
          <button
            type="button"
            class="secondary small"
            disabled={!list.data?.continuationToken || list.loading}
            onClick={() => setPageTokens([...pageTokens, list.data?.continuationToken])}
          >
            Next
          </button>
        </div>
      </section>
    </section>
  );
}
