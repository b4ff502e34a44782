import { randomBytes } from "node:crypto";
import {
  buildCloudEndpointsRow,
  countLicences,
  createSummaryAccumulator,
  currentSubscriptionItems,
  distinctEngagements,
  latestUsage,
  searchText,
  type Engagement,
  type LicenceCounts,
  type UsageFigures,
} from "../domain/cloudEndpoints.js";
import type {
  CloudEndpointsRowDoc,
  CloudEndpointsSummary,
  CloudEndpointsSummaryDoc,
  ResultPointerDoc,
} from "../domain/results.js";
import type { RefreshSource, ResultStore } from "../ports/results.js";

// Refreshes one partner: reads its data, computes the Cloud Endpoints result set, writes it whole,
// then switches the partner's pointer in ONE conditional write. Nothing reads a result set before the
// pointer names it, so readers never see half a refresh; two refreshes of one partner cannot both
// switch from the same pointer state. The loser removes its set; when the winner's data version covers
// the one the loser read at its start, the loser's work is redundant and it ends "superseded" (not a
// failure); otherwise it throws RefreshConflictError (the queue retries it, so it recomputes on fresh data).

export class RefreshConflictError extends Error {
  readonly code = "refresh_conflict";
  constructor(partnerId: string) {
    super(`another refresh of partner ${partnerId} switched the result pointer first`);
    this.name = "RefreshConflictError";
  }
}

export class UnknownPartnerError extends Error {
  readonly code = "partner_not_found";
  constructor(partnerId: string) {
    super(`partner ${partnerId} is not registered`);
    this.name = "UnknownPartnerError";
  }
}

export interface RefreshLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface RefreshDeps {
  source: RefreshSource;
  results: ResultStore;
  frontlineIndustries: readonly string[];
  log?: RefreshLogger;
}

export interface RefreshOptions {
  now?: () => Date;
  /**
   * Skip when the results already reflect the partner's data version (drop- and schedule-triggered jobs):
   * the partner doc's refreshedDataVersion or the pointer's dataVersion covers its dataVersion.
   */
  onlyIfChanged?: boolean;
}

export type RefreshOutcome =
  | {
      status: "refreshed";
      resultSetId: string;
      previousResultSetId?: string;
      tenants: number;
      rows: number;
      deletedResultSets: string[];
      /** facts: licences, usage and incentives read; rows: tenants read, rows computed and written. */
      timingsMs: { facts: number; rows: number; switch: number; cleanup: number; total: number };
    }
  | { status: "skipped"; reason: "unchanged" | "offboarded" }
  | {
      /** Another refresh switched first with data at least as new as ours: ours was discarded, nothing is lost. */
      status: "superseded";
      discardedResultSetId: string;
      winnerResultSetId?: string;
      dataVersion?: string;
    };

