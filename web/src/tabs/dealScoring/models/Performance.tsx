import { useMemo, useState } from "preact/hooks";
import { formatDate, formatInteger, formatPercent } from "../../../app/format.js";
import type { DealModelVersion } from "../../../app/types.js";
import { ChartCard, type ChartPoint } from "../../../components/Chart.js";

// A trained version's performance on the newest 20 % of closed deals: readiness, metrics, the confusion
// matrix, input importance, attribute insights (win rate per value), per-stage influence and the data report.

type Performance = NonNullable<DealModelVersion["performance"]>;

const three = (n: number) => n.toFixed(3);
const share = (n: number) => formatPercent(n);

export function VersionPerformance({ version }: { version: DealModelVersion }) {
  const p = version.performance;
  return (
    <div class="performance">
      {version.readiness && (
        <p class={`readiness-line readiness-${version.readiness.readiness.replace(/ /g, "-").toLowerCase()}`}>
          <span class={`badge readiness-${version.readiness.readiness.replace(/ /g, "-").toLowerCase()}`}>{version.readiness.readiness}</span> {capital(version.readiness.reason)}.
          {version.forcedPublish && " Published by force."}
        </p>
      )}
      {version.failure && (
        <p class="error" role="status">
          Training failed: {version.failure.message}
        </p>
      )}
      {version.decision && (
        <p class="quiet">
          Automatic retraining {version.decision.replace ? "replaced" : "did not replace"} the active version: {version.decision.reason}.
        </p>
      )}
      {p && <Metrics p={p} />}
      {version.importance && version.importance.length > 0 && <Importance importance={version.importance} />}
      {version.insights && <Insights insights={version.insights} />}
      {version.stageInfluence && <StageInfluence influence={version.stageInfluence} />}
      {version.report && <DataReport report={version.report} />}
      {version.notes && version.notes.length > 0 && (
        <details class="notes">
          <summary>How the learner was chosen</summary>
          <ul>
            {version.notes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

const capital = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);

function Metrics({ p }: { p: Performance }) {
  const c = p.confusion;
  return (
    <>
      <ul class="tiles" aria-label="Performance on the test deals">
        <li class="tile">
          <span class="tile-label">AUC</span>
          <span class="tile-value">{p.auc === null ? "–" : three(p.auc)}</span>
          <span class="tile-hint">{p.aucInterval ? `95 % interval ${three(p.aucInterval[0])}–${three(p.aucInterval[1])}` : "test deals all won or all lost"}</span>
        </li>
        <li class="tile">
          <span class="tile-label">Accuracy</span>
          <span class="tile-value">{share(p.accuracy)}</span>
        </li>
        <li class="tile">
          <span class="tile-label">Precision</span>
          <span class="tile-value">{share(p.precision)}</span>
        </li>
        <li class="tile">
          <span class="tile-label">Recall</span>
          <span class="tile-value">{share(p.recall)}</span>
        </li>
        <li class="tile">
          <span class="tile-label">F1 score</span>
          <span class="tile-value">{three(p.f1)}</span>
        </li>
        <li class="tile">
          <span class="tile-label">Conversion rate</span>
          <span class="tile-value">{share(p.conversionRate)}</span>
          <span class="tile-hint">test deals actually won</span>
        </li>
      </ul>
      <div class="confusion-row">
        <table class="confusion" aria-describedby="confusion-note">
          <caption>Confusion matrix (test deals)</caption>
          <thead>
            <tr>
              <td />
              <th scope="col">Predicted won</th>
              <th scope="col">Predicted lost</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">Actually won</th>
              <td class="hit">{formatInteger(c.truePositive)}</td>
              <td class="miss">{formatInteger(c.falseNegative)}</td>
            </tr>
            <tr>
              <th scope="row">Actually lost</th>
              <td class="miss">{formatInteger(c.falsePositive)}</td>
              <td class="hit">{formatInteger(c.trueNegative)}</td>
            </tr>
          </tbody>
        </table>
        <p id="confusion-note" class="quiet">
          A score of {p.threshold} or more predicts won (the threshold with the best F1). Trained on {formatInteger(p.train.deals)} deals closed{" "}
          {formatDate(p.train.closedFrom)} – {formatDate(p.train.closedTo)}; tested on the newest {formatInteger(p.test.deals)} ({formatDate(p.test.closedFrom)} –{" "}
          {formatDate(p.test.closedTo)}, {formatInteger(p.test.won)} won). Learner: {p.learner}.
        </p>
      </div>
    </>
  );
}

function Importance({ importance }: { importance: NonNullable<DealModelVersion["importance"]> }) {
  const points = useMemo<ChartPoint[]>(() => importance.slice(0, 10).map((i) => ({ label: i.label, value: i.importance })), [importance]);
  return <ChartCard title="Most influential inputs" kind="horizontalBar" points={points} format={share} />;
}

function Insights({ insights }: { insights: NonNullable<DealModelVersion["insights"]> }) {
  const [key, setKey] = useState(insights.inputs[0]?.key ?? "");
  const input = insights.inputs.find((i) => i.key === key) ?? insights.inputs[0];
  if (!input) return null;
  return (
    <section class="insights" aria-labelledby="insights-title">
      <h3 id="insights-title">Attribute insights</h3>
      <p class="quiet">
        Win rate of the {formatInteger(insights.closedDeals)} closed deals per value, beside the overall {share(insights.overallWinRate)}.
      </p>
      <label class="inline">
        Input{" "}
        <select value={input.key} onChange={(e) => setKey(e.currentTarget.value)}>
          {insights.inputs.map((i) => (
            <option key={i.key} value={i.key}>
              {i.label}
            </option>
          ))}
        </select>
      </label>
      <div class="table-scroll" role="region" aria-label={`Win rate by ${input.label}`} tabIndex={0}>
        <table class="data-table compact">
          <thead>
            <tr>
              <th scope="col">{input.label}</th>
              <th scope="col" class="num">
                Closed deals
              </th>
              <th scope="col" class="num">
                Won
              </th>
              <th scope="col" class="num">
                Win rate
              </th>
              <th scope="col">Against overall</th>
            </tr>
          </thead>
          <tbody>
            {input.buckets.map((b) => {
              const diff = b.winRate - insights.overallWinRate;
              return (
                <tr key={b.label}>
                  <th scope="row">{b.label}</th>
                  <td class="num">{formatInteger(b.closed)}</td>
                  <td class="num">{formatInteger(b.won)}</td>
                  <td class="num">{share(b.winRate)}</td>
                  <td class={diff > 0.02 ? "raises" : diff < -0.02 ? "lowers" : undefined}>
                    {Math.abs(diff) <= 0.02 ? "about the same" : `${diff > 0 ? "+" : "−"}${Math.round(Math.abs(diff) * 100)} points`}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function StageInfluence({ influence }: { influence: NonNullable<DealModelVersion["stageInfluence"]> }) {
  return (
    <section aria-labelledby="stage-influence-title">
      <h3 id="stage-influence-title">Influence per stage</h3>
      <div class="table-scroll" role="region" aria-label="Influence per stage" tabIndex={0}>
        <table class="data-table compact">
          <thead>
            <tr>
              <th scope="col">Input</th>
              {influence.stages.map((s) => (
                <th key={s} scope="col">
                  {s}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {influence.inputs.map((input) => (
              <tr key={input.key}>
                <th scope="row">{input.label}</th>
                {influence.stages.map((stage) => {
                  const cell = input.byStage.find((b) => b.stage === stage);
                  return <td key={stage}>{!input.countsIn.includes(stage) ? "not counted" : cell ? `${cell.level} (${share(cell.share)})` : "–"}</td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function DataReport({ report }: { report: NonNullable<DealModelVersion["report"]> }) {
  const lines = [
    `${formatInteger(report.selected)} deals selected by the filter (${formatInteger(report.filteredOut)} filtered out): ${formatInteger(report.won)} won, ${formatInteger(report.lost)} lost, ${formatInteger(report.open)} open.`,
    `Window: ${formatDate(report.window.from)} – ${formatDate(report.window.to)} (${report.window.months} months); ${formatInteger(report.outsideWindow)} closed deals outside it.`,
    ...report.otherStatusValues.map((s) => `${formatInteger(s.deals)} deals with status “${s.value}” count as open.`),
    ...(report.closedWithoutCloseDate.deals ? [`${formatInteger(report.closedWithoutCloseDate.deals)} closed deals without a close date left out (e.g. ${report.closedWithoutCloseDate.examples.slice(0, 3).join(", ")}).`] : []),
    ...(report.closedBeforeCreated.deals ? [`${formatInteger(report.closedBeforeCreated.deals)} deals closed before they were created left out (e.g. ${report.closedBeforeCreated.examples.slice(0, 3).join(", ")}).`] : []),
  ];
  return (
    <section aria-labelledby="data-report-title">
      <h3 id="data-report-title">Data used</h3>
      <ul>
        {lines.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </section>
  );
}
