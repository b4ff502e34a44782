import type { Container } from "@azure/cosmos";
import { partnerDocSchema, type PartnerDoc } from "../domain/documents.js";
import type { PartnerStore } from "../ports/ingest.js";

// partners container, id "partner": which snapshot of each dataset is loaded and when data last changed.
// Two drops of one partner can finish at once: every write is ETag-conditional and retried on conflict.

export class PartnerStoreError extends Error {}

const maxAttempts = 10;

export function createPartnerStore(container: Container): PartnerStore {
  return {
    async recordDatasetLoad(partnerId, dataset, load) {
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        try {
          const { resource, etag } = await container.item("partner", partnerId).read<PartnerDoc>();
          const current = resource?.datasets?.[dataset];
          const datasets = { ...(resource?.datasets ?? {}) };
          // The partner's snapshot of a dataset only moves forward; a late older file still marks the data changed.
          if (!current || load.asOf >= current.asOf) datasets[dataset] = load;
          const dataVersion = load.loadedAt > (resource?.dataVersion ?? "") ? load.loadedAt : new Date().toISOString();
          if (!resource) {
            const doc: PartnerDoc = { id: "partner", partnerId, type: "partner", datasets, dataVersion };
            await container.items.create(doc);
          } else {
            await container
              .item("partner", partnerId)
              .replace({ ...resource, datasets, dataVersion }, { accessCondition: { type: "IfMatch", condition: etag } });
          }
          return;
        } catch (err) {
          const code = (err as { code?: number }).code;
          if ((code === 409 || code === 412) && attempt < maxAttempts) {
            await new Promise((r) => setTimeout(r, 20 * attempt * Math.random()));
            continue;
          }
          throw new PartnerStoreError(`updating partner ${partnerId} after a ${dataset} drop failed`, { cause: err });
        }
      }
    },
  };
}

/** The partner doc (one point read in the partner's partition); undefined when the partner has none yet. */
export async function readPartnerDoc(container: Container, partnerId: string): Promise<PartnerDoc | undefined> {
  let resource: { partnerId?: unknown } | undefined;
  try {
    ({ resource } = await container.item("partner", partnerId).read());
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw new PartnerStoreError(`reading partner ${partnerId} failed`, { cause: err });
  }
  if (!resource || resource.partnerId !== partnerId) return undefined;
  return partnerDocSchema.parse(resource);
}
