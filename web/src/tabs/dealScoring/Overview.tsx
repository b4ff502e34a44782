import { useMemo } from "preact/hooks";
import { formatDateTime, formatInteger } from "../../app/format.js";
import type { DealScoresSummaryResponse } from "../../app/types.js";
import { ChartCard, type ChartPoint } from "../../components/Chart.js";
import { Tile, Tiles } from "../../components/Tiles.js";
import type { Filters, Grade, Trend } from "./query.js";

// Summary tiles, deals per grade (a grade tile or bar filters the table) and per trend, and the published
// models that scored them.

const gradeOrder: Grade[] = ["A", "B", "C", "D"];
const trendOrder: Trend[] = ["Improving", "Steady", "Declining", "Not enough info"];

export function Overview({ summary, filters, onFilter }: { summary: DealScoresSummaryResponse; filters: Filters; onFilter: (patch: Partial<Filters>) => void }) {
  const byGrade = useMemo<ChartPoint[]>(() => gradeOrder.map((g) => ({ label: g, value: summary.grades[g] })), [summary.grades]);
  const byTrend = useMemo<ChartPoint[]>(() => trendOrder.map((t) => ({ label: t, value: summary.trends[t] })), [summary.trends]);
  const changing = summary.trends.Improving + summary.trends.Declining;
  return (
    <>
      <Tiles label="Key figures">
        <Tile label="Scored open deals" value={formatInteger(summary.scored)} hint={`of ${formatInteger(summary.deals)} deals offered to the models`} />
        <Tile label="Improving" value={formatInteger(summary.trends.Improving)} hint="up 5 points or more in a week" />
        <Tile label="Declining" value={formatInteger(summary.trends.Declining)} hint="down 5 points or more in a week" />
        <Tile label="Published models" value={formatInteger(summary.models.length)} />
      </Tiles>

      <section aria-labelledby="grades-title">
        <h2 id="grades-title" class="section-title">
          Deals by grade
        </h2>
        <ul class="motion-tiles grade-tiles">
          {gradeOrder.map((grade) => (
            <li key={grade}>
              <button type="button" class="motion-tile" aria-pressed={filters.grade === grade} onClick={() => onFilter({ grade: filters.grade === grade ? undefined : grade })}>
                <span class="tile-value">{formatInteger(summary.grades[grade])}</span>
                <span class="tile-label">Grade {grade}</span>
              </button>
            </li>
          ))}
        </ul>
      </section>

      <div class="charts">
        <ChartCard
          title="Scored deals by grade"
          kind="bar"
          points={summary.scored ? byGrade : []}
          format={formatInteger}
          selected={filters.grade}
          onSelect={(grade) => onFilter({ grade: filters.grade === grade ? undefined : (grade as Grade) })}
          hint="Click a grade to filter the table."
        />
        <ChartCard
          title="Scored deals by trend"
          kind="doughnut"
          points={summary.scored ? byTrend : []}
          format={formatInteger}
          hint={changing === 0 ? "Trends need a score at least 7 days old: every deal shows Not enough info in a model's first week." : undefined}
        />
      </div>

      {summary.models.length > 0 && (
        <div class="table-scroll" role="region" aria-label="Models that scored these deals" tabIndex={0}>
          <table class="data-table compact">
            <caption class="visually-hidden">Published models</caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Version</th>
                <th scope="col">Readiness</th>
                <th scope="col">Published</th>
                <th scope="col" class="num">
                  Scored
                </th>
                <th scope="col" class="num">
                  Not selected, closed or too old
                </th>
              </tr>
            </thead>
            <tbody>
              {summary.models.map((m) => (
                <tr key={m.modelId}>
                  <th scope="row">{m.name}</th>
                  <td>{m.version}</td>
                  <td>
                    <span class={`badge readiness-${m.readiness.replace(/ /g, "-").toLowerCase()}`}>{m.readiness}</span>
                    {m.forcedPublish && <span class="quiet"> (published by force)</span>}
                  </td>
                  <td>{formatDateTime(m.publishedAt)}</td>
                  <td class="num">{formatInteger(m.scored)}</td>
                  <td class="num">{formatInteger(m.filteredOut + m.closed + m.createdTooLongAgo)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
