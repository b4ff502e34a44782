import { subscriptionsDocSchema, tenantDocSchema, usageDocSchema, type SubscriptionItem, type TenantDoc } from "../domain/documents.js";
import { indexFeedback, isHiddenByFeedback, type FeedbackRecord, type Opportunity } from "../domain/opportunities/index.js";
import { stagedDocId } from "../ingest/datasets.js";
import { liveIngestionIds, resolveLiveSet } from "../ingest/liveSet.js";
import { opportunitiesSummaryDocSchema } from "../domain/opportunities/stored.js";
import { resultIds } from "../domain/results.js";
import type { OpportunityFeedbackStore } from "../ports/opportunities.js";
import type { PartnerDataReader } from "../ports/partnerData.js";
import type { ResultReader } from "../ports/results.js";
import type { UsageMonths } from "../refresh/partnerHistory.js";

// What the Opportunities routes read besides the result set: one customer's live data (a handful of point reads
// of the drops the live set names) and the feedback given since the result set was computed.

export interface CustomerData {
  tenant?: TenantDoc;
  /** The newest subscriptions snapshot's date and the customer's lines in it (none when it is not in that drop). */
  subscriptions?: { asOf: string; items: SubscriptionItem[] };
  usage: UsageMonths;
}

/** One customer's newest profile, newest licences and every live usage month; undefined when the partner's data lacks it. */
export async function readCustomerData(data: PartnerDataReader, partnerId: string, tenantId: string): Promise<CustomerData | undefined> {
  const live = resolveLiveSet(await data.loadedIngestions(partnerId));
  const tenantsDrop = live.snapshots.tenants?.[0];
  const newest = live.snapshots.subscriptions?.[0];
  const usageDrops = liveIngestionIds(live, "usage");
  const [tenant] = tenantsDrop ? await data.documentsById(partnerId, [stagedDocId("tenant", tenantsDrop.ingestionId, tenantId)], tenantDocSchema) : [];
  const [lines] = newest ? await data.documentsById(partnerId, [stagedDocId("subscriptions", newest.ingestionId, tenantId)], subscriptionsDocSchema) : [];
  const usageDocs = await data.documentsById(
    partnerId,
    usageDrops.map((id) => stagedDocId("usage", id, tenantId)),
    usageDocSchema,
  );
  const usage: UsageMonths = {};
  for (const doc of usageDocs) {
    for (const [month, workloads] of Object.entries(doc.months)) if (live.usageMonths.get(month) === doc.ingestionId) usage[month] = workloads;
  }
  if (!tenant && !lines && usageDocs.length === 0) return undefined;
  return {
    ...(tenant ? { tenant } : {}),
    ...(newest ? { subscriptions: { asOf: newest.asOf, items: lines?.items ?? [] } } : {}),
    usage,
  };
}

/**
 * Feedback given after a result set was computed is applied when its rows are read: an opportunity the latest
 * answer dismissed (same product and probability status) is left out, so the next list never shows it.
 */
export function dismissedFilter(feedback: readonly FeedbackRecord[]): (o: Pick<Opportunity, "tenantId" | "type" | "product" | "status">) => boolean {
  const index = indexFeedback(feedback);
  return (o) => isHiddenByFeedback(index, o);
}

/** How long before a result set's feedbackAsOf answers are still read: instances' clocks differ, and an answer stored just before the refresh read may not have been seen by it. */
export const feedbackSlackMs = 10 * 60_000;

/**
 * The filter for one result set's rows, from the answers it may not have applied: those given since its refresh
 * read the feedback (less the slack). Older answers are in the result set already (an opportunity they dismissed
 * is stored hidden and never listed), so a list reads the last few answers, not every answer ever given. A set
 * whose summary does not say when it read the feedback is filtered with every answer.
 */
export async function dismissedSince(
  deps: { results: Pick<ResultReader, "document">; feedback: Pick<OpportunityFeedbackStore, "list"> },
  partnerId: string,
  resultSetId: string,
): Promise<ReturnType<typeof dismissedFilter>> {
  const summary = opportunitiesSummaryDocSchema.safeParse(await deps.results.document(partnerId, resultIds.summary("opportunities", resultSetId)));
  const readAt = summary.success ? Date.parse(summary.data.feedbackAsOf) : NaN;
  const since = Number.isNaN(readAt) ? undefined : new Date(readAt - feedbackSlackMs).toISOString();
  return dismissedFilter(await deps.feedback.list(partnerId, since ? { since } : {}));
}
