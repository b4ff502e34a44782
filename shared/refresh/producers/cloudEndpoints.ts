import { z } from "zod";
import {
  buildCloudEndpointsRow,
  countLicences,
  createSummaryAccumulator,
  distinctEngagements,
  latestUsage,
  searchText,
  type Engagement,
  type LicenceCounts,
  type UsageFigures,
} from "../../domain/cloudEndpoints/index.js";
import { incentivesDocSchema, monthUsageSchema, subscriptionsDocSchema, tenantDocSchema, usageDocSchema } from "../../domain/documents.js";
import { liveIngestionIds, type LiveSet } from "../../ingest/liveSet.js";
import type { PartnerDataReader } from "../../ports/partnerData.js";
import type { RowInput } from "../publisher.js";
import type { TabProducer } from "./producer.js";

// The Cloud Endpoints tab as a producer of the result-set publisher: reads the live drops' tenants, newest
// licences, latest usage month and engagements, and turns them into rows and the summary. The per-tenant facts
// (licences, latest usage, engagements) are read first and reduced to a few numbers as pages arrive; then the
// tenants stream, so neither the tenant documents nor the rows are ever held all at once.

export interface CloudEndpointsProducerDeps {
  data: PartnerDataReader;
  frontlineIndustries: readonly string[];
}

const licencesSchema = subscriptionsDocSchema.pick({ tenantId: true, items: true });
const usageLatestSchema = usageDocSchema.pick({ id: true, tenantId: true, ingestionId: true, latest: true });
const usageMonthsSchema = usageDocSchema.pick({ tenantId: true, ingestionId: true, months: true });
const incentivesSchema = incentivesDocSchema.pick({ tenantId: true, engagements: true });
const tenantFields = Object.keys(tenantDocSchema.shape);

export function cloudEndpointsProducer(deps: CloudEndpointsProducerDeps): TabProducer {
  return {
    tab: "cloudEndpoints",
    async produce({ partner, live }, sink) {
      const partnerId = partner.partnerId;
      const tenantsSnapshot = live.snapshots.tenants?.[0];
      const licences = new Map<string, LicenceCounts>();
      const engagements = new Map<string, Engagement[]>();
      const [usage] = await Promise.all([
        latestUsageByTenant(deps.data, partnerId, live),
        drain(deps.data.documents(partnerId, "subscriptions", (live.snapshots.subscriptions ?? []).slice(0, 1).map((s) => s.ingestionId), licencesSchema, ["tenantId", "items"]), (doc) =>
          licences.set(doc.tenantId, countLicences(doc.items)),
        ),
        drain(deps.data.documents(partnerId, "incentives", liveIngestionIds(live, "incentives"), incentivesSchema, ["tenantId", "engagements"]), (doc) => {
          const list = distinctEngagements(doc);
          if (list.length > 0) engagements.set(doc.tenantId, list);
        }),
      ]);

      const ctx = { frontlineIndustries: deps.frontlineIndustries, partnerName: partner.name };
      const summary = createSummaryAccumulator();
      const noLicences = countLicences([]);
      const noUsage = latestUsage(undefined);
      let tenants = 0;
      let rows = 0;
      const tenantDocs = deps.data.documents(partnerId, "tenant", tenantsSnapshot ? [tenantsSnapshot.ingestionId] : [], tenantDocSchema, tenantFields);
      for await (const page of tenantDocs) {
        const out: RowInput[] = [];
        for (const tenant of page) {
          tenants += 1;
          const tenantEngagements = engagements.get(tenant.tenantId) ?? [];
          const row = buildCloudEndpointsRow(
            { tenant, licences: licences.get(tenant.tenantId) ?? noLicences, usage: usage.get(tenant.tenantId) ?? noUsage, engagements: tenantEngagements },
            ctx,
          );
          if (!row) continue;
          summary.add({ row, engagements: tenantEngagements });
          out.push({ key: row.tenantId, row, searchText: searchText(row) });
        }
        rows += out.length;
        await sink.write(out);
      }
      return { summary: summary.result(), rows, counts: { tenants }, detail: `${rows} of ${tenants} tenants visible` };
    },
  };
}

/**
 * Each tenant's latest usage month among the months the live drops supply. Usage documents carry `latest` (their
 * newest month): that is all that travels, unless a newer drop has replaced that month, in which case the
 * tenant's documents are read whole (rare: only tenants missing from the newest drop of their latest month).
 */
async function latestUsageByTenant(data: PartnerDataReader, partnerId: string, live: LiveSet): Promise<Map<string, UsageFigures>> {
  const best = new Map<string, { month: string; workloads: z.infer<typeof monthUsageSchema> }>();
  const fallback: { id: string; tenantId: string; month: string }[] = [];
  const consider = (tenantId: string, month: string, workloads: z.infer<typeof monthUsageSchema>) => {
    const known = best.get(tenantId);
    if (!known || month > known.month) best.set(tenantId, { month, workloads });
  };
  await drain(data.documents(partnerId, "usage", liveIngestionIds(live, "usage"), usageLatestSchema, ["id", "tenantId", "ingestionId", "latest"]), (doc) => {
    // A document without latest (none written by this code lacks it) is read whole, like an overridden month.
    if (!doc.latest) fallback.push({ id: doc.id, tenantId: doc.tenantId, month: "9999-99" });
    else if (live.usageMonths.get(doc.latest.month) === doc.ingestionId) consider(doc.tenantId, doc.latest.month, doc.latest.workloads);
    else fallback.push({ id: doc.id, tenantId: doc.tenantId, month: doc.latest.month });
  });
  // Only documents that could still hold a later month than the tenant's best one so far need reading whole.
  const unresolved = fallback.filter((f) => (best.get(f.tenantId)?.month ?? "") < f.month).map((f) => f.id);
  for (let i = 0; i < unresolved.length; i += 500) {
    for (const doc of await data.documentsById(partnerId, unresolved.slice(i, i + 500), usageMonthsSchema)) {
      for (const [month, workloads] of Object.entries(doc.months)) {
        if (live.usageMonths.get(month) === doc.ingestionId) consider(doc.tenantId, month, workloads);
      }
    }
  }
  const out = new Map<string, UsageFigures>();
  for (const [tenantId, { month, workloads }] of best) out.set(tenantId, latestUsage({ months: { [month]: workloads } }));
  return out;
}

async function drain<T>(pages: AsyncIterable<T[]>, each: (item: T) => void): Promise<void> {
  for await (const page of pages) for (const item of page) each(item);
}
