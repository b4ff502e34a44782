import type { Api } from "../../app/api.js";
import { formatDate, formatInteger, formatProbability } from "../../app/format.js";
import type { Opportunity, OpportunityFeedback } from "../../app/types.js";
import { SortHeader } from "../../components/SortHeader.js";
import { FeedbackButtons } from "./Feedback.js";
import type { Sort, SortColumn } from "./query.js";

// One page of opportunities, newest first by default: the customer (opens the flyout), the recommendation, the
// probability, type, product, seats, date added and feedback.

export function OpportunitiesTable({ api, rows, sort, onSort, busy, onOpen, given, onFeedback }: {
  api: Api;
  rows: Opportunity[];
  sort: Sort;
  onSort: (column: SortColumn) => void;
  busy: boolean;
  onOpen: (opportunity: Opportunity) => void;
  given: ReadonlyMap<string, OpportunityFeedback>;
  onFeedback: (opportunity: Opportunity, feedback: OpportunityFeedback) => void;
}) {
  const header = (label: string, column?: SortColumn, numeric?: boolean) => <SortHeader label={label} column={column} sort={sort} onSort={onSort} numeric={numeric} />;
  return (
    <div class="table-scroll" role="region" aria-label="Opportunities table" tabIndex={0}>
      <table class="data-table opportunities" aria-busy={busy}>
        <thead>
          <tr>
            {header("Customer", "tenantName")}
            {header("Recommendation")}
            {header("Probability", "probability")}
            {header("Type", "type")}
            {header("Product")}
            {header("Seats", "seats", true)}
            {header("Date added", "dateAdded")}
            {header("Feedback")}
          </tr>
        </thead>
        <tbody>
          {rows.map((o) => (
            <tr key={o.id}>
              <th scope="row">
                <button type="button" class="link row-open" onClick={() => onOpen(o)}>
                  {o.tenantName}
                </button>
                {o.domain && <span class="cell-sub">{o.domain}</span>}
              </th>
              <td class="wrap recommendation">{o.recommendation}</td>
              <td>
                <StatusBadge status={o.status} probability={o.probability} />
              </td>
              <td>{o.type}</td>
              <td class="wrap product">{o.product ?? <span class="quiet">–</span>}</td>
              <td class="num">{formatInteger(o.seats)}</td>
              <td>{formatDate(o.dateAdded)}</td>
              <td>
                <FeedbackButtons api={api} opportunity={o} given={given.get(o.id)} onSaved={(f) => onFeedback(o, f)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function StatusBadge({ status, probability }: { status: string; probability: number }) {
  return (
    <span class={`badge status-${status.toLowerCase()}`}>
      {status} · {formatProbability(probability)}
    </span>
  );
}
