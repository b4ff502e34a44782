import { useMemo, useState } from "preact/hooks";
import { describeError } from "../../app/api.js";
import type { TabProps } from "../../app/tabs.js";
import type { CloudEndpointsListResponse, CloudEndpointsSummaryResponse } from "../../app/types.js";
import { useApiGet } from "../../app/useApiGet.js";
import { usePagedList } from "../../app/usePagedList.js";
import { ExportButton } from "../../components/ExportButton.js";
import { Pager } from "../../components/Pager.js";
import { ResultsLine, StaleBanner } from "../../components/ResultsState.js";
import { Empty, ErrorMessage, ListStates, Loading } from "../../components/States.js";
import { columns } from "./columns.js";
import { FilterBar } from "./FilterBar.js";
import { Overview } from "./Overview.js";
import { defaultSort, exportQuery, listQuery, noFilters, type Filters, type Sort } from "./query.js";
import { ColumnPicker, RowsTable } from "./RowsTable.js";

// Cloud Endpoints (Windows 365): KPI tiles, the five charts, and the tenants table with filters, search,
// sort, paging (continuation tokens), hidden columns and the CSV export of the filtered view.

const hiddenColumns = columns.filter((c) => c.hidden);

export default function CloudEndpointsTab({ api }: TabProps) {
  const summary = useApiGet<CloudEndpointsSummaryResponse>(api, "/api/cloud-endpoints/summary");
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [sort, setSort] = useState<Sort>(defaultSort);
  const [pageSize, setPageSize] = useState(50);
  const [shownHidden, setShownHidden] = useState<ReadonlySet<string>>(new Set());

  const allColumns = shownHidden.size > 0;
  // Any change of the query (filters, sort, columns, page size) starts again from the first page.
  const query = useMemo(() => listQuery(filters, sort, allColumns, pageSize), [filters, sort, allColumns, pageSize]);
  const paged = usePagedList<CloudEndpointsListResponse>(api, "/api/cloud-endpoints", query);
  const list = paged.list;
  const visibleColumns = useMemo(() => columns.filter((c) => !c.hidden || shownHidden.has(c.key)), [shownHidden]);
  const rows = list.data?.items ?? [];

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
        <Overview summary={summary.data} filters={filters} onFilter={(patch) => setFilters({ ...filters, ...patch })} />
      )}

      <section class="table-section" aria-labelledby="table-title">
        <h2 id="table-title" class="section-title">
          Tenants
        </h2>
        <FilterBar filters={filters} onChange={setFilters} />
        <div class="table-toolbar">
          <ColumnPicker
            hidden={hiddenColumns}
            shown={shownHidden}
            onToggle={(key) => {
              const next = new Set(shownHidden);
              if (next.has(key)) next.delete(key);
              else next.add(key);
              setShownHidden(next);
            }}
          />
          <ExportButton api={api} path="/api/cloud-endpoints/export" query={exportQuery(filters, sort, allColumns)} />
        </div>
        <ListStates
          noun="tenants"
          paged={paged}
          notYet={{ title: "No tenants yet", text: "They appear after your first drop is loaded and refreshed." }}
          onClearFilters={() => setFilters(noFilters)}
        >
          <RowsTable rows={rows} columns={visibleColumns} sort={sort} busy={list.loading} onSort={setSort} />
        </ListStates>
        <Pager paged={paged} pageSize={pageSize} onPageSize={setPageSize} />
      </section>
    </section>
  );
}
