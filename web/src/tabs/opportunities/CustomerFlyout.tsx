import { useMemo, useState } from "preact/hooks";
import { describeError, type Api } from "../../app/api.js";
import { formatDate, formatInteger, formatMonth, formatPercent } from "../../app/format.js";
import type { Opportunity, OpportunityCustomer, OpportunityFeedback } from "../../app/types.js";
import { useApiGet } from "../../app/useApiGet.js";
import { ChartCard, type ChartPoint } from "../../components/Chart.js";
import { Flyout } from "../../components/Flyout.js";
import { ErrorMessage, Loading } from "../../components/States.js";
import { FeedbackButtons } from "./Feedback.js";
import { StatusBadge } from "./OpportunitiesTable.js";

// One customer (GET /api/opportunities/customers/{tenantId}): each of its opportunities with insights, suggested
// actions and resources; its subscriptions; and its usage per workload (usage per user, the 3-month trend, 12
// months of active users).

const basisWords = { ml: "Machine learning", tree: "Decision tree", rule: "Business rule", prior: "Prior (too little history yet)" } as const;
/** +5.3 %, −2 %, 0 % (a change that rounds to nothing has no sign). */
const signedShare = (change: number) => (Math.abs(change) < 0.0005 ? formatPercent(0) : `${change > 0 ? "+" : "−"}${formatPercent(Math.abs(change))}`);
const trendWords = { Positive: "↑ Positive", Negative: "↓ Negative", "No change": "→ No change" } as const;

export function CustomerFlyout({ api, tenantId, opportunity, given, onFeedback, onClose }: {
  api: Api;
  tenantId: string;
  /** The row it was opened from, which names the customer before its detail loads (none from a link). */
  opportunity?: Opportunity;
  given: ReadonlyMap<string, OpportunityFeedback>;
  onFeedback: (opportunity: Opportunity, feedback: OpportunityFeedback) => void;
  onClose: () => void;
}) {
  const detail = useApiGet<OpportunityCustomer>(api, `/api/opportunities/customers/${encodeURIComponent(tenantId)}`);
  const named = opportunity ?? detail.data;
  const subtitle = [named?.domain, named?.customerName, named?.tpid ? `TPID ${named.tpid}` : undefined].filter(Boolean).join(" · ");
  return (
    <Flyout title={named?.tenantName ?? tenantId} subtitle={subtitle} onClose={onClose}>
      {detail.error !== undefined ? (
        <ErrorMessage message={`This customer could not be loaded: ${describeError(detail.error)}`} onRetry={detail.reload} />
      ) : !detail.data ? (
        <Loading label="Loading the customer…" />
      ) : (
        <CustomerDetail api={api} customer={detail.data} given={given} onFeedback={(o, f) => (onFeedback(o, f), detail.reload())} />
      )}
    </Flyout>
  );
}

function CustomerDetail({ api, customer, given, onFeedback }: {
  api: Api;
  customer: OpportunityCustomer;
  given: ReadonlyMap<string, OpportunityFeedback>;
  onFeedback: (opportunity: Opportunity, feedback: OpportunityFeedback) => void;
}) {
  return (
    <>
      <section aria-labelledby="recommendations-title">
        <h3 id="recommendations-title">Recommendations</h3>
        {customer.opportunities.length === 0 ? (
          <p>No opportunity for this customer now.</p>
        ) : (
          <ul class="opportunity-cards">
            {customer.opportunities.map((o) => (
              <li key={o.id}>
                <p class="opportunity-head">
                  <strong>{o.recommendation}</strong>
                </p>
                <p class="quiet">
                  <StatusBadge status={o.status} probability={o.probability} /> {o.type}
                  {o.product ? ` · ${o.product}` : ""} · {formatInteger(o.seats)} seats · added {formatDate(o.dateAdded)} · {basisWords[o.basis]}
                </p>
                {o.dataNeeded && <p class="notice">{o.dataNeeded.message}</p>}
                <h4>Insights</h4>
                <ul class="factor-list plain">
                  {o.insights.map((i) => (
                    <li key={i}>{i}</li>
                  ))}
                </ul>
                <h4>Suggested actions</h4>
                <ul>
                  {o.actions.map((a) => (
                    <li key={a}>{a}</li>
                  ))}
                </ul>
                <h4>Resources</h4>
                <ul class="resources">
                  {o.resources.map((r) => (
                    <li key={r.url}>
                      <a href={r.url} target="_blank" rel="noopener noreferrer">
                        {r.title}
                      </a>{" "}
                      <span class="quiet">({r.kind})</span>
                    </li>
                  ))}
                </ul>
                <FeedbackButtons api={api} opportunity={o} given={given.get(o.id)} onSaved={(f) => onFeedback(o, f)} />
              </li>
            ))}
          </ul>
        )}
      </section>
      <Subscriptions customer={customer} />
      <Usage customer={customer} />
    </>
  );
}

