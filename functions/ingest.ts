import { app, type InvocationContext, type Timer } from "@azure/functions";
import { names } from "../shared/config.js";
import { parseDropPath } from "../shared/ingest/dropFile.js";
import { ingestDrop, type IngestDeps } from "../shared/ingest/ingestDrop.js";
import { loadQueuedDrop, sweepDrops, type SweepDeps } from "../shared/ingest/sweepDrops.js";
import { ingestJobSchema } from "../shared/ports/ingest.js";
import { safeLogger } from "../shared/logging.js";
import { appDeps, type IngestQueueDeps } from "../shared/wiring.js";

// Ingest: a blob trigger on drops/{partnerId}/{dataset}/{fileName} (one invocation per blob version), a queue
// trigger for drops the sweep found unfinished, and the sweep itself on a timer. A rejected file or bad rows are
// outcomes recorded in the ingestion record, not errors; only an unexpected failure (a store down, ...) fails
// the invocation so the platform retries it (and the sweep picks up whatever still falls through).

export function makeIngestDropHandler(deps: IngestDeps) {
  return async (blob: unknown, context: InvocationContext): Promise<void> => {
    const log = safeLogger(context);
    try {
      const metadata = (context.triggerMetadata ?? {}) as Record<string, unknown>;
      const blobPath = blobPathOf(metadata);
      const path = blobPath ? parseDropPath(blobPath) : undefined;
      if (!blobPath || !path) {
        log.warn(`ingestDrop: no drop path in the trigger metadata (blobTrigger: ${String(metadata.blobTrigger)}); nothing to do`);
        return;
      }
      const properties = (metadata.properties ?? {}) as Record<string, unknown>;
      let etag = firstString(properties, ["eTag", "ETag", "etag", "Etag"]);
      let writtenAt = toDate(firstString(properties, ["lastModified", "LastModified"]) ?? properties.lastModified);
      if (!etag) {
        // Some hosts pass no ETag; the current version is the one whose content we were handed.
        const version = await deps.drops.dropVersion(path.name);
        if (!version) {
          log.info(`ingestDrop: ${blobPath} no longer exists; nothing to do`);
          return;
        }
        etag = version.etag;
        writtenAt ??= version.lastModified;
      }
      // The use case logs the outcome (loaded, rejected with its reason, or skipped and why).
      await ingestDrop({ ...deps, log: (m) => log.info(m) }, { blobPath, content: toBytes(blob), etag, writtenAt });
    } catch (err) {
      log.error(err);
      throw err;
    }
  };
}

export function makeIngestQueuedHandler(deps: IngestQueueDeps) {
  return async (message: unknown, context: InvocationContext): Promise<void> => {
    const log = safeLogger(context);
    const job = ingestJobSchema.safeParse(typeof message === "string" ? parseJson(message) : message);
    if (!job.success) {
      // Retrying cannot fix a malformed message: log it and let it go.
      log.warn("ingestQueued: dropped an invalid ingest job");
      return;
    }
    try {
      const drop = await loadQueuedDrop(deps.drops, job.data, deps.ingest.limits.maxBytes);
      if (!drop) {
        log.info(`ingestQueued: ${job.data.blobPath} (ETag ${job.data.etag}) is no longer there; the sweep closes its record`);
        return;
      }
      await ingestDrop({ ...deps.ingest, log: (m) => log.info(m) }, { blobPath: job.data.blobPath, etag: job.data.etag, ...drop });
    } catch (err) {
      log.error(err);
      throw err;
    }
  };
}

export function makeSweepDropsHandler(deps: SweepDeps) {
  return async (_timer: Timer, context: InvocationContext): Promise<void> => {
    const log = safeLogger(context);
    try {
      const outcome = await sweepDrops({ ...deps, log: (m) => log.info(m) });
      if (outcome.queued + outcome.movedAside + outcome.closed > 0) {
        log.info(`sweepDrops: ${outcome.queued} queued for ingestion, ${outcome.movedAside} moved aside, ${outcome.closed} closed`);
      }
    } catch (err) {
      log.error(err);
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// ---- registration: deps built from settings on first invocation, so importing this file needs none

app.storageBlob("ingestDrop", {
  path: `${names.blobContainers.drops}/{partnerId}/{dataset}/{fileName}`,
  connection: names.storageConnection,
  // Flex Consumption supports only the Event Grid source for blob triggers.
  source: "EventGrid",
  handler: (blob, context) => makeIngestDropHandler(appDeps().ingest)(blob, context),
});

app.storageQueue("ingestQueued", {
  queueName: names.queues.ingest,
  connection: names.storageConnection,
  handler: (message, context) => makeIngestQueuedHandler(appDeps().ingestQueue)(message, context),
});

app.timer("sweepDrops", {
  // An app setting, so tests and operators can sweep more or less often (default every minute).
  schedule: "%SWEEP_SCHEDULE%",
  handler: (timer, context) => makeSweepDropsHandler(appDeps().sweep)(timer, context),
});