export async function refreshPartner(
  deps: RefreshDeps,
  partnerId: string,
  options: RefreshOptions = {},
): Promise<RefreshOutcome> {
  const now = options.now ?? (() => new Date());
  const log = deps.log;
  const clock = stopwatch();

  const partner = await deps.source.readPartner(partnerId);
  if (!partner) throw new UnknownPartnerError(partnerId);
  if (partner.offboardedAt) return { status: "skipped", reason: "offboarded" };
  if (
    options.onlyIfChanged &&
    (partner.dataVersion === undefined ||
      (partner.refreshedDataVersion !== undefined && partner.refreshedDataVersion >= partner.dataVersion))
  ) {
    return { status: "skipped", reason: "unchanged" };
  }

  // The pointer's ETag is read before any data: whoever switches after this point wins over us.
  const { pointer, etag } = await deps.results.readPointer(partnerId);
  // A refresh that switched but has not yet recorded refreshedDataVersion already covers this data.
  if (options.onlyIfChanged && covers(pointer?.dataVersion, partner.dataVersion)) {
    return { status: "skipped", reason: "unchanged" };
  }
  const startedAt = now();
  const resultSetId = newResultSetId(startedAt, pointer?.resultSetId);
  const asOf = {
    tenants: partner.datasets.tenants?.asOf,
    subscriptions: partner.datasets.subscriptions?.asOf,
    incentives: partner.datasets.incentives?.asOf,
  };

  // ---- read the per-tenant facts first (licences, latest usage, engagements), in parallel, each reduced to a
  // few numbers as its pages arrive; then stream the tenants, so neither the tenant documents nor the rows
  // are ever held all at once.
  const licences = new Map<string, LicenceCounts>();
  const usage = new Map<string, UsageFigures>();
  const engagements = new Map<string, Engagement[]>();
  await Promise.all([
    drain(deps.source.latestSubscriptions(partnerId), (doc) => {
      const items = currentSubscriptionItems({ snapshots: doc.latest ? [doc.latest] : [] }, asOf.subscriptions);
      licences.set(doc.tenantId, countLicences(items));
    }),
    drain(deps.source.usage(partnerId), (doc) => usage.set(doc.tenantId, latestUsage(doc))),
    drain(deps.source.incentives(partnerId), (doc) => {
      const list = distinctEngagements(doc, asOf.incentives);
      if (list.length > 0) engagements.set(doc.tenantId, list);
    }),
  ]);
  const factsMs = clock.lap();

  // ---- rows: computed a page of tenants at a time and written while the next page is read.
  // A placeholder summary goes first: it marks the set as existing (for cleanup) before any row exists.
  const summaryDoc = (summary: CloudEndpointsSummary): CloudEndpointsSummaryDoc => ({
    ...summary,
    id: `ceSummary:${resultSetId}`,
    partnerId,
    type: "ceSummary",
    resultSetId,
  });
  const ctx = { frontlineIndustries: deps.frontlineIndustries, partnerName: partner.name };
  const summary = createSummaryAccumulator();
  const noLicences = countLicences([]);
  const noUsage = latestUsage(undefined);
  let tenantCount = 0;
  let rowCount = 0;
  let staleTenants = 0;
  let writing: Promise<void> = Promise.resolve();
  try {
    await deps.results.writeDocuments(partnerId, [summaryDoc(createSummaryAccumulator().result())]);
    for await (const page of deps.source.tenants(partnerId)) {
      const rowDocs: CloudEndpointsRowDoc[] = [];
      for (const tenant of page) {
        // A tenant missing from the latest tenants drop is gone.
        if (asOf.tenants !== undefined && tenant.asOf < asOf.tenants) {
          staleTenants += 1;
          continue;
        }
        tenantCount += 1;
        const tenantEngagements = engagements.get(tenant.tenantId) ?? [];
        const row = buildCloudEndpointsRow(
          {
            tenant,
            licences: licences.get(tenant.tenantId) ?? noLicences,
            usage: usage.get(tenant.tenantId) ?? noUsage,
            engagements: tenantEngagements,
          },
          ctx,
        );
        if (!row) continue;
        summary.add({ row, engagements: tenantEngagements });
        rowDocs.push({
          ...row,
          id: `ce:${resultSetId}:${row.tenantId}`,
          partnerId,
          type: "ceRow",
          resultSetId,
          searchText: searchText(row),
        });
      }
      rowCount += rowDocs.length;
      await writing;
      writing = deps.results.writeDocuments(partnerId, rowDocs);
      // A failure surfaces at the next await; until then it must not count as unhandled.
      writing.catch(() => undefined);
    }
    await writing;
    await deps.results.writeDocuments(partnerId, [summaryDoc(summary.result())]);
  } catch (err) {
    // Let a write still in flight land first, so the delete finds every document of the set.
    await writing.catch(() => undefined);
    await bestEffortDelete(deps, partnerId, resultSetId, "after a failed read or write");
    throw err;
  }
  const rowsMs = clock.lap();

  // ---- switch the pointer: one conditional write
  const newPointer: ResultPointerDoc = {
    id: "current",
    partnerId,
    type: "pointer",
    resultSetId,
    ...(pointer ? { previousResultSetId: pointer.resultSetId } : {}),
    refreshedAt: now().toISOString(),
    ...(partner.dataVersion !== undefined ? { dataVersion: partner.dataVersion } : {}),
    asOf: Object.fromEntries(
      Object.entries(partner.datasets).flatMap(([name, state]) => (state ? [[name, state.asOf]] : [])),
    ),
  };
  let switched: boolean;
  try {
    switched = await deps.results.switchPointer(partnerId, newPointer, etag);
  } catch (err) {
    await bestEffortDelete(deps, partnerId, resultSetId, "after a failed switch");
    throw err;
  }
  if (!switched) {
    await bestEffortDelete(deps, partnerId, resultSetId, "after losing the switch");
    // Several drops of one partner queue several jobs: the winner usually read the same data (or newer),
    // and then our work is redundant rather than failed.
    const { pointer: winner } = await deps.results.readPointer(partnerId);
    if (winner && covers(winner.dataVersion, partner.dataVersion)) {
      log?.info(
        `refresh ${partnerId}: superseded by result set ${winner.resultSetId} (data version ${winner.dataVersion ?? "none"}); ` +
          `result set ${resultSetId} discarded`,
      );
      return {
        status: "superseded",
        discardedResultSetId: resultSetId,
        winnerResultSetId: winner.resultSetId,
        ...(winner.dataVersion !== undefined ? { dataVersion: winner.dataVersion } : {}),
      };
    }
    log?.warn(`refresh ${partnerId}: another refresh switched first with older data; result set ${resultSetId} discarded`);
    throw new RefreshConflictError(partnerId);
  }
  const switchMs = clock.lap();

  // ---- cleanup (best effort): keep the new set and the previous one, so a reader paging through the
  // previous set keeps working. Only sets older than the previous go: a refresh that can still switch
  // read the pointer after our switch, so its id is newer than ours and is never touched.
  const deletedResultSets: string[] = [];
  const keepFrom = pointer?.resultSetId ?? resultSetId;
  try {
    for (const id of await deps.results.listResultSetIds(partnerId)) {
      if (id >= keepFrom) continue;
      await deps.results.deleteResultSet(partnerId, id);
      deletedResultSets.push(id);
    }
  } catch (err) {
    log?.warn(`refresh ${partnerId}: cleanup of old result sets failed and will be retried next refresh: ${describe(err)}`);
  }
  if (partner.dataVersion !== undefined) {
    try {
      await deps.source.recordRefreshed(partnerId, partner.dataVersion);
    } catch (err) {
      // The results are switched; a missing mark only means the timer asks for one more refresh.
      log?.warn(`refresh ${partnerId}: recording refreshedDataVersion failed: ${describe(err)}`);
    }
  }
  const cleanupMs = clock.lap();

  const outcome: RefreshOutcome = {
    status: "refreshed",
    resultSetId,
    ...(pointer ? { previousResultSetId: pointer.resultSetId } : {}),
    tenants: tenantCount,
    rows: rowCount,
    deletedResultSets,
    timingsMs: { facts: factsMs, rows: rowsMs, switch: switchMs, cleanup: cleanupMs, total: clock.total() },
  };
  log?.info(
    `refresh ${partnerId}: ${rowCount} of ${tenantCount} tenants visible` +
      (staleTenants > 0 ? ` (${staleTenants} not in the latest tenants drop)` : "") +
      `, result set ${resultSetId} in ${outcome.timingsMs.total} ms`,
  );
  return outcome;
}

