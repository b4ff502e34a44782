import { randomUUID } from "node:crypto";
import type { ContainerClient } from "@azure/storage-blob";

// Event Grid, as far as `func start` needs it locally. On Flex Consumption the ingest blob trigger uses the Event
// Grid source: the storage account sends BlobCreated to the host's blob webhook and nothing polls the container.
// Azurite sends no events, so under `func start` this relay plays Event Grid's part: it watches drops/ and posts
// one BlobCreated event per new blob version (name and ETag) to the webhook, whoever wrote the blob (the demo,
// the page's upload, curl, Storage Explorer). A failed post is tried again on the next look, as Event Grid
// retries. The sweep (SWEEP_SCHEDULE) stays the backstop, exactly as in Azure.

export interface BlobCreatedEvent {
  id: string;
  topic: string;
  subject: string;
  eventType: "Microsoft.Storage.BlobCreated";
  eventTime: string;
  dataVersion: string;
  metadataVersion: "1";
  data: { api: string; eTag: string; contentType?: string; contentLength?: number; blobType: "BlockBlob"; url: string; sequencer: string };
}

const localTopic = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.Storage/storageAccounts/devstoreaccount1";

/** The event a storage account sends for a blob of `container` (Event Grid schema, as the blob webhook reads it). */
export function blobCreatedEvent(container: ContainerClient, blob: { name: string; etag: string; contentType?: string; contentLength?: number }): BlobCreatedEvent {
  return {
    id: randomUUID(),
    topic: localTopic,
    subject: `/blobServices/default/containers/${container.containerName}/blobs/${blob.name}`,
    eventType: "Microsoft.Storage.BlobCreated",
    eventTime: new Date().toISOString(),
    dataVersion: "",
    metadataVersion: "1",
    data: {
      api: "PutBlockList",
      // Quoted, as storage sends it in events and headers (a listing gives it bare).
      eTag: blob.etag.startsWith('"') ? blob.etag : `"${blob.etag}"`,
      contentType: blob.contentType,
      contentLength: blob.contentLength,
      blobType: "BlockBlob",
      url: container.getBlockBlobClient(blob.name).url,
      sequencer: Date.now().toString(16).padStart(32, "0"),
    },
  };
}

/** Posts events to a Functions host's blob extension webhook for one blob-triggered function. */
export function webhookPoster(baseUrl: string, functionName: string): (event: BlobCreatedEvent) => Promise<void> {
  return async (event) => {
    const res = await fetch(`${baseUrl}/runtime/webhooks/blobs?functionName=Host.Functions.${encodeURIComponent(functionName)}`, {
      method: "POST",
      headers: { "content-type": "application/json", "aeg-event-type": "Notification" },
      body: JSON.stringify([event]),
      signal: AbortSignal.timeout(30_000),
    });
    if (!res.ok) throw new Error(`the blob webhook answered ${res.status}`);
  };
}

export interface BlobEventRelay {
  /** Looks at the container and announces what is new (the timer calls this every interval; tests may too). */
  poll(): Promise<void>;
  /** Blob versions announced so far. */
  announced(): number;
  stop(): Promise<void>;
}

export function startBlobEventRelay(options: {
  container: ContainerClient;
  post: (event: BlobCreatedEvent) => Promise<void>;
  intervalMs?: number;
  log?: (line: string) => void;
}): BlobEventRelay {
  const { container, post } = options;
  const log = options.log ?? (() => undefined);
  // name → the ETag last announced: a new version of the same name is a new event, as in Azure.
  const seen = new Map<string, string>();
  const failing = new Set<string>();
  let announced = 0;
  let running: Promise<void> | undefined;
  let stopped = false;

  async function lookOnce(): Promise<void> {
    for await (const blob of container.listBlobsFlat()) {
      const etag = blob.properties.etag;
      if (stopped || !etag || seen.get(blob.name) === etag) continue;
      try {
        await post(blobCreatedEvent(container, { name: blob.name, etag, contentType: blob.properties.contentType, contentLength: blob.properties.contentLength }));
        seen.set(blob.name, etag);
        failing.delete(blob.name);
        announced++;
      } catch (err) {
        // Said once per blob; tried again on the next look.
        if (!failing.has(blob.name)) log(`[events] BlobCreated for ${container.containerName}/${blob.name} not delivered yet: ${(err as Error).message}`);
        failing.add(blob.name);
      }
    }
  }

  // One look at a time; a look asked for while one runs starts after it (so it sees what was written meanwhile).
  const poll = () => {
    const next = (running ?? Promise.resolve())
      .then(lookOnce)
      .catch((err: Error) => log(`[events] could not list ${container.containerName}: ${err.message}`))
      .finally(() => {
        if (running === next) running = undefined;
      });
    running = next;
    return next;
  };
  const timer = setInterval(() => {
    if (!running) void poll();
  }, options.intervalMs ?? 1_000);
  timer.unref();

  return {
    poll,
    announced: () => announced,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
