import type { Container } from "@azure/cosmos";
import { partnerDocSchema, type PartnerDoc } from "../../domain/documents.js";
import type { PartnerRegistry, PartnerRegistryEntry } from "../../ports/partners.js";
import { backoffMs, hasStatus, requestBudget, statusOf, withCosmosRetry } from "./retry.js";

// partners container, id "partner": the partner's registry entry. Ingest and refresh write the same document
// at once: every write is an ETag-conditional replace of the document as read, retried on conflict, so no
// writer loses another's fields.

const maxConflicts = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createPartnerRegistry(container: Container): PartnerRegistry {
  async function read(partnerId: string, budget = requestBudget): Promise<{ doc: PartnerDoc; etag: string } | undefined> {
    try {
      const { resource, etag } = await withCosmosRetry(`reading partner ${partnerId}`, () => container.item("partner", partnerId).read(), budget);
      if (!resource || resource.partnerId !== partnerId) return undefined;
      return { doc: partnerDocSchema.parse(resource), etag };
    } catch (err) {
      if (hasStatus(err, 404)) return undefined;
      throw err;
    }
  }

  /**
   * Applies `change` to the current document (or to none) and writes it back only if nobody wrote since.
   * `change` returns undefined when there is nothing to write.
   */
  async function update(partnerId: string, what: string, change: (current: PartnerDoc | undefined) => PartnerDoc | undefined): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const current = await read(partnerId, undefined);
      const next = change(current?.doc);
      if (!next) return;
      try {
        await withCosmosRetry(what, () =>
          current
            ? container.item("partner", partnerId).replace(next, { accessCondition: { type: "IfMatch", condition: current.etag } })
            : container.items.create(next),
        );
        return;
      } catch (err) {
        const status = statusOf(err);
        if ((status === 409 || status === 412) && attempt < maxConflicts) {
          await sleep(backoffMs(attempt));
          continue;
        }
        throw err;
      }
    }
  }

  return {
    read: async (partnerId) => (await read(partnerId))?.doc,

    register(partnerId, name) {
      return update(partnerId, `registering partner ${partnerId}`, (current) =>
        current ? (current.name === name ? undefined : { ...current, name }) : { id: "partner", partnerId, type: "partner", name, datasets: {} },
      );
    },

    async listForSchedule() {
      // The one cross-partition query of the service: the scheduler must see every partner, the registry holds
      // one small document per partner, and only the fields the plan needs are read.
      const iterator = container.items.query<PartnerRegistryEntry>(
        {
          query:
            "SELECT c.partnerId, c.dataVersion, c.refreshedDataVersion, c.offboardedAt, c.refreshFailure FROM c WHERE c.type = 'partner'",
        },
        { maxItemCount: 1000 },
      );
      const out: PartnerRegistryEntry[] = [];
      while (iterator.hasMoreResults()) {
        const { resources } = await withCosmosRetry("listing partners for the refresh schedule", () => iterator.fetchNext());
        out.push(...resources);
      }
      return out;
    },

    recordDatasetLoad(partnerId, dataset, load) {
      return update(partnerId, `recording a ${dataset} drop of partner ${partnerId}`, (current) => {
        const datasets = { ...(current?.datasets ?? {}) };
        const known = datasets[dataset];
        // The newest snapshot of a dataset only moves forward; a late older file still marks the data changed.
        if (!known || load.asOf >= known.asOf) datasets[dataset] = load;
        const previous = current?.dataVersion;
        // Strictly after the previous version, so the change is never mistaken for one already refreshed.
        const dataVersion = previous === undefined || load.loadedAt > previous ? load.loadedAt : [new Date().toISOString(), bump(previous)].sort().pop()!;
        return { ...(current ?? { id: "partner" as const, partnerId, type: "partner" as const }), datasets, dataVersion };
      });
    },

    recordRefreshed(partnerId, dataVersion) {
      return update(partnerId, `recording the refresh of partner ${partnerId}`, (current) => {
        if (!current) return undefined;
        const covered = current.refreshedDataVersion !== undefined && current.refreshedDataVersion >= dataVersion;
        if (covered && !current.refreshFailure) return undefined;
        const { refreshFailure: _ended, ...rest } = current;
        return covered ? rest : { ...rest, refreshedDataVersion: dataVersion };
      });
    },

    recordRefreshFailure(partnerId, { lastFailedAt, reference }) {
      return update(partnerId, `recording a failed refresh of partner ${partnerId}`, (current) =>
        current
          ? { ...current, refreshFailure: { count: (current.refreshFailure?.count ?? 0) + 1, lastFailedAt, reference } }
          : undefined,
      );
    },
  };
}

/** One millisecond after an ISO time. */
function bump(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? new Date().toISOString() : new Date(ms + 1).toISOString();
}