/**
 * Time-sortable and unique: UTC timestamp to the millisecond plus random hex. Always sorts after the
 * set the pointer names, even if this instance's clock is behind the one that wrote it.
 */
export function newResultSetId(now: Date, after?: string): string {
  let ms = now.getTime();
  const previous = after ? parseResultSetTime(after) : undefined;
  if (previous !== undefined && ms <= previous) ms = previous + 1;
  const stamp = new Date(ms).toISOString().replace(/[-:.]/g, ""); // 20240601T020000123Z
  return `${stamp}-${randomBytes(4).toString("hex")}`;
}

function parseResultSetTime(id: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z/.exec(id);
  if (!m) return undefined;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7]);
}

/** Whether results computed at data version `have` reflect data version `want` (ISO times compare as text). */
function covers(have: string | undefined, want: string | undefined): boolean {
  if (want === undefined) return true;
  return have !== undefined && have >= want;
}

async function drain<T>(pages: AsyncIterable<T[]>, each: (item: T) => void): Promise<void> {
  for await (const page of pages) for (const item of page) each(item);
}

async function bestEffortDelete(deps: RefreshDeps, partnerId: string, resultSetId: string, when: string): Promise<void> {
  try {
    await deps.results.deleteResultSet(partnerId, resultSetId);
  } catch (err) {
    deps.log?.warn(`refresh ${partnerId}: removing result set ${resultSetId} ${when} failed (a later refresh removes it): ${describe(err)}`);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function stopwatch() {
  const start = performance.now();
  let last = start;
  return {
    lap(): number {
      const t = performance.now();
      const ms = Math.round(t - last);
      last = t;
      return ms;
    },
    total: () => Math.round(performance.now() - start),
  };
}
