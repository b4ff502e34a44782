import { useEffect, useMemo, useState } from "preact/hooks";
import { describeError } from "../../app/api.js";
import type { TabProps } from "../../app/tabs.js";
import type { ClusterMapping, PropensityListResponse, PropensityRow, PropensitySortColumn, PropensitySummaryResponse } from "../../app/types.js";
import { useApiGet } from "../../app/useApiGet.js";
import { usePagedList } from "../../app/usePagedList.js";
import { ExportButton } from "../../components/ExportButton.js";
import { Pager } from "../../components/Pager.js";
import { ResultsLine, StaleBanner } from "../../components/ResultsState.js";
import { SortSelect } from "../../components/SortHeader.js";
import { Empty, ErrorMessage, ListStates, Loading } from "../../components/States.js";
import { ClusterMappingEditor } from "./ClusterMappingEditor.js";
import { CustomerFlyout } from "./CustomerFlyout.js";
import { CustomersTable } from "./CustomersTable.js";
import { Dashboard } from "./Dashboard.js";
import { FilterBar } from "./FilterBar.js";
import { defaultSort, exportQuery, listQuery, naturalOrder, nextSort, noFilters, sortLabels, type Filters, type Sort } from "./query.js";

// Propensity (CloudAscent): the dashboard (tiles, the report's messages, the fit × intent heat map, clusters,
// families, subsegments), the customers table with filters, search, sort, paging and the CSV export, a
// customer's explanations, and for administrators the cluster mapping.

/** How often the summary is read again while a saved mapping waits for its refresh. */
const mappingPollMs = 2000;

export default function PropensityTab({ api, me }: TabProps) {
  const summary = useApiGet<PropensitySummaryResponse>(api, "/api/propensity/summary");
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [sort, setSort] = useState<Sort>(defaultSort);
  const [pageSize, setPageSize] = useState(50);
  const [open, setOpen] = useState<PropensityRow>();
  const [pendingMapping, setPendingMapping] = useState<ClusterMapping>();

  const query = useMemo(() => listQuery(filters, sort, pageSize), [filters, sort, pageSize]);
  const paged = usePagedList<PropensityListResponse>(api, "/api/propensity", query);
  const { list } = paged;
  const rows = list.data?.items ?? [];

  // A saved mapping shows once the refresh it queued is in: read the summary again until it uses it.
  const mappingApplied = pendingMapping !== undefined && summary.data !== undefined && sameMapping(summary.data.clusterMapping.mapping, pendingMapping);
  useEffect(() => {
    if (!pendingMapping) return;
    if (mappingApplied) {
      setPendingMapping(undefined);
      list.reload();
      return;
    }
    if (summary.loading) return;
    const timer = setTimeout(summary.reload, mappingPollMs);
    return () => clearTimeout(timer);
  }, [pendingMapping, mappingApplied, summary.loading, summary.data]);

  const changeFilters = (next: Filters) => setFilters(next);
  const data = summary.data;

  return (
    <section class="tab" aria-labelledby="tab-title">
      <div class="tab-head">
        <h1 id="tab-title">Propensity (CloudAscent)</h1>
        <ResultsLine state={data ?? list.data} />
      </div>
      <StaleBanner state={data ?? list.data} />
      {pendingMapping && (
        <p class="banner busy" role="status">
          <span class="spinner" aria-hidden="true" />
          Refreshing the results with the new cluster mapping… This page updates by itself.
        </p>
      )}

      {summary.error !== undefined && !data ? (
        <ErrorMessage message={`The dashboard could not be loaded: ${describeError(summary.error)}`} onRetry={summary.reload} />
      ) : !data ? (
        <Loading label="Loading the dashboard and heat map…" />
      ) : data.status === "notRefreshedYet" ? (
        <Empty title="No results yet">
          <p>
            Your data has not been refreshed yet. Drop your tenants, subscriptions, signals and install base files (see the <a href="#/data">Data</a>{" "}
            tab); results appear here within seconds of a loaded drop.
          </p>
        </Empty>
      ) : (
        <Dashboard summary={data} filters={filters} onFilter={(patch) => changeFilters({ ...filters, ...patch })} />
      )}

      {me.role === "administrator" && data && (
        <ClusterMappingEditor
          api={api}
          current={data.clusterMapping.mapping}
          clusters={data.clusters.map((c) => c.cluster)}
          onSaved={(mapping) => {
            setPendingMapping(mapping);
            summary.reload();
          }}
        />
      )}

      <section class="table-section" aria-labelledby="table-title">
        <h2 id="table-title" class="section-title">
          Customers and prospects
        </h2>
        <FilterBar filters={filters} summary={data} onChange={changeFilters} />
        <div class="table-toolbar">
          <SortSelect labels={sortLabels} column={sort.column} onPick={(column) => setSort({ column, order: naturalOrder(column) })} />
          <ExportButton api={api} path="/api/propensity/export" query={exportQuery(filters, sort)} />
        </div>
        <ListStates
          noun="customers"
          paged={paged}
          notYet={{ title: "No customers yet", text: "They appear after your first drop is loaded and refreshed." }}
          onClearFilters={() => changeFilters(noFilters)}
        >
          <CustomersTable rows={rows} sort={sort} busy={list.loading} onSort={(column) => setSort(nextSort(sort, column))} onOpen={setOpen} />
        </ListStates>
        <Pager paged={paged} pageSize={pageSize} onPageSize={setPageSize} label="customers" />
      </section>

      {open && <CustomerFlyout api={api} row={open} onClose={() => setOpen(undefined)} />}
    </section>
  );
}

function sameMapping(a: ClusterMapping, b: ClusterMapping): boolean {
  return (Object.keys(b) as (keyof ClusterMapping)[]).every((cell) => a[cell] === b[cell]);
}
