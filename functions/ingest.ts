import { app, type InvocationContext } from "@azure/functions";
import { names } from "../shared/config.js";
import { parseDropPath } from "../shared/ingest/dropFile.js";
import { createIngestDeps } from "../shared/ingest/deps.js";
import { ingestDrop, type IngestDeps } from "../shared/ingest/ingestDrop.js";
import { fromServices } from "../shared/services.js";

// Blob trigger on drops/{partnerId}/{dataset}/{fileName}: one invocation per blob version.
// A rejected file or bad rows are outcomes recorded in the ingestion record, not errors; only an
// unexpected failure (storage down, ...) fails the invocation so the platform retries, then poisons.

export function makeIngestDropHandler(deps: IngestDeps) {
  return async (blob: unknown, context: InvocationContext): Promise<void> => {
    try {
      const metadata = (context.triggerMetadata ?? {}) as Record<string, unknown>;
      const blobPath = blobPathOf(metadata);
      const path = blobPath ? parseDropPath(blobPath) : undefined;
      if (!blobPath || !path) {
        context.warn(`ingestDrop: no drop path in the trigger metadata (blobTrigger: ${String(metadata.blobTrigger)}); nothing to do`);
        return;
      }
      const properties = (metadata.properties ?? {}) as Record<string, unknown>;
      let etag = firstString(properties, ["eTag", "ETag", "etag", "Etag"]);
      let lastModified = toDate(firstString(properties, ["lastModified", "LastModified"]) ?? properties.lastModified);
      if (!etag) {
        // Some hosts pass no ETag; the current version is the one whose content we were handed.
        const version = await deps.archive.dropVersion(path.name);
        if (!version) {
          context.log(`ingestDrop: ${blobPath} no longer exists; nothing to do`);
          return;
        }
        etag = version.etag;
        lastModified ??= version.lastModified;
      }
      // The use case logs the outcome (loaded, rejected with its reason, or skipped and why).
      await ingestDrop({ ...deps, log: (m) => context.log(m) }, { blobPath, content: toBytes(blob), etag, receivedAt: lastModified });
    } catch (err) {
      context.error(err);
      throw err;
    }
  };
}

function blobPathOf(metadata: Record<string, unknown>): string | undefined {
  if (typeof metadata.blobTrigger === "string" && metadata.blobTrigger) return metadata.blobTrigger;
  const { partnerId, dataset, fileName } = metadata;
  if (typeof partnerId === "string" && typeof dataset === "string" && typeof fileName === "string") {
    return `${names.blobContainers.drops}/${partnerId}/${dataset}/${fileName}`;
  }
  return undefined;
}

function firstString(record: Record<string, unknown>, keys: string[]): string | undefined {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === "string" && value) return value;
  }
  return undefined;
}

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value !== "string") return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function toBytes(blob: unknown): Uint8Array {
  if (blob instanceof Uint8Array) return blob;
  if (blob instanceof ArrayBuffer) return new Uint8Array(blob);
  if (typeof blob === "string") return Buffer.from(blob, "utf8");
  throw new TypeError(`ingestDrop: unexpected blob input of type ${typeof blob}`);
}

// ---- registration: deps built from settings on first invocation, so importing this file needs none

const lazyIngestDeps = fromServices(({ config, clients }) => createIngestDeps(config, clients));

app.storageBlob("ingestDrop", {
  path: `${names.blobContainers.drops}/{partnerId}/{dataset}/{fileName}`,
  connection: names.storageConnection,
  // Flex Consumption supports only the Event Grid source for blob triggers.
  source: "EventGrid",
  handler: (blob, context) => {
    return makeIngestDropHandler(lazyIngestDeps())(blob, context);
  },
});
