import { randomUUID } from "node:crypto";
import { format } from "node:util";
import type { BlobGetPropertiesResponse, BlockBlobClient } from "@azure/storage-blob";
import type { HostActivity } from "./activity.js";
import { resolveSettingExpressions, type HostConfig } from "./config.js";
import type { Invoke } from "./invocation.js";
import { triggerOf, type Registration } from "./registry.js";
import type { StorageClients } from "./storage.js";

// Blob triggers: poll the container, invoke once per blob version (name + ETag), retry a failure up to
// host.json's poisonBlobThreshold, then put a message on the webjobs-blobtrigger-poison queue.

export interface BlobTriggerDeps {
  config: HostConfig;
  storage: StorageClients;
  activity: HostActivity;
  invoke: Invoke;
  pollIntervalMs: number;
  log: (line: string) => void;
  /** Larger blobs are not downloaded: the delivery fails with their size. */
  maxBlobBytes: number;
}

interface PendingBlob {
  name: string;
  etag: string;
  /** Attempts already made. */
  attempt: number;
}

export function startBlobTrigger(r: Registration, { config, storage, activity, invoke, pollIntervalMs, log, maxBlobBytes }: BlobTriggerDeps): void {
  const trigger = triggerOf(r);
  const triggerPath = resolveSettingExpressions(String(trigger.path), process.env);
  const [containerName, ...rest] = triggerPath.split("/");
  const pattern = blobNamePattern(rest.join("/"));
  const container = storage.blobService(trigger.connection).getContainerClient(containerName);
  // Receipts: blob versions (name + ETag) this function has processed or poisoned. The real host keeps them
  // in the azure-webjobs-hosts container; the local emulators are in memory, so memory is enough here.
  const receipts = new Set<string>();
  const inFlight = new Set<string>();
  const waiting: PendingBlob[] = [];
  let active = 0;
  const maxActive = Math.max(1, config.blobs.maxDegreeOfParallelism);

  const pump = () => {
    while (!activity.stopping && active < maxActive && waiting.length) {
      const item = waiting.shift()!;
      active++;
      const work = processBlob(item).catch((err) => log(`[host] error: ${r.name}: ${containerName}/${item.name}: ${format(err)}`));
      void activity.track(work, true).finally(() => {
        active--;
        pump();
      });
    }
  };

  const processBlob = async (item: PendingBlob) => {
    const key = `${item.name}\u0000${item.etag}`;
    const blob = container.getBlockBlobClient(item.name);
    let version: Awaited<ReturnType<typeof downloadBlobVersion>>;
    try {
      version = await downloadBlobVersion(blob, item.etag, maxBlobBytes);
    } catch (err) {
      if (err instanceof BlobTooLargeError) {
        // Its size will not change: poisoned at once, like a delivery that failed every attempt.
        log(`[host] ${r.name}: ${err.message}`);
        receipts.add(key);
        inFlight.delete(key);
        await poisonBlob(item);
        return;
      }
      inFlight.delete(key);
      throw err;
    }
    if (!version) {
      inFlight.delete(key);
      return;
    }
    const { props, content } = version;
    const bindingData = pattern.match(item.name) ?? {};
    const triggerMetadata: Record<string, unknown> = {
      ...bindingData,
      blobTrigger: `${containerName}/${item.name}`,
      uri: blob.url,
      properties: {
        eTag: props.etag,
        lastModified: props.lastModified?.toISOString(),
        createdOn: props.createdOn?.toISOString(),
        contentLength: props.contentLength,
        contentType: props.contentType,
        contentMD5: props.contentMD5 ? Buffer.from(props.contentMD5).toString("base64") : undefined,
        contentEncoding: props.contentEncoding,
        blobType: "Block",
      },
      metadata: props.metadata ?? {},
      sys: { methodName: r.name, utcNow: new Date().toISOString(), randGuid: randomUUID() },
    };
    const attempt = item.attempt + 1;
    try {
      await invoke(r, content, triggerMetadata);
      receipts.add(key);
      inFlight.delete(key);
      log(`[host] ${r.name}: processed ${containerName}/${item.name} (ETag ${item.etag}, attempt ${attempt})`);
    } catch (err) {
      log(`[${r.name}] error: attempt ${attempt} of ${config.blobs.poisonBlobThreshold} failed for ${containerName}/${item.name}: ${format(err)}`);
      if (attempt >= config.blobs.poisonBlobThreshold) {
        receipts.add(key);
        inFlight.delete(key);
        await poisonBlob(item);
      } else if (!activity.stopping) {
        // Retry like the host's internal blob-trigger queue: the message becomes visible again after the queue visibility timeout.
        const retryAfter = Math.max(config.queues.visibilityTimeoutMs, pollIntervalMs);
        void activity.track(
          activity.delayUnlessStopping(retryAfter).then(() => {
            if (activity.stopping) return;
            waiting.push({ ...item, attempt });
            pump();
          }),
          true,
        );
      } else {
        inFlight.delete(key);
      }
    }
  };

  const poisonBlob = async ({ name: blobName, etag }: PendingBlob) => {
    const poison = storage.queueService(trigger.connection).getQueueClient("webjobs-blobtrigger-poison");
    await poison.createIfNotExists();
    // Same fields as the real host's poison message, so tooling that reads it works locally too.
    const message = JSON.stringify({
      Type: "BlobTrigger",
      FunctionId: `Host.Functions.${r.name}`,
      BlobType: "BlockBlob",
      ContainerName: containerName,
      BlobName: blobName,
      ETag: etag,
    });
    await poison.sendMessage(config.queues.messageEncoding === "base64" ? Buffer.from(message).toString("base64") : message);
    log(`[host] ${r.name}: poisoned ${containerName}/${blobName} (ETag ${etag}) after ${config.blobs.poisonBlobThreshold} attempts; message on queue webjobs-blobtrigger-poison`);
  };

  let containerMissingLogged = false;
  activity.startListener(`blob trigger ${r.name} (${triggerPath})`, async () => {
    let found = false;
    try {
      for await (const item of container.listBlobsFlat({ prefix: pattern.prefix })) {
        if (!pattern.match(item.name)) continue;
        const rawEtag = item.properties.etag;
        if (!rawEtag) continue;
        // Listings may omit the quotes that upload and getProperties return; keep one spelling.
        const etag = rawEtag.startsWith('"') ? rawEtag : `"${rawEtag}"`;
        const key = `${item.name}\u0000${etag}`;
        if (receipts.has(key) || inFlight.has(key)) continue;
        inFlight.add(key);
        waiting.push({ name: item.name, etag, attempt: 0 });
        found = true;
      }
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) {
        if (!containerMissingLogged) log(`[host] warning: container "${containerName}" does not exist yet (${r.name})`);
        containerMissingLogged = true;
        return false;
      }
      throw err;
    }
    if (found) pump();
    return found || inFlight.size > 0;
  });
}

