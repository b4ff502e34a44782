import { useMemo } from "preact/hooks";
import { segments } from "../../../../shared/domain/datasets.js";
import { salesMotions } from "../../../../shared/domain/cloudEndpoints/salesMotion.js";
import { ChartCard, type ChartPoint } from "../../components/Chart.js";
import { Tile, Tiles } from "../../components/Tiles.js";
import { formatCompactMoney, formatInteger, formatMoney, formatMonth, formatPercent } from "../../app/format.js";
import type { CloudEndpointsSummaryResponse } from "../../app/types.js";
import type { Filters } from "./query.js";

// KPI tiles and the five charts. A sales-motion, segment or renewal bar (or a motion tile) filters the table.

export function Overview({ summary, filters, onFilter }: { summary: CloudEndpointsSummaryResponse; filters: Filters; onFilter: (patch: Partial<Filters>) => void }) {
  const { kpis, charts } = summary;
  const bySegment = useMemo<ChartPoint[]>(() => charts.tenantsBySegment.map((p) => ({ label: p.label, value: p.count })), [charts]);
  const penetration = useMemo<ChartPoint[]>(
    () =>
      kpis.tenants === 0
        ? []
        : [
            { label: "With W365 PAU", value: charts.w365TenantPenetration.withW365Pau },
            { label: "Without W365 PAU", value: charts.w365TenantPenetration.withoutW365Pau },
          ],
    [charts, kpis.tenants],
  );
  const byMotion = useMemo<ChartPoint[]>(() => charts.tenantsBySalesMotion.map((p) => ({ label: p.label, value: p.count })), [charts]);
  const byRenewal = useMemo<ChartPoint[]>(() => charts.tenantsByRenewalPeriod.map((p) => ({ label: p.label, value: p.count })), [charts]);
  const byWorkshop = useMemo<ChartPoint[]>(() => charts.potentialEarningsByWorkshop.map((p) => ({ label: p.label, value: p.potentialEarnings })), [charts]);
  const renewalSelected = filters.renewalFrom && filters.renewalFrom === filters.renewalTo ? filters.renewalFrom : undefined;

  return (
    <>
      <Tiles label="Key figures">
        <Tile label="Tenants" value={formatInteger(kpis.tenants)} />
        <Tile
          label="Seat penetration"
          value={formatPercent(kpis.w365SeatPenetration)}
          hint={`${formatInteger(kpis.w365Pau)} W365 PAU of ${formatInteger(kpis.w365EligibleSeats)} eligible seats`}
        />
        <Tile label="Seat whitespace" value={formatInteger(kpis.w365SeatWhitespace)} hint="eligible seats without W365" />
        <Tile label="Incentive-eligible tenants" value={formatInteger(kpis.incentiveEligibleTenants)} />
        <Tile label="Potential earnings" value={formatMoney(kpis.potentialEarnings)} hint="MCI engagements" />
      </Tiles>

      <section class="motions" aria-labelledby="motions-title">
        <h2 id="motions-title" class="section-title">
          Tenants by sales motion
        </h2>
        <ul class="motion-tiles">
          {salesMotions.map((motion) => (
            <li key={motion}>
              <button
                type="button"
                class="motion-tile"
                aria-pressed={filters.salesMotion === motion}
                onClick={() => onFilter({ salesMotion: filters.salesMotion === motion ? undefined : motion })}
              >
                <span class="tile-value">{formatInteger(kpis.salesMotions[motion] ?? 0)}</span>
                <span class="tile-label">{motion}</span>
              </button>
            </li>
          ))}
        </ul>
      </section>

      <div class="charts">
        <ChartCard
          title="Tenants by segment"
          kind="bar"
          points={bySegment}
          format={formatInteger}
          selected={filters.segment}
          onSelect={(label) => (segments as readonly string[]).includes(label) && onFilter({ segment: filters.segment === label ? undefined : label })}
          hint="Click a bar to filter the table."
        />
        <ChartCard title="W365 penetration (tenants)" kind="doughnut" points={penetration} format={formatInteger} />
        <ChartCard
          title="Tenants by sales motion"
          kind="horizontalBar"
          points={byMotion}
          format={formatInteger}
          selected={filters.salesMotion}
          onSelect={(label) => onFilter({ salesMotion: filters.salesMotion === label ? undefined : label })}
          hint="Click a bar to filter the table."
        />
        <ChartCard
          title="Tenants by renewal period"
          kind="bar"
          points={byRenewal}
          format={formatInteger}
          labelOf={formatMonth}
          selected={renewalSelected}
          onSelect={(label) =>
            onFilter(renewalSelected === label ? { renewalFrom: undefined, renewalTo: undefined } : { renewalFrom: label, renewalTo: label })
          }
          hint="Click a month to filter the table."
        />
        <ChartCard title="Potential earnings by workshop" kind="horizontalBar" points={byWorkshop} format={formatCompactMoney} />
      </div>
    </>
  );
}
