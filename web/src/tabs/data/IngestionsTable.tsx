import { formatDateTime, formatInteger } from "../../app/format.js";
import type { Ingestion } from "../../app/types.js";

// Recent ingestions, newest first: file, dataset, status, counts, and what went wrong (the whole file's
// reason, the first row errors with line, column and reason, warnings).

const statusLabels: Record<Ingestion["status"], string> = {
  received: "Received",
  validating: "Validating",
  loaded: "Loaded",
  failed: "Failed",
};

export function IngestionsTable({ items }: { items: Ingestion[] }) {
  return (
    <div class="table-scroll" role="region" aria-label="Ingestions table" tabIndex={0}>
      <table class="data-table ingestions">
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Dataset</th>
            <th scope="col">Status</th>
            <th scope="col">Received</th>
            <th scope="col" class="num">
              Rows
            </th>
            <th scope="col" class="num">
              Loaded
            </th>
            <th scope="col" class="num">
              Rejected
            </th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.id}>
              <th scope="row" class="file">
                {item.fileName}
              </th>
              <td>{item.dataset}</td>
              <td>
                <span class={`badge ${item.status}`}>{statusLabels[item.status]}</span>
              </td>
              <td>{formatDateTime(item.receivedAt)}</td>
              <td class="num">{formatInteger(item.counts.rows)}</td>
              <td class="num">{formatInteger(item.counts.loaded)}</td>
              <td class="num">{formatInteger(item.counts.rejected)}</td>
              <td class="details">
                <Details item={item} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Details({ item }: { item: Ingestion }) {
  const hasErrors = item.errors.length > 0;
  if (!item.reason && !hasErrors && item.warnings.length === 0) return <span class="quiet">–</span>;
  const more = item.counts.rejected - item.errors.length;
  return (
    <>
      {item.reason && <p class="reason">{item.reason}</p>}
      {hasErrors && (
        <details class="row-errors">
          <summary>
            {item.counts.rejected === 1 ? "1 row error" : `${formatInteger(item.counts.rejected)} row errors`}
          </summary>
          <table class="errors-table">
            <thead>
              <tr>
                <th scope="col" class="num">
                  Line
                </th>
                <th scope="col">Column</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {item.errors.map((e, i) => (
                <tr key={i}>
                  <td class="num">{e.line}</td>
                  <td>{e.column ?? "–"}</td>
                  <td>{e.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {more > 0 && <p class="quiet">and {formatInteger(more)} more (only the first {item.errors.length} are kept)</p>}
        </details>
      )}
      {item.warnings.length > 0 && (
        <ul class="warnings">
          {item.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
    </>
  );
}
