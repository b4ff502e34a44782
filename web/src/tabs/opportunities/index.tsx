import { useMemo, useRef, useState } from "preact/hooks";
import { describeError } from "../../app/api.js";
import { formatInteger } from "../../app/format.js";
import type { TabProps } from "../../app/tabs.js";
import type { OpportunitiesListResponse, OpportunitiesSummaryResponse, Opportunity, OpportunityFeedback } from "../../app/types.js";
import { useApiGet } from "../../app/useApiGet.js";
import { customerHref, tabHref, useCustomerId } from "../../app/router.js";
import { usePagedList } from "../../app/usePagedList.js";
import { ExportButton } from "../../components/ExportButton.js";
import { Pager } from "../../components/Pager.js";
import { ResultsLine, StaleBanner } from "../../components/ResultsState.js";
import { SortSelect } from "../../components/SortHeader.js";
import { Empty, ErrorMessage, ListStates, Loading } from "../../components/States.js";
import { SubTabs } from "../../components/SubTabs.js";
import { CustomerFlyout } from "./CustomerFlyout.js";
import { FilterBar } from "./FilterBar.js";
import { ModelsPanel } from "./ModelsPanel.js";
import { OpportunitiesTable } from "./OpportunitiesTable.js";
import { Overview } from "./Overview.js";
import {
  categoryLabels,
  defaultSort,
  exportQuery,
  listQuery,
  naturalOrder,
  nextSort,
  noFilters,
  sortLabels,
  withCategory,
  type Category,
  type Filters,
  type Sort,
  type SortColumn,
} from "./query.js";

// Opportunities (Sales Advisor): the overview and prioritised tiles, the All / Acquisition / Retention / Growth
// tabs over the recommendations (newest first) with search, filters, sort, paging, export and feedback, a
// customer's flyout, and how the models predict.

type TabKey = "all" | Category;

export default function OpportunitiesTab({ api }: TabProps) {
  const summary = useApiGet<OpportunitiesSummaryResponse>(api, "/api/opportunities/summary");
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [sort, setSort] = useState<Sort>(defaultSort);
  const [pageSize, setPageSize] = useState(50);
  // The open customer is in the address (#/opportunities/customers/{tenantId}): a link or Back opens and closes it.
  const customerId = useCustomerId();
  const [picked, setPicked] = useState<Opportunity>();
  const openCustomer = (o: Opportunity) => {
    setPicked(o);
    location.hash = customerHref(o.tenantId);
  };
  const [given, setGiven] = useState<ReadonlyMap<string, OpportunityFeedback>>(new Map());
  const [notice, setNotice] = useState<string>();

  const query = useMemo(() => listQuery(filters, sort, pageSize), [filters, sort, pageSize]);
  const paged = usePagedList<OpportunitiesListResponse>(api, "/api/opportunities", query);
  const { list } = paged;
  const rows = list.data?.items ?? [];

  const productsSeen = useRef(new Set<string>());
  const products = useMemo(() => {
    for (const row of rows) if (row.product) productsSeen.current.add(row.product);
    return [...productsSeen.current].sort();
  }, [rows]);

  const data = summary.data;
  const count = (category: Category) => data?.overview.byCategory.find((c) => c.category === category)?.count;
  const tabs = [
    { key: "all" as TabKey, label: "All", count: data ? formatInteger(data.overview.opportunities) : undefined },
    ...(["acquisition", "retention", "growth"] as const).map((c) => ({ key: c as TabKey, label: categoryLabels[c], count: count(c) === undefined ? undefined : formatInteger(count(c)!) })),
  ];
  const changeFilters = (next: Filters) => {
    setFilters(next);
    setNotice(undefined);
  };
  const saved = (o: Opportunity, feedback: OpportunityFeedback) => {
    setGiven(new Map(given).set(o.id, feedback));
    if (!feedback.helpful) {
      setNotice(`Feedback saved: “${o.recommendation}” for ${o.tenantName} is hidden until its product or probability changes.`);
      list.reload();
    } else setNotice(`Feedback saved: “${o.recommendation}” for ${o.tenantName} was helpful.`);
  };

  return (
    <section class="tab" aria-labelledby="tab-title">
      <div class="tab-head">
        <h1 id="tab-title">Opportunities</h1>
        <ResultsLine state={data ?? list.data} />
      </div>
      <StaleBanner state={data ?? list.data} />

      {summary.error !== undefined && !data ? (
        <ErrorMessage message={`The tiles could not be loaded: ${describeError(summary.error)}`} onRetry={summary.reload} />
      ) : !data ? (
        <Loading label="Loading the overview…" />
      ) : data.status === "notRefreshedYet" ? (
        <Empty title="No results yet">
          <p>
            Your data has not been refreshed yet. Drop your tenants, subscriptions and usage files (see the <a href="#/data">Data</a> tab); opportunities appear
            here within seconds of a loaded drop.
          </p>
        </Empty>
      ) : (
        <>
          <Overview summary={data} onPick={(category, status) => changeFilters({ ...withCategory(filters, category), status })} />
          {data.warnings.length > 0 && (
            <section class="report warning" aria-labelledby="warnings-title">
              <h2 id="warnings-title" class="section-title">
                About these results
              </h2>
              <ul>
                {data.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}

      <section class="table-section" aria-labelledby="table-title">
        <h2 id="table-title" class="section-title">
          Recommendations
        </h2>
        <SubTabs id="op-category" label="Category" tabs={tabs} selected={filters.category ?? "all"} onSelect={(key) => changeFilters(withCategory(filters, key === "all" ? undefined : key))}>
          <FilterBar filters={filters} products={products} onChange={changeFilters} />
          <div class="table-toolbar">
            <SortSelect labels={sortLabels} column={sort.column} onPick={(column) => setSort({ column, order: naturalOrder(column) })} />
            <ExportButton api={api} path="/api/opportunities/export" query={exportQuery(filters, sort)} />
          </div>
          <ListStates
            noun="opportunities"
            paged={paged}
            notice={notice}
            notYet={{ title: "No opportunities yet", text: "They appear after your first drop is loaded and refreshed." }}
            onClearFilters={() => changeFilters({ search: "", category: filters.category })}
          >
            <OpportunitiesTable
              api={api}
              rows={rows}
              sort={sort}
              busy={list.loading}
              onSort={(column) => setSort(nextSort(sort, column))}
              onOpen={openCustomer}
              given={given}
              onFeedback={saved}
            />
          </ListStates>
          <Pager paged={paged} pageSize={pageSize} onPageSize={setPageSize} label="opportunities" />
        </SubTabs>
      </section>

      <ModelsPanel api={api} feedbackVersion={given.size} />

      {customerId !== undefined && (
        <CustomerFlyout
          api={api}
          tenantId={customerId}
          opportunity={picked?.tenantId === customerId ? picked : undefined}
          given={given}
          onFeedback={saved}
          onClose={() => (location.hash = tabHref("opportunities"))}
        />
      )}
    </section>
  );
}
