import {
  scoreOpportunities,
  summarizeOpportunities,
  type Opportunity,
  type OpportunitySettings,
  type PreviousOpportunity,
} from "../../domain/opportunities/index.js";
import { opportunitySearchText, opportunityRowKey, previousOfRow, toOpportunityRow, type OpportunitiesSummary } from "../../domain/opportunities/stored.js";
import type { ModelStore } from "../../ports/models.js";
import type { OpportunityFeedbackStore, OpportunityModelRegistry } from "../../ports/opportunities.js";
import type { ResultReader, RowQuery } from "../../ports/results.js";
import { dataFingerprint, readPartnerHistories, type HistoryReaders } from "../opportunities/histories.js";
import { currentModelSet } from "../opportunities/modelLifecycle.js";
import type { RowInput } from "../publisher.js";
import type { TabProducer } from "./producer.js";

// The Opportunities tab (Sales Advisor) as a producer of the result-set publisher: reads the partner's live history
// (partnerHistory.ts), retrains the models whose data changed and reuses the others (opportunities/modelLifecycle.ts),
// scores the latest snapshot, and writes one row per listed opportunity plus one per opportunity hidden by feedback
// (opportunities/stored.ts), with the overview and prioritised tiles as the summary. Date added carries over from
// the tab's current result set, read through the result reader.

export interface OpportunitiesProducerDeps {
  /** Reads the history (opportunities/histories.ts HistoryReaders). */
  data: HistoryReaders;
  /** The tab's current result set (date added, hidden opportunities). */
  results: Pick<ResultReader, "pointer" | "rows">;
  feedback: Pick<OpportunityFeedbackStore, "list">;
  registry: OpportunityModelRegistry;
  models: ModelStore;
  settings: OpportunitySettings;
  log?: { info(message: string): void; warn(message: string): void };
}

const rowsPerWrite = 1000;
const previousPageSize = 5000;

export function opportunitiesProducer(deps: OpportunitiesProducerDeps): TabProducer {
  return {
    tab: "opportunities",
    async produce({ partner, live, now, log }, sink) {
      const partnerId = partner.partnerId;
      const { histories, tenantCount } = await readPartnerHistories(deps.data, partnerId, live);
      const previous = await readPrevious(deps.results, partnerId);
      const feedbackAsOf = new Date().toISOString();
      const feedback = await deps.feedback.list(partnerId);
      const models = await currentModelSet(
        { registry: deps.registry, store: deps.models, log: log ?? deps.log },
        { partnerId, histories, settings: deps.settings, feedback, data: dataFingerprint(live), now },
      );
      const scored = scoreOpportunities(models.modelSet, histories, previous, feedback, deps.settings, now);

      // Listed rows, then the ones feedback hides (kept for their date added, never listed).
      const all: { o: Opportunity; hidden: boolean }[] = [
        ...scored.opportunities.map((o) => ({ o, hidden: false })),
        ...scored.hidden.map((o) => ({ o, hidden: true })),
      ];
      for (let i = 0; i < all.length; i += rowsPerWrite) {
        const page: RowInput[] = all.slice(i, i + rowsPerWrite).map(({ o, hidden }) => ({
          key: opportunityRowKey(o, hidden),
          row: toOpportunityRow(o, hidden),
          searchText: opportunitySearchText(o),
        }));
        await sink.write(page);
      }
      const summary: OpportunitiesSummary = {
        ...summarizeOpportunities(scored.opportunities, tenantCount),
        hiddenByFeedback: scored.hidden.length,
        warnings: [...new Set([...models.modelSet.warnings, ...scored.warnings])],
        modelSetVersion: models.version,
        retrained: models.retrained,
        feedbackAsOf,
      };
      const retrained = models.retrained.length === 0 ? "no model retrained" : `retrained ${models.retrained.join(", ")}`;
      return {
        summary,
        rows: all.length,
        counts: { tenants: tenantCount, histories: histories.length, opportunities: scored.opportunities.length, hidden: scored.hidden.length, retrained: models.retrained.length },
        detail: `${scored.opportunities.length} opportunities for ${summary.customersWithOpportunities} of ${tenantCount} tenants (${scored.hidden.length} hidden by feedback), ${retrained}`,
      };
    },
  };
}

/** The current result set's opportunities, listed and hidden: what date added carries over from. */
async function readPrevious(results: OpportunitiesProducerDeps["results"], partnerId: string): Promise<PreviousOpportunity[]> {
  const pointer = await results.pointer(partnerId, "opportunities");
  if (!pointer) return [];
  const query: RowQuery = { tab: "opportunities", filters: [], sort: { field: "tenantId", order: "asc", optional: false } };
  const out: PreviousOpportunity[] = [];
  let from: Awaited<ReturnType<typeof results.rows>>["next"];
  do {
    const page = await results.rows(partnerId, pointer.resultSetId, query, previousPageSize, from);
    for (const doc of page.docs) {
      const previous = previousOfRow(doc);
      if (previous) out.push(previous);
    }
    from = page.next;
  } while (from);
  return out;
}
