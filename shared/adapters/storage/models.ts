import type { BlobServiceClient } from "@azure/storage-blob";
import { names } from "../../config.js";
import { StoreUnavailableError } from "../../errors.js";
import type { ModelStore } from "../../ports/models.js";

// Model artifacts as JSON blobs: models/{partnerId}/{kind}/{version}.json. Every path starts with the partner's
// id, which the caller's key decided, so one partner never reads another's models.

const segment = /^[a-z0-9][a-z0-9._-]{0,127}$/i;

function pathOf(partnerId: string, kind: string, version?: string): string {
  for (const part of [partnerId, kind, ...(version === undefined ? [] : [version])]) {
    if (!segment.test(part) || part.includes("..")) throw new Error(`not a model path segment: ${part}`);
  }
  return version === undefined ? `${partnerId}/${kind}/` : `${partnerId}/${kind}/${version}.json`;
}

function unavailable(what: string, err: unknown): unknown {
  const status = (err as { statusCode?: unknown })?.statusCode;
  if (typeof status === "number" && status < 500 && status !== 408 && status !== 429) return err;
  return new StoreUnavailableError(`${what}: storage is unavailable`, { cause: err });
}

export function createModelStore(blobs: BlobServiceClient): ModelStore {
  const container = blobs.getContainerClient(names.blobContainers.models);
  return {
    async save(partnerId, kind, version, artifact) {
      const name = pathOf(partnerId, kind, version);
      const body = JSON.stringify(artifact);
      try {
        await container.getBlockBlobClient(name).upload(body, Buffer.byteLength(body), {
          blobHTTPHeaders: { blobContentType: "application/json" },
        });
        return `${names.blobContainers.models}/${name}`;
      } catch (err) {
        throw unavailable(`saving model ${name}`, err);
      }
    },

    async load(partnerId, kind, version) {
      const name = pathOf(partnerId, kind, version);
      try {
        const buffer = await container.getBlobClient(name).downloadToBuffer();
        return JSON.parse(buffer.toString("utf8"));
      } catch (err) {
        if ((err as { statusCode?: unknown })?.statusCode === 404) return undefined;
        throw unavailable(`loading model ${name}`, err);
      }
    },

    async remove(partnerId, kind, version) {
      let removed = 0;
      try {
        if (version !== undefined) {
          return (await container.getBlobClient(pathOf(partnerId, kind, version)).deleteIfExists()).succeeded ? 1 : 0;
        }
        for await (const blob of container.listBlobsFlat({ prefix: pathOf(partnerId, kind) })) {
          if ((await container.getBlobClient(blob.name).deleteIfExists()).succeeded) removed++;
        }
        return removed;
      } catch (err) {
        throw unavailable(`removing models of ${partnerId}/${kind}`, err);
      }
    },
  };
}
