import { describeError } from "../errors.js";
import type { TabName } from "../domain/results.js";
import { liveAsOf, resolveLiveSet } from "../ingest/liveSet.js";
import type { IngestionStore, StagingStore } from "../ports/ingest.js";
import type { PartnerDataReader } from "../ports/partnerData.js";
import type { PartnerRegistry } from "../ports/partners.js";
import type { ResultSetStore } from "../ports/results.js";
import type { TabProducer } from "./producers/producer.js";
import { PublishConflictError, publishResultSet, type PublishOutcome } from "./publisher.js";

// Refreshes one partner: computes which committed drops are live, then runs every tab's producer through the
// result-set publisher, one tab after another (bounded memory), each with its own pointer so one tab's failure
// never holds back another's. Afterwards (best effort) it removes the staged rows of drops that failed or that
// newer drops replaced. A failed tab makes the whole refresh fail after the others ran, so the queue retries it.

export { PublishConflictError as RefreshConflictError } from "./publisher.js";

export class UnknownPartnerError extends Error {
  readonly code = "partner_not_found";
  constructor(partnerId: string) {
    super(`partner ${partnerId} is not registered`);
    this.name = "UnknownPartnerError";
  }
}

export class RefreshFailedError extends Error {
  readonly code = "refresh_failed";
  constructor(
    partnerId: string,
    readonly failures: { tab: TabName; error: unknown }[],
  ) {
    super(`refresh of partner ${partnerId} failed for ${failures.map((f) => `${f.tab} (${describeError(f.error)})`).join(", ")}`, {
      cause: failures[0]?.error,
    });
    this.name = "RefreshFailedError";
  }
}

export interface RefreshLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface RefreshDeps {
  partners: Pick<PartnerRegistry, "read" | "recordRefreshed">;
  data: PartnerDataReader;
  results: ResultSetStore;
  producers: readonly TabProducer[];
  /** Removes staged rows nobody reads any more; absent: nothing is removed. */
  cleanup?: { ingestions: Pick<IngestionStore, "listUnpurgedFailures" | "markPurged">; staging: Pick<StagingStore, "deleteIngestion"> };
  log?: RefreshLogger;
}

export interface RefreshOptions {
  now?: () => Date;
  /** Skip tabs whose results already reflect the partner's data version (drop- and schedule-triggered jobs). */
  onlyIfChanged?: boolean;
}

export type RefreshOutcome =
  | { status: "refreshed"; tabs: Partial<Record<TabName, PublishOutcome>>; purged: string[] }
  | { status: "skipped"; reason: "unchanged" | "offboarded" };

export async function refreshPartner(deps: RefreshDeps, partnerId: string, options: RefreshOptions = {}): Promise<RefreshOutcome> {
  const now = options.now ?? (() => new Date());
  const partner = await deps.partners.read(partnerId);
  if (!partner) throw new UnknownPartnerError(partnerId);
  if (partner.offboardedAt) return { status: "skipped", reason: "offboarded" };
  if (
    options.onlyIfChanged &&
    (partner.dataVersion === undefined || (partner.refreshedDataVersion !== undefined && partner.refreshedDataVersion >= partner.dataVersion))
  ) {
    return { status: "skipped", reason: "unchanged" };
  }
  // Read after the partner doc: every drop committed before its dataVersion was written is in this list.
  const loaded = await deps.data.loadedIngestions(partnerId);
  const live = resolveLiveSet(loaded);
  const asOf = liveAsOf(live);

  const tabs: Partial<Record<TabName, PublishOutcome>> = {};
  const failures: { tab: TabName; error: unknown }[] = [];
  for (const producer of deps.producers) {
    try {
      tabs[producer.tab] = await publishResultSet(
        { store: deps.results, log: deps.log },
        { partnerId, tab: producer.tab, dataVersion: partner.dataVersion, asOf, onlyIfChanged: options.onlyIfChanged, now },
        (sink, resultSetId) => producer.produce({ partner, live, now: now(), log: deps.log }, sink, resultSetId),
      );
    } catch (err) {
      failures.push({ tab: producer.tab, error: err });
      deps.log?.warn(`refresh ${partnerId} ${producer.tab} failed: ${describeError(err)}`);
    }
  }
  // Lost races only: the queue retries on fresh data, and that is not a failing refresh.
  if (failures.length > 0 && failures.every((f) => f.error instanceof PublishConflictError)) throw failures[0].error;
  if (failures.length > 0) throw new RefreshFailedError(partnerId, failures);

  const outcomes = Object.values(tabs);
  const allUnchanged = outcomes.length > 0 && outcomes.every((o) => o.status === "unchanged");
  if (partner.dataVersion !== undefined) {
    try {
      await deps.partners.recordRefreshed(partnerId, partner.dataVersion);
    } catch (err) {
      // The results are switched; a missing mark only means the timer asks for one more refresh.
      deps.log?.warn(`refresh ${partnerId}: recording refreshedDataVersion failed: ${describeError(err)}`);
    }
  }
  const purged = await purgeStagedRows(deps, partnerId, live.superseded.filter((id) => !loaded.find((l) => l.id === id)?.purgedAt));
  // Every tab already reflected this data (a refresh that switched but had not yet recorded it on the partner).
  if (allUnchanged) return { status: "skipped", reason: "unchanged" };
  return { status: "refreshed", tabs, purged };
}

/** Staged rows of drops that failed or that newer drops replaced: nobody reads them; they go (best effort). */
async function purgeStagedRows(deps: RefreshDeps, partnerId: string, superseded: string[]): Promise<string[]> {
  if (!deps.cleanup) return [];
  const purged: string[] = [];
  try {
    const ids = [...superseded, ...(await deps.cleanup.ingestions.listUnpurgedFailures(partnerId))];
    for (const id of ids) {
      const removed = await deps.cleanup.staging.deleteIngestion(partnerId, id);
      await deps.cleanup.ingestions.markPurged(partnerId, id, new Date().toISOString());
      purged.push(id);
      if (removed > 0) deps.log?.info(`refresh ${partnerId}: removed ${removed} staged document(s) of ingestion ${id}, which is no longer read`);
    }
  } catch (err) {
    deps.log?.warn(`refresh ${partnerId}: removing staged rows nobody reads failed (tried again next refresh): ${describeError(err)}`);
  }
  return purged;
}
