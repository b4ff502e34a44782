import type { Clients } from "../adapters/clients.js";
import { createDropArchive } from "../adapters/dropArchive.js";
import { createIngestionStore } from "../adapters/ingestionStore.js";
import { createPartnerDataStore } from "../adapters/partnerDataStore.js";
import { createPartnerStore } from "../adapters/partnerStore.js";
import { createRefreshQueue } from "../adapters/refreshQueue.js";
import type { Config } from "../config.js";
import type { IngestDeps } from "./ingestDrop.js";

/** Wires the ingest use case to the real adapters. */
export function createIngestDeps(
  config: Config,
  clients: Clients,
  extra: Partial<Pick<IngestDeps, "clock" | "log" | "batching" | "staleAfterMs">> = {},
): IngestDeps {
  return {
    limits: { maxBytes: config.ingest.maxBytes, maxErrorsKept: config.ingest.maxErrorsKept },
    ingestions: createIngestionStore(clients.containers.ingestions),
    partnerData: createPartnerDataStore(clients.containers.partnerData),
    archive: createDropArchive(clients.blobs),
    partners: createPartnerStore(clients.containers.partners),
    refreshQueue: createRefreshQueue(clients.queues),
    ...extra,
  };
}
