import type { BlobServiceClient } from "@azure/storage-blob";
import { names } from "../../config.js";
import { StoreUnavailableError } from "../../errors.js";
import { normaliseEtag } from "../../ingest/dropFile.js";
import type { DropBlob, DropStore } from "../../ports/ingest.js";

// Blob side of "nothing is lost": every dropped blob version is copied to processed/ or rejected/ before it is
// removed from drops/. The bytes that were ingested are uploaded when we have them, so the archive holds exactly
// the version that was read even if the drop was overwritten meanwhile; otherwise (a file too large to hand
// over) the version is streamed across, on condition that it is still the same version.

const maxMetadataValue = 2000;
const transientStatuses = new Set([408, 429, 500, 503]);

function statusCodeOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown })?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** Storage errors a retry may fix become StoreUnavailableError (so the trigger fails and is retried); others pass. */
function unavailable(what: string, err: unknown): unknown {
  const status = statusCodeOf(err);
  if (status === undefined || transientStatuses.has(status)) return new StoreUnavailableError(`${what}: storage is unavailable`, { cause: err });
  return err;
}

export function createDropStore(blobs: BlobServiceClient): DropStore {
  const drops = blobs.getContainerClient(names.blobContainers.drops);
  const ifMatch = (etag: string) => ({ ifMatch: `"${normaliseEtag(etag)}"` });

  return {
    async archive(target, name, source, metadata) {
      const container = names.blobContainers[target];
      const blob = blobs.getContainerClient(container).getBlockBlobClient(name);
      const options = {
        metadata: encodeMetadata(metadata),
        blobHTTPHeaders: { blobContentType: name.endsWith(".gz") ? "application/gzip" : "text/csv" },
      };
      try {
        if ("content" in source) {
          await blob.uploadData(source.content, options);
        } else {
          const download = await drops.getBlobClient(source.copyOf).download(0, undefined, { conditions: ifMatch(source.etag) });
          await blob.uploadStream(download.readableStreamBody as NodeJS.ReadableStream & import("node:stream").Readable, 4 * 1024 * 1024, 4, options);
        }
        return `${container}/${name}`;
      } catch (err) {
        throw unavailable(`archiving ${name} to ${container}`, err);
      }
    },

    async removeDrop(name, etag) {
      try {
        await drops.getBlobClient(name).deleteIfExists({ conditions: ifMatch(etag) });
      } catch (err) {
        // 412: the drop was overwritten with new content, which gets its own ingestion; leave it.
        if (statusCodeOf(err) === 412) return;
        throw unavailable(`removing drop ${name}`, err);
      }
    },

    async dropVersion(name) {
      try {
        const props = await drops.getBlobClient(name).getProperties();
        if (!props.etag) return undefined;
        return { name, etag: props.etag, lastModified: props.lastModified ?? new Date(), sizeBytes: props.contentLength ?? 0 };
      } catch (err) {
        if (statusCodeOf(err) === 404) return undefined;
        throw unavailable(`reading the properties of drop ${name}`, err);
      }
    },

    async download(name, etag) {
      try {
        return await drops.getBlobClient(name).downloadToBuffer(0, undefined, { conditions: ifMatch(etag) });
      } catch (err) {
        // Gone, or replaced by a newer version: that version is no longer there to read.
        if (statusCodeOf(err) === 404 || statusCodeOf(err) === 412) return undefined;
        throw unavailable(`downloading drop ${name}`, err);
      }
    },

    async *listDrops(prefix) {
      try {
        for await (const page of drops.listBlobsFlat(prefix ? { prefix } : {}).byPage({ maxPageSize: 500 })) {
          const out: DropBlob[] = page.segment.blobItems.map((b) => ({
            name: b.name,
            etag: b.properties.etag ?? "",
            lastModified: b.properties.lastModified,
            sizeBytes: b.properties.contentLength ?? 0,
          }));
          if (out.length > 0) yield out;
        }
      } catch (err) {
        throw unavailable("listing drops", err);
      }
    },
  };
}

/** Blob metadata values must be ASCII: percent-encode them (decodeURIComponent reads them back). */
export function encodeMetadata(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(metadata).map(([k, v]) => [k, encodeURIComponent(v.length > maxMetadataValue ? `${v.slice(0, maxMetadataValue)}…` : v)]),
  );
}
