import type { BlobServiceClient } from "@azure/storage-blob";
import { names } from "../../config.js";
import { StoreUnavailableError } from "../../errors.js";
import { partnerIdSchema } from "../../domain/documents.js";
import type { PartnerBlobs } from "../../ports/offboarding.js";

// A partner's blobs: every container keeps them under "{partnerId}/" (drops, processed, rejected, models).

const inFlight = 8;

export function createPartnerBlobs(blobs: BlobServiceClient): PartnerBlobs {
  return {
    async deleteAll(container, partnerId) {
      // The prefix must be a whole partner id: "acme/" never reaches "acme-2/".
      partnerIdSchema.parse(partnerId);
      const client = blobs.getContainerClient(names.blobContainers[container]);
      let deleted = 0;
      try {
        for await (const page of client.listBlobsFlat({ prefix: `${partnerId}/` }).byPage({ maxPageSize: 500 })) {
          const items = page.segment.blobItems.map((b) => b.name);
          for (let i = 0; i < items.length; i += inFlight) {
            const results = await Promise.all(items.slice(i, i + inFlight).map((name) => client.getBlobClient(name).deleteIfExists({ deleteSnapshots: "include" })));
            deleted += results.filter((r) => r.succeeded).length;
          }
        }
        return deleted;
      } catch (err) {
        throw new StoreUnavailableError(`deleting the ${container} blobs of ${partnerId}`, { cause: err });
      }
    },
  };
}
