import { useMemo } from "preact/hooks";
import { formatCompactMoney, formatInteger, formatMoney } from "../../app/format.js";
import type { PropensitySummaryResponse } from "../../app/types.js";
import { ChartCard, type ChartPoint } from "../../components/Chart.js";
import { Tile, Tiles } from "../../components/Tiles.js";
import { HeatMap } from "./HeatMap.js";
import type { Filters } from "./query.js";

// The Customers Opportunities dashboard: summary tiles, what the refresh said about its inputs, the heat map,
// the clusters and the families. A cell, a cluster, a family or a subsegment filters the table.

const shortDate = new Intl.DateTimeFormat("en-US", { month: "short", year: "numeric", timeZone: "UTC" });
const monthOf = (iso: string) => shortDate.format(new Date(`${iso.slice(0, 10)}T00:00:00Z`));

export function Dashboard({ summary, filters, onFilter }: { summary: PropensitySummaryResponse; filters: Filters; onFilter: (patch: Partial<Filters>) => void }) {
  const { smbCustomers, agreements } = summary;
  const bySubsegment = useMemo<ChartPoint[]>(() => smbCustomers.bySubsegment.map((s) => ({ label: s.subsegment, value: s.count })), [smbCustomers]);
  const byFamily = useMemo<ChartPoint[]>(() => summary.families.map((f) => ({ label: f.family, value: f.estimatedAnnualRevenue })), [summary.families]);
  const fy = agreements.fiscalYear;
  return (
    <>
      <Tiles label="Key figures">
        <Tile
          label="SMB customers and prospects"
          value={formatInteger(smbCustomers.total)}
          hint={`${formatInteger(smbCustomers.customers)} customers, ${formatInteger(smbCustomers.prospects)} prospects`}
        />
        <Tile label={`Agreements expiring in ${fy.label}`} value={formatInteger(agreements.expiring)} hint={`${monthOf(fy.from)} – ${monthOf(fy.to)} · ${formatInteger(agreements.renewed)} renewed`} />
        <Tile label="Open expiring agreements" value={formatInteger(agreements.open)} hint="not renewed yet" />
        <Tile label="Open expiring revenue" value={formatCompactMoney(agreements.openExpiringRevenue)} hint={`${formatMoney(agreements.openExpiringRevenue)} a year at list price`} />
        {summary.report && <Tile label="Tenants listed" value={formatInteger(summary.report.tenants.listed)} hint="customers and prospects" />}
      </Tiles>

      {summary.report && summary.report.messages.length > 0 && (
        <section class={summary.report.fit.basis === "model" ? "report" : "report warning"} aria-labelledby="report-title">
          <h2 id="report-title" class="section-title">
            About these results
          </h2>
          <ul>
            {summary.report.messages.map((message) => (
              <li key={message}>{message}</li>
            ))}
          </ul>
        </section>
      )}

      <div class="propensity-grid">
        <HeatMap summary={summary} selected={filters.cell} onSelect={(cell) => onFilter({ cell })} />
        <section class="clusters" aria-labelledby="clusters-title">
          <h2 id="clusters-title" class="section-title">
            Clusters
          </h2>
          <ul class="motion-tiles cluster-tiles">
            {summary.clusters.map(({ cluster, count }) => {
              const cells = Object.entries(summary.clusterMapping.mapping)
                .filter(([, c]) => c === cluster)
                .map(([cell]) => cell);
              return (
                <li key={cluster}>
                  <button
                    type="button"
                    class="motion-tile"
                    aria-pressed={filters.cluster === cluster}
                    onClick={() => onFilter({ cluster: filters.cluster === cluster ? undefined : cluster })}
                  >
                    <span class="tile-value">{formatInteger(count)}</span>
                    <span class="tile-label">{cluster}</span>
                    <span class="tile-hint">{cells.length ? `Cells ${cells.join(", ")}` : "No cells"}</span>
                  </button>
                </li>
              );
            })}
          </ul>
          {summary.notClustered > 0 && <p class="quiet">{formatInteger(summary.notClustered)} tenants without a cluster: fit could not be learned, so they are scored by intent only.</p>}
          <h2 class="section-title families-title">Propensity families</h2>
          <FamilyTable summary={summary} />
        </section>
      </div>

      <div class="charts">
        <ChartCard
          title="Estimated annual revenue by family"
          kind="horizontalBar"
          points={byFamily}
          format={formatCompactMoney}
          selected={filters.family}
          onSelect={(family) => onFilter({ family: filters.family === family ? undefined : family })}
          hint="Click a family to filter the table. Azure consumption has no list price, so no estimate."
        />
        <ChartCard
          title="SMB customers and prospects by subsegment"
          kind="bar"
          points={bySubsegment}
          format={formatInteger}
          selected={filters.subsegment}
          onSelect={(subsegment) => subsegment !== "Unknown" && onFilter({ subsegment: filters.subsegment === subsegment ? undefined : subsegment })}
          hint="Click a subsegment to filter the table."
        />
      </div>
    </>
  );
}

function FamilyTable({ summary }: { summary: PropensitySummaryResponse }) {
  return (
    <div class="table-scroll" role="region" aria-label="Propensity families" tabIndex={0}>
      <table class="data-table compact">
        <thead>
          <tr>
            <th scope="col">Family</th>
            <th scope="col" class="num">
              Propensities
            </th>
            <th scope="col" class="num">
              Customers
            </th>
            <th scope="col" class="num">
              Estimated annual revenue
            </th>
          </tr>
        </thead>
        <tbody>
          {summary.families.map((f) => (
            <tr key={f.family}>
              <th scope="row">{f.family}</th>
              <td class="num">{formatInteger(f.propensities)}</td>
              <td class="num">{formatInteger(f.customers)}</td>
              <td class="num">{f.estimatedAnnualRevenue > 0 ? formatMoney(f.estimatedAnnualRevenue) : "–"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
