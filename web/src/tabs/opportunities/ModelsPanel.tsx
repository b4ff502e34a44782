import { useState } from "preact/hooks";
import { describeError, type Api } from "../../app/api.js";
import { formatDateTime, formatInteger, formatPercent } from "../../app/format.js";
import type { OpportunityModels } from "../../app/types.js";
import { useApiGet } from "../../app/useApiGet.js";
import { ErrorMessage, Loading } from "../../components/States.js";

// How the opportunities are predicted (GET /api/opportunity-models, read when opened): each model's basis,
// training, validation AUC, how often each probability band was right, and the feedback given on its
// opportunities.

const basisWords = { ml: "Machine learning", tree: "Decision tree", rule: "Business rule", prior: "Prior" } as const;

export function ModelsPanel({ api, feedbackVersion }: { api: Api; feedbackVersion: number }) {
  const [open, setOpen] = useState(false);
  return (
    <details class="panel" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>How these are predicted (the eight models and their feedback)</summary>
      {open && <ModelsTable key={feedbackVersion} api={api} />}
    </details>
  );
}

function ModelsTable({ api }: { api: Api }) {
  const models = useApiGet<OpportunityModels>(api, "/api/opportunity-models");
  if (models.error !== undefined) return <ErrorMessage message={`The models could not be loaded: ${describeError(models.error)}`} onRetry={models.reload} />;
  if (!models.data) return <Loading label="Loading the models…" />;
  const data = models.data;
  if (data.status === "notTrainedYet") return <p>The models are trained at the first refresh of your data.</p>;
  return (
    <>
      <p class="quiet">
        Trained {formatDateTime(data.savedAt)} on {formatInteger(data.history?.tenants ?? 0)} tenants and {formatInteger(data.history?.snapshots ?? 0)} subscription
        snapshots. High means a probability of {formatPercent(data.bands.high)} or more, Medium {formatPercent(data.bands.medium)} or more.
      </p>
      {data.warnings.length > 0 && (
        <ul class="warnings">
          {data.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      <div class="table-scroll" role="region" aria-label="Opportunity models" tabIndex={0}>
        <table class="data-table compact">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Type</th>
              <th scope="col">Basis</th>
              <th scope="col" class="num">
                Examples (yes / no)
              </th>
              <th scope="col" class="num">
                Validation AUC
              </th>
              <th scope="col">High band right</th>
              <th scope="col" class="num">
                Helpful
              </th>
              <th scope="col" class="num">
                Not helpful
              </th>
            </tr>
          </thead>
          <tbody>
            {data.models.map((m) => {
              const high = m.bandHitRates.find((b) => b.status === "High");
              return (
                <tr key={m.modelId}>
                  <th scope="row">
                    {m.name}
                    {m.dataNeeded && <span class="cell-sub wrap-text">{m.dataNeeded.message}</span>}
                  </th>
                  <td>{m.type}</td>
                  <td>{basisWords[m.basis]}</td>
                  <td class="num">
                    {formatInteger(m.labels.positives)} / {formatInteger(m.labels.negatives)}
                  </td>
                  <td class="num">{m.validation?.auc == null ? "–" : m.validation.auc.toFixed(3)}</td>
                  <td>{high?.hitRate == null ? "–" : `${formatPercent(high.hitRate)} of ${formatInteger(high.rows)}`}</td>
                  <td class="num">{formatInteger(m.feedback?.helpful ?? 0)}</td>
                  <td class="num">{formatInteger(m.feedback?.notHelpful ?? 0)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
