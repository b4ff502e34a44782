import { createHash, randomBytes } from "node:crypto";
import { describeError } from "../../errors.js";
import { addMonths, isoDay } from "../../domain/propensity/dates.js";
import {
  defaultClusterMapping,
  fitModelFromJSON,
  fitModelKind,
  fitModelToJSON,
  isDue,
  propensityReport,
  scorePropensity,
  selectPropensityTenants,
  signalHorizonDays,
  trainFit,
  type ClusterMapping,
  type CustomerPropensity,
  type FitModel,
  type FitModelJson,
  type FitModelRecordDoc,
  type ListedTenant,
  type PropensitySettings,
  type TenantInput,
  type TenantLicences,
} from "../../domain/propensity/index.js";
import type { LiveSet, LiveSnapshot } from "../../ingest/liveSet.js";
import type { ModelStore } from "../../ports/models.js";
import type { PartnerDataReader } from "../../ports/partnerData.js";
import type { ClusterMappingStore, FitModelRecords } from "../../ports/propensity.js";
import { readFirstAppearance, readInstallBase, readLatestUsage, readSignals, readSubscriptionSnapshot, readTenantFields } from "../partnerHistory.js";
import type { RowInput } from "../publisher.js";
import type { TabProducer } from "./producer.js";

// The Propensity (CloudAscent) tab as a producer of the result-set publisher. Every refresh (after each drop and
// daily by the timer) reads the live tenants, the newest and an earlier subscriptions snapshot, the latest usage
// month, the accumulated signals and the newest install base; scores intent afresh (it decays with time); reuses
// the stored fit model unless the tenants or subscriptions drops it learned from changed, the fit settings
// changed, or it is due (PROPENSITY_FIT_EVERY_MONTHS, quarterly by default); applies the partner's cluster
// mapping; and writes one row per customer or prospect (products nested) and the dashboard with its report.

export interface PropensityProducerDeps {
  data: PartnerDataReader;
  models: ModelStore;
  fitModels: FitModelRecords;
  clusterMappings: ClusterMappingStore;
  settings: PropensitySettings;
  fitEveryMonths: number;
}

/** The tenants-file columns the tab uses (firmographics, names, associations). */
const listedTenantFields = [
  "tenantName",
  "domain",
  "countryRegion",
  "segment",
  "subSegment",
  "tpid",
  "customerName",
  "industry",
  "employees",
  "azureMonthlyRevenue",
  "cporAssociation",
  "cspAssociation",
  "eaLicensingPartner",
  "eaRenewal",
  "largestCspRenewal",
] as const satisfies readonly (keyof ListedTenant)[];

/** Rows per write: the publisher writes one page while the next is built. */
const rowsPerPage = 250;

