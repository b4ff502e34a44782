import { randomBytes } from "node:crypto";
import type { Container } from "@azure/cosmos";
import { z } from "zod";
import { apiKeyDocSchema, type ApiKeyDoc } from "../../domain/documents.js";
import type { ApiKeyStore, SealingKeyStore } from "../../ports/keys.js";
import { hasStatus, requestBudget, withCosmosRetry } from "./retry.js";

// API key documents and the token sealing key, both in the partners container.

export function createApiKeyStore(container: Container): ApiKeyStore {
  return {
    async create(doc) {
      await withCosmosRetry("storing an API key", () => container.items.create(apiKeyDocSchema.parse(doc)));
    },

    async listForPartner(partnerId) {
      const { resources } = await withCosmosRetry(
        "reading API keys",
        () =>
          container.items
            .query(
              {
                // partnerId in the filter too: the query must never leave the caller's partition.
                query: "SELECT * FROM c WHERE c.partnerId = @partnerId AND c.type = 'apiKey'",
                parameters: [{ name: "@partnerId", value: partnerId }],
              },
              { partitionKey: partnerId },
            )
            .fetchAll(),
        requestBudget,
      );
      const docs: ApiKeyDoc[] = [];
      for (const r of resources) {
        const parsed = apiKeyDocSchema.safeParse(r);
        if (parsed.success && parsed.data.partnerId === partnerId) docs.push(parsed.data);
      }
      return docs;
    },

    async revoke(partnerId, docId, at) {
      await withCosmosRetry("revoking an API key", () =>
        container.item(docId, partnerId).patch([{ op: "set", path: "/revokedAt", value: at }]),
      );
    },
  };
}

// The sealing key lives in a partition no partner id can name (partner ids are lowercase letters, digits and
// dashes): only the app's identity reads it, and it never leaves the service.
const systemPartition = "_system";
const sealingKeyDocSchema = z.object({ id: z.literal("sealing-key"), partnerId: z.literal(systemPartition), key: z.string() });

export function createSealingKeyStore(container: Container): SealingKeyStore {
  let cached: Promise<Buffer> | undefined;
  async function load(): Promise<Buffer> {
    const read = async () => {
      try {
        const { resource } = await withCosmosRetry("reading the sealing key", () => container.item("sealing-key", systemPartition).read());
        return resource ? Buffer.from(sealingKeyDocSchema.parse(resource).key, "base64") : undefined;
      } catch (err) {
        if (hasStatus(err, 404)) return undefined;
        throw err;
      }
    };
    const existing = await read();
    if (existing) return existing;
    const doc = { id: "sealing-key", partnerId: systemPartition, type: "secret", key: randomBytes(32).toString("base64"), createdAt: new Date().toISOString() };
    try {
      await withCosmosRetry("creating the sealing key", () => container.items.create(doc));
      return Buffer.from(doc.key, "base64");
    } catch (err) {
      // Another instance created it first: use theirs.
      if (!hasStatus(err, 409)) throw err;
      const theirs = await read();
      if (!theirs) throw err;
      return theirs;
    }
  }
  return {
    sealingKey() {
      cached ??= load().catch((err) => {
        cached = undefined;
        throw err;
      });
      return cached;
    },
  };
}
