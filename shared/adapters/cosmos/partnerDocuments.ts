import { BulkOperationType, type Container, type OperationInput } from "@azure/cosmos";
import { z } from "zod";
import type { PartnerContainer, PartnerDeletionRecord, PartnerDocuments } from "../../ports/offboarding.js";
import { bulkWithRetry, hasStatus, inChunks, withCosmosRetry } from "./retry.js";

// Off-boarding in Cosmos DB: the mark on the partner's document, deleting a partner's documents container by
// container (a page of ids at a time, in its own partition: the emulator cannot delete a partition whole), and
// the deletion records, kept in the partners container's "_system" partition (no partner id can name it).

const systemPartition = "_system";
const pageSize = 1000;
const bulkChunk = 100;
const chunksInFlight = 4;
const gone = new Set([200, 204, 404]);

const deletionRecordSchema = z.object({
  partnerId: z.string(),
  offboardedAt: z.string(),
  deletedAt: z.string(),
  documents: z.record(z.string(), z.number()),
  blobs: z.record(z.string(), z.number()),
}) satisfies z.ZodType<PartnerDeletionRecord>;

export function createPartnerDocuments(containers: Record<PartnerContainer, Container>): PartnerDocuments {
  const partners = containers.partners;
  return {
    async markOffboarded(partnerId, at) {
      try {
        const { resource } = await withCosmosRetry(`reading partner ${partnerId}`, () => partners.item("partner", partnerId).read());
        if (!resource || resource.partnerId !== partnerId) return undefined;
        if (typeof resource.offboardedAt === "string") return { offboardedAt: resource.offboardedAt };
        // A patch: the registry's own writes (ETag-conditional) keep working and keep the mark.
        await withCosmosRetry(`marking partner ${partnerId} off-boarded`, () => partners.item("partner", partnerId).patch([{ op: "set", path: "/offboardedAt", value: at }]));
        return { offboardedAt: at };
      } catch (err) {
        if (hasStatus(err, 404)) return undefined;
        throw err;
      }
    },

    async deleteAll(name, partnerId, keep = []) {
      const container = containers[name];
      let deleted = 0;
      // Always the first page again: what was deleted is gone, so no continuation token is needed.
      for (;;) {
        const { resources } = await withCosmosRetry(`listing ${name} documents of ${partnerId}`, () =>
          container.items
            .query<{ id: string; partnerId: string }>(
              {
                query: "SELECT c.id, c.partnerId FROM c WHERE c.partnerId = @partnerId AND NOT ARRAY_CONTAINS(@keep, c.id)",
                parameters: [
                  { name: "@partnerId", value: partnerId },
                  { name: "@keep", value: [...keep] },
                ],
              },
              { partitionKey: partnerId, maxItemCount: pageSize },
            )
            .fetchNext(),
        );
        const ids = resources.filter((r) => r.partnerId === partnerId && !keep.includes(r.id)).map((r) => r.id);
        if (ids.length === 0) return deleted;
        const operations: OperationInput[] = ids.map((id) => ({ operationType: BulkOperationType.Delete, id, partitionKey: partnerId }));
        await inChunks(operations, bulkChunk, chunksInFlight, async (chunk) => {
          await bulkWithRetry(container, chunk, `deleting ${name} documents of ${partnerId}`, { ok: gone });
        });
        deleted += ids.length;
      }
    },

    async recordDeletion(record) {
      const doc = { ...record, id: `offboarding:${record.partnerId}:${record.offboardedAt}`, partnerId: systemPartition, deletedPartnerId: record.partnerId, type: "partnerDeletion" };
      try {
        await withCosmosRetry(`recording the deletion of partner ${record.partnerId}`, () => partners.items.create(doc));
      } catch (err) {
        // A run that finished a deletion another run had recorded: the first record stands.
        if (!hasStatus(err, 409)) throw err;
      }
    },

    async listDeletions() {
      const { resources } = await withCosmosRetry("listing partner deletions", () =>
        partners.items
          .query(
            { query: "SELECT * FROM c WHERE c.partnerId = @system AND c.type = 'partnerDeletion'", parameters: [{ name: "@system", value: systemPartition }] },
            { partitionKey: systemPartition },
          )
          .fetchAll(),
      );
      return resources.flatMap((r) => {
        const parsed = deletionRecordSchema.safeParse({ ...r, partnerId: r.deletedPartnerId });
        return parsed.success ? [parsed.data] : [];
      });
    },
  };
}