export function propensityProducer(deps: PropensityProducerDeps): TabProducer {
  return {
    tab: "propensity",
    async produce({ partner, live, now }, sink) {
      const partnerId = partner.partnerId;
      const asOf = now.toISOString();
      const today = asOf.slice(0, 10);
      const subscriptionSnapshots = live.snapshots.subscriptions ?? [];
      const newest = subscriptionSnapshots[0];
      const earlier = earlierSnapshot(subscriptionSnapshots);
      // The snapshots older than the two read whole tell when a tenant was first seen (two fields each).
      const olderSnapshots = subscriptionSnapshots.filter((s) => s !== newest && s !== earlier);
      const [tenants, current, before, firstSeenOlder, usage, signals, installBase, savedMapping] = await Promise.all([
        readTenantFields(deps.data, partnerId, live, listedTenantFields),
        newest ? readSubscriptionSnapshot(deps.data, partnerId, newest) : new Map<string, never>(),
        earlier ? readSubscriptionSnapshot(deps.data, partnerId, earlier) : undefined,
        olderSnapshots.length > 0 ? readFirstAppearance(deps.data, partnerId, olderSnapshots) : undefined,
        readLatestUsage(deps.data, partnerId, live),
        readSignals(deps.data, partnerId, live, asOf),
        readInstallBase(deps.data, partnerId, live),
        deps.clusterMappings.read(partnerId),
      ]);

      const licences = new Map<string, TenantLicences>();
      for (const [tenantId, items] of current) {
        const earlierItems = earlier ? before?.get(tenantId) : undefined;
        const seen = [firstSeenOlder?.get(tenantId), earlierItems ? earlier!.asOf : undefined, newest?.asOf].filter((d) => d !== undefined);
        const firstSeenOn = seen.length > 0 ? seen.reduce((a, b) => (a < b ? a : b)) : undefined;
        licences.set(tenantId, {
          current: items,
          ...(earlier && earlierItems ? { earlier: { asOf: earlier.asOf, items: earlierItems } } : {}),
          ...(firstSeenOn ? { firstSeenOn } : {}),
        });
      }
      const selection = selectPropensityTenants(tenants.values(), licences, usage);
      tenants.clear();

      const fit = await fitModelFor(deps, partnerId, live, selection.inputs, now);
      const clusterMapping: ClusterMapping = savedMapping?.mapping ?? defaultClusterMapping;
      const result = scorePropensity(
        { asOf, tenants: selection.inputs, signals: signals.signals, installBase, unlistedTenants: selection.unlisted },
        { settings: deps.settings, clusterMapping, fitModel: fit.model },
      );

      let products = 0;
      for (let i = 0; i < result.customers.length; i += rowsPerPage) {
        const page: RowInput[] = result.customers.slice(i, i + rowsPerPage).map((c) => {
          products += c.products.length;
          return { key: c.tenantId, row: propensityRowDoc(c), searchText: searchTextOf(c) };
        });
        await sink.write(page);
      }

      const report = propensityReport({
        result,
        tenants: { renewalOnly: selection.renewalOnly, licencesWithheld: selection.licencesWithheld },
        signals: { staged: signals.staged, repeated: signals.repeated, pastHorizon: signals.pastHorizon, horizonDays: signalHorizonDays },
        fitModel: { reused: fit.reused, version: fit.record.version, trainedAt: fit.record.trainedAt, dueOn: addMonths(fit.record.trainedOn, deps.fitEveryMonths) },
      });
      report.messages.push(...fit.notes);
      const summary = {
        ...result.summary,
        report,
        clusterMapping: { mapping: clusterMapping, isDefault: savedMapping === undefined, ...(savedMapping ? { updatedAt: savedMapping.updatedAt } : {}) },
        settings: {
          halfLifeDays: deps.settings.intent.halfLifeDays,
          signalWeights: deps.settings.intent.signalWeights,
          fitEveryMonths: deps.fitEveryMonths,
          signalHorizonDays,
        },
      };
      const rows = result.customers.length;
      return {
        summary,
        rows,
        counts: { tenants: rows, products, signals: report.intent.read },
        detail: `${rows} customers and prospects, ${products} product propensities, ${report.intent.read} signals; fit ${result.fit.basis} (${fit.reused ? "reused" : "trained"} ${fit.record.version}) as of ${today}`,
      };
    },
  };
}

/**
 * The snapshot seat growth is measured against: the newest one at least three months older than the newest
 * snapshot, else the oldest one older than it (less history than three months), else none.
 */
export function earlierSnapshot(newestFirst: readonly LiveSnapshot[]): LiveSnapshot | undefined {
  if (newestFirst.length < 2) return undefined;
  const cut = addMonths(newestFirst[0].asOf, -3);
  return newestFirst.slice(1).find((s) => s.asOf <= cut) ?? newestFirst[newestFirst.length - 1];
}

/** What the fit model learns from: the live tenants and subscriptions drops and the fit settings. */
export function fitInputsKey(live: LiveSet, settings: PropensitySettings): string {
  const inputs = {
    tenants: (live.snapshots.tenants ?? []).map((s) => s.ingestionId),
    subscriptions: (live.snapshots.subscriptions ?? []).map((s) => s.ingestionId),
    fit: settings.fit,
  };
  return createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 32);
}

