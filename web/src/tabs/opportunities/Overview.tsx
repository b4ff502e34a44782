import { formatInteger } from "../../app/format.js";
import type { OpportunitiesSummaryResponse } from "../../app/types.js";
import { Tile, Tiles } from "../../components/Tiles.js";
import { categoryLabels, type Category, type ProbabilityStatus } from "./query.js";

// The overview tiles (customers with opportunities, opportunities by category) and the prioritised ones (High and
// Medium by category); a category or a prioritised count opens that tab with that probability.

export function Overview({ summary, onPick }: { summary: OpportunitiesSummaryResponse; onPick: (category: Category, status?: ProbabilityStatus) => void }) {
  const { overview, prioritised } = summary;
  return (
    <>
      <Tiles label="Overview">
        <Tile label="Customers with opportunities" value={formatInteger(overview.customersWithOpportunities)} hint={`of ${formatInteger(overview.totalTenants)} customer tenants`} />
        <Tile label="Opportunities" value={formatInteger(overview.opportunities)} hint={summary.hiddenByFeedback ? `${formatInteger(summary.hiddenByFeedback)} hidden by feedback` : undefined} />
        {overview.byCategory.map(({ category, count }) => (
          <li key={category} class="category-tile">
            <button type="button" class="motion-tile" onClick={() => onPick(category as Category)}>
              <span class="tile-label">{categoryLabels[category as Category]}</span>
              <span class="tile-value">{formatInteger(count)}</span>
              <span class="tile-hint">Show these</span>
            </button>
          </li>
        ))}
      </Tiles>
      <section aria-labelledby="prioritised-title">
        <h2 id="prioritised-title" class="section-title">
          Prioritised
        </h2>
        <ul class="prioritised">
          {prioritised.map(({ category, high, medium }) => (
            <li key={category}>
              <span class="tile-label">{categoryLabels[category as Category]}</span>
              <button type="button" class="secondary small" onClick={() => onPick(category as Category, "High")}>
                <span class="badge status-high">High</span> {formatInteger(high)}
              </button>
              <button type="button" class="secondary small" onClick={() => onPick(category as Category, "Medium")}>
                <span class="badge status-medium">Medium</span> {formatInteger(medium)}
              </button>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