/**
 * The properties and content of exactly this version of the blob; undefined when it was moved away (404)
 * or overwritten (412) since it was listed, so the function is not invoked for it.
 */
/** A blob over the host's size limit: never downloaded into memory. */
export class BlobTooLargeError extends Error {
  constructor(name: string, size: number, limit: number) {
    super(`blob ${name} is ${size} bytes, over the local host's limit of ${limit} bytes for a blob trigger; not downloaded`);
    this.name = "BlobTooLargeError";
  }
}

async function downloadBlobVersion(
  blob: BlockBlobClient,
  etag: string,
  maxBytes: number,
): Promise<{ props: BlobGetPropertiesResponse; content: Buffer } | undefined> {
  try {
    const props = await blob.getProperties({ conditions: { ifMatch: etag } });
    // The size first: a file larger than the limit is never read into memory.
    if ((props.contentLength ?? 0) > maxBytes) throw new BlobTooLargeError(blob.name, props.contentLength ?? 0, maxBytes);
    const content = await blob.downloadToBuffer(0, undefined, { conditions: { ifMatch: etag } });
    return { props, content };
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 404 || status === 412) return undefined;
    throw err;
  }
}

/** A blob path pattern ("{partnerId}/{dataset}/{fileName}") → its listing prefix and a matcher for binding data. */
export function blobNamePattern(pattern: string): { prefix: string; match(name: string): Record<string, string> | undefined } {
  const names: string[] = [];
  let source = "^";
  let last = 0;
  const re = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(pattern))) {
    source += escapeRegExp(pattern.slice(last, m.index));
    names.push(m[1]);
    // The last parameter at the end takes the rest of the name (blob names may contain "/").
    source += m.index + m[0].length === pattern.length ? "(.+)" : "([^/]+)";
    last = m.index + m[0].length;
  }
  source += `${escapeRegExp(pattern.slice(last))}$`;
  const regex = new RegExp(source);
  const firstParam = pattern.indexOf("{");
  return {
    prefix: firstParam < 0 ? pattern : pattern.slice(0, firstParam),
    match(name) {
      const found = regex.exec(name);
      if (!found) return undefined;
      return Object.fromEntries(names.map((n, i) => [n, found[i + 1]]));
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