interface ChosenFit {
  model: FitModel;
  record: FitModelRecordDoc;
  reused: boolean;
  /** What went wrong with the stored model, for the tab's report (the refresh has no log of its own). */
  notes: string[];
}

/** The stored fit model when it still stands (same inputs, not due), else a newly trained and stored one. */
async function fitModelFor(deps: PropensityProducerDeps, partnerId: string, live: LiveSet, tenants: readonly TenantInput[], now: Date): Promise<ChosenFit> {
  const inputsKey = fitInputsKey(live, deps.settings);
  const today = isoDay(now.toISOString())!;
  const record = await deps.fitModels.read(partnerId);
  const notes: string[] = [];
  if (record && record.inputsKey === inputsKey && !isDue(record.trainedOn, today, deps.fitEveryMonths)) {
    try {
      const artifact = await deps.models.load(partnerId, fitModelKind, record.version);
      if (artifact !== undefined) return { model: fitModelFromJSON(artifact as FitModelJson), record, reused: true, notes };
      notes.push(`The stored fit model ${record.version} is missing from the model store; fit was learned again.`);
    } catch (err) {
      notes.push(`The stored fit model ${record.version} could not be read (${describeError(err)}); fit was learned again.`);
    }
  }
  const model = trainFit(tenants, now.toISOString(), deps.settings.fit);
  const version = `${now.toISOString().replace(/[-:.]/g, "")}-${randomBytes(3).toString("hex")}`;
  const artifact = await deps.models.save(partnerId, fitModelKind, version, fitModelToJSON(model));
  const next: FitModelRecordDoc = {
    id: "propensity:fitModel",
    partnerId,
    type: "propensityFitModel",
    version,
    artifact,
    ...(record ? { previousVersion: record.version } : {}),
    trainedAt: now.toISOString(),
    trainedOn: today,
    inputsKey,
    report: model.report,
  };
  await deps.fitModels.write(next);
  // The version before the previous one explains no current result set any more; removing it is best effort.
  if (record?.previousVersion !== undefined && record.previousVersion !== version) {
    await deps.models.remove(partnerId, fitModelKind, record.previousVersion).catch(() => undefined);
  }
  return { model, record: next, reused: false, notes };
}

// ---- rows ------------------------------------------------------------------------------------------

/** Matrix order as one number, highest first: A1 … D4, then fit, then intent; tenants without a cell by intent. */
export function priorityOf(c: Pick<CustomerPropensity, "cell" | "fit" | "intent">): number {
  const cellRank = c.cell === undefined ? 0 : 16 - ("ABCD".indexOf(c.cell[0]) * 4 + Number(c.cell[1]) - 1);
  return cellRank * 1_000_000 + (c.fit ?? 0) * 1000 + c.intent;
}

/** Lower-case "name:value" tags the list filters on (families, products by name or part number, firmographics). */
export function facetsOf(c: CustomerPropensity): string[] {
  const tags = new Set<string>();
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined && value.trim() !== "") tags.add(`${name}:${value.trim().toLowerCase()}`);
  };
  for (const p of c.products) {
    add("family", p.family);
    add("product", p.product);
    add("product", p.sku);
  }
  add("subsegment", c.subsegment);
  add("industry", c.industry);
  add("country", c.countryRegion);
  return [...tags];
}

const rounded = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The row as stored: working precision rounded away (the scores are whole numbers; 20,000 rows travel). */
function propensityRowDoc(c: CustomerPropensity): Record<string, unknown> {
  return {
    ...c,
    ...(c.fitProbability !== undefined ? { fitProbability: rounded(c.fitProbability, 4) } : {}),
    intentPoints: rounded(c.intentPoints, 3),
    strongestSignals: c.strongestSignals.map((s) => ({ ...s, points: rounded(s.points, 3) })),
    priority: priorityOf(c),
    facets: facetsOf(c),
  };
}

function searchTextOf(c: CustomerPropensity): string {
  return [c.tenantName, c.domain, c.tenantId, c.customerName, c.tpid].filter((x) => x !== undefined).join(" ").toLowerCase();
}