function Subscriptions({ customer }: { customer: OpportunityCustomer }) {
  const { items, asOf } = customer.subscriptions;
  return (
    <section aria-labelledby="subscriptions-title">
      <h3 id="subscriptions-title">Subscriptions{asOf ? ` (as of ${formatDate(asOf)})` : ""}</h3>
      {items.length === 0 ? (
        <p>No subscription in the newest snapshot.</p>
      ) : (
        <div class="table-scroll" role="region" aria-label="Subscriptions" tabIndex={0}>
          <table class="data-table compact">
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col" class="num">
                  Licences
                </th>
                <th scope="col" class="num">
                  Paid
                </th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {items.map((s, i) => (
                <tr key={`${s.sku}:${i}`}>
                  <th scope="row">
                    {s.product}
                    <span class="cell-sub">{s.sku}</span>
                  </th>
                  <td class="num">{formatInteger(s.quantity)}</td>
                  <td class="num">{s.paidUnits === undefined ? "–" : formatInteger(s.paidUnits)}</td>
                  <td>{s.status ?? "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Usage({ customer }: { customer: OpportunityCustomer }) {
  const { usage } = customer;
  const [workload, setWorkload] = useState(usage.workloads[0]?.workload ?? "");
  const perUser = useMemo<ChartPoint[]>(
    () => usage.workloads.filter((w) => w.utilisation !== null).map((w) => ({ label: w.workload, value: w.utilisation ?? 0 })),
    [usage.workloads],
  );
  const chosen = usage.workloads.find((w) => w.workload === workload) ?? usage.workloads[0];
  const monthly = useMemo<ChartPoint[]>(() => (chosen?.activeUsersByMonth ?? []).map((m) => ({ label: m.month, value: m.activeUsers })), [chosen]);
  if (usage.workloads.length === 0) {
    return (
      <section aria-labelledby="usage-title">
        <h3 id="usage-title">Usage</h3>
        <p>No usage data for this customer.</p>
      </section>
    );
  }
  return (
    <section aria-labelledby="usage-title" class="usage">
      <h3 id="usage-title">Usage{usage.month ? ` (${formatMonth(usage.month)})` : ""}</h3>
      <p>
        Monthly active users over the last three months: <strong>{usage.overallTrend ? trendWords[usage.overallTrend] : "not known (a month is missing)"}</strong>.
      </p>
      <ChartCard title="Usage per user by workload" kind="horizontalBar" points={perUser} format={formatPercent} hint="Active users per assigned user in the latest month." />
      <div class="table-scroll" role="region" aria-label="Usage by workload" tabIndex={0}>
        <table class="data-table compact">
          <thead>
            <tr>
              <th scope="col">Workload</th>
              <th scope="col" class="num">
                Assigned
              </th>
              <th scope="col" class="num">
                Active
              </th>
              <th scope="col" class="num">
                Per user
              </th>
              <th scope="col">3-month trend</th>
            </tr>
          </thead>
          <tbody>
            {usage.workloads.map((w) => (
              <tr key={w.workload}>
                <th scope="row">{w.workload}</th>
                <td class="num">{formatInteger(w.assignedUsers)}</td>
                <td class="num">{formatInteger(w.activeUsers)}</td>
                <td class="num">{w.utilisation === null ? "–" : formatPercent(w.utilisation)}</td>
                <td class={w.trend === "Positive" ? "raises" : w.trend === "Negative" ? "lowers" : undefined}>
                  {w.trend ? trendWords[w.trend] : "–"}
                  {w.change !== null && w.trend ? ` (${signedShare(w.change)})` : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <label class="inline">
        Active users by month for{" "}
        <select value={chosen?.workload} onChange={(e) => setWorkload(e.currentTarget.value)}>
          {usage.workloads.map((w) => (
            <option key={w.workload} value={w.workload}>
              {w.workload}
            </option>
          ))}
        </select>
      </label>
      <ChartCard title={`Monthly active users: ${chosen?.workload ?? ""}`} kind="line" points={monthly} format={formatInteger} labelOf={formatMonth} />
    </section>
  );
}
