import { useMemo, useRef, useState } from "preact/hooks";
import { describeError } from "../../app/api.js";
import type { ApiGet } from "../../app/useApiGet.js";
import type { TabProps } from "../../app/tabs.js";
import type { DealScoreItem, DealScoresListResponse, DealScoresSortColumn, DealScoresSummaryResponse } from "../../app/types.js";
import { useApiGet } from "../../app/useApiGet.js";
import { usePagedList } from "../../app/usePagedList.js";
import { ExportButton } from "../../components/ExportButton.js";
import { Pager } from "../../components/Pager.js";
import { ResultsLine, StaleBanner } from "../../components/ResultsState.js";
import { SortSelect } from "../../components/SortHeader.js";
import { Empty, ErrorMessage, ListStates, Loading } from "../../components/States.js";
import { DealFlyout } from "./DealFlyout.js";
import { DealsTable } from "./DealsTable.js";
import { FilterBar } from "./FilterBar.js";
import { ModelsPanel } from "./models/ModelsPanel.js";
import { Overview } from "./Overview.js";
import { defaultSort, exportQuery, listQuery, naturalOrder, nextSort, noFilters, type Filters, type Sort } from "./query.js";

// Deal scoring: summary tiles and charts, the scored open deals (score, grade, trend, the factors widget) with
// filters, search, sort, paging and the CSV export, a deal's score history and every factor; administrators
// also switch to the models, with their performance and controls.

const sortLabels: Record<DealScoresSortColumn, string> = {
  score: "Score",
  estimatedValue: "Estimated value",
  estimatedCloseDate: "Estimated close date",
  createdOn: "Created",
  name: "Name",
  dealId: "Deal ID",
};

export default function DealScoringTab({ api, me }: TabProps) {
  const summary = useApiGet<DealScoresSummaryResponse>(api, "/api/deal-scores/summary");
  const [view, setView] = useState<"deals" | "models">("deals");
  const [dealsVersion, setDealsVersion] = useState(0);
  const modelsOpened = useRef(false);
  if (view === "models") modelsOpened.current = true;
  const admin = me.role === "administrator";
  return (
    <section class="tab" aria-labelledby="tab-title">
      <div class="tab-head">
        <h1 id="tab-title">Deal scoring</h1>
        <ResultsLine state={summary.data} />
      </div>
      <StaleBanner state={summary.data} />
      {admin && (
        <div class="view-switch" role="group" aria-label="Show">
          <button type="button" class="secondary" aria-pressed={view === "deals"} onClick={() => setView("deals")}>
            Scored deals
          </button>
          <button type="button" class="secondary" aria-pressed={view === "models"} onClick={() => setView("models")}>
            Models
          </button>
        </div>
      )}
      {/* Both views stay mounted once opened, so switching keeps the table's filters and the open model. */}
      {modelsOpened.current && (
        <div hidden={view !== "models"}>
          <ModelsPanel
            api={api}
            onChanged={() => {
              // A publish, revert or new bands queue a rescoring: the deals are read again.
              summary.reload();
              setDealsVersion((n) => n + 1);
            }}
          />
        </div>
      )}
      <div class="tab" hidden={view !== "deals"}>
        <ScoredDeals key={dealsVersion} api={api} admin={admin} summary={summary} />
      </div>
    </section>
  );
}

function ScoredDeals({ api, admin, summary }: { api: TabProps["api"]; admin: boolean; summary: ApiGet<DealScoresSummaryResponse> }) {
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [sort, setSort] = useState<Sort>(defaultSort);
  const [pageSize, setPageSize] = useState(50);
  const [open, setOpen] = useState<DealScoreItem>();

  const query = useMemo(() => listQuery(filters, sort, pageSize), [filters, sort, pageSize]);
  const paged = usePagedList<DealScoresListResponse>(api, "/api/deal-scores", query);
  const { list } = paged;
  const rows = list.data?.items ?? [];

  // Owners, stages and products seen so far, as suggestions for the exact-match filters.
  const seenRef = useRef({ owner: new Set<string>(), stage: new Set<string>(), product: new Set<string>() });
  const seen = useMemo(() => {
    for (const row of rows) {
      if (row.owner) seenRef.current.owner.add(row.owner);
      if (row.stage) seenRef.current.stage.add(row.stage);
      if (row.product) seenRef.current.product.add(row.product);
    }
    const sorted = (s: Set<string>) => [...s].sort();
    return { owner: sorted(seenRef.current.owner), stage: sorted(seenRef.current.stage), product: sorted(seenRef.current.product) };
  }, [rows]);

  const data = summary.data;
  return (
    <>
      {summary.error !== undefined && !data ? (
        <ErrorMessage message={`The summary could not be loaded: ${describeError(summary.error)}`} onRetry={summary.reload} />
      ) : !data ? (
        <Loading label="Loading the summary…" />
      ) : data.status === "notRefreshedYet" || data.models.length === 0 ? (
        <Empty title="No scores yet">
          <p>
            {admin
              ? "No published model scores your deals yet. Drop your CRM's deals (see the Data tab), then create, train and publish a model under Models."
              : "No published model scores your deals yet. An administrator creates, trains and publishes one; scores appear here after that."}
          </p>
        </Empty>
      ) : (
        <Overview summary={data} filters={filters} onFilter={(patch) => setFilters({ ...filters, ...patch })} />
      )}

      <section class="table-section" aria-labelledby="table-title">
        <h2 id="table-title" class="section-title">
          Scored open deals
        </h2>
        <FilterBar filters={filters} summary={data} seen={seen} onChange={setFilters} />
        <div class="table-toolbar">
          <SortSelect labels={sortLabels} column={sort.column} onPick={(column) => setSort({ column, order: naturalOrder(column) })} />
          <ExportButton api={api} path="/api/deal-scores/export" query={exportQuery(filters, sort)} />
        </div>
        <ListStates
          noun="deals"
          paged={paged}
          notYet={{ title: "No scored deals yet", text: "Deals are scored after a model is published and your deals are refreshed.", now: data?.scored === 0 }}
          onClearFilters={() => setFilters(noFilters)}
        >
          <DealsTable rows={rows} sort={sort} busy={list.loading} onSort={(column) => setSort(nextSort(sort, column))} onOpen={setOpen} />
        </ListStates>
        <Pager paged={paged} pageSize={pageSize} onPageSize={setPageSize} label="deals" />
      </section>

      {open && <DealFlyout api={api} deal={open} onClose={() => setOpen(undefined)} />}
    </>
  );
}
