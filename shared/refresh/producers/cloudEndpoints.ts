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
import { incentivesDocSchema, subscriptionsDocSchema, tenantDocSchema } from "../../domain/documents.js";
import { liveIngestionIds, type LiveSet } from "../../ingest/liveSet.js";
import type { PartnerDataReader } from "../../ports/partnerData.js";
import { readLatestUsage } from "../partnerHistory.js";
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

/** Each tenant's Cloud Endpoints usage figures from its latest usage month. */
async function latestUsageByTenant(data: PartnerDataReader, partnerId: string, live: LiveSet): Promise<Map<string, UsageFigures>> {
  const out = new Map<string, UsageFigures>();
  for (const [tenantId, { month, workloads }] of await readLatestUsage(data, partnerId, live)) out.set(tenantId, latestUsage({ months: { [month]: workloads } }));
  return out;
}

async function drain<T>(pages: AsyncIterable<T[]>, each: (item: T) => void): Promise<void> {
  for await (const page of pages) for (const item of page) each(item);
}
