import type { BlobServiceClient } from "@azure/storage-blob";
import { names } from "../config.js";
import { normaliseEtag } from "../ingest/dropFile.js";
import type { DropArchive } from "../ports/ingest.js";

// Blob side of "nothing is lost": the dropped bytes are written to processed/ or rejected/ before
// the drop is deleted. We upload the bytes we ingested rather than copy server-side, so the archive
// holds exactly the version that was read even if the drop was overwritten meanwhile.

export class DropArchiveError extends Error {}

const maxMetadataValue = 2000;

export function createDropArchive(blobs: BlobServiceClient): DropArchive {
  return {
    async archive(target, name, content, metadata) {
      const container = names.blobContainers[target];
      try {
        await blobs
          .getContainerClient(container)
          .getBlockBlobClient(name)
          .uploadData(content, {
            metadata: encodeMetadata(metadata),
            blobHTTPHeaders: { blobContentType: name.endsWith(".gz") ? "application/gzip" : "text/csv" },
          });
        return `${container}/${name}`;
      } catch (err) {
        throw new DropArchiveError(`archiving ${name} to ${container} failed`, { cause: err });
      }
    },
    async removeDrop(name, etag) {
      try {
        await blobs
          .getContainerClient(names.blobContainers.drops)
          .getBlobClient(name)
          .deleteIfExists({ conditions: { ifMatch: `"${normaliseEtag(etag)}"` } });
      } catch (err) {
        // 412: the drop was overwritten with new content, which gets its own ingestion; leave it.
        if ((err as { statusCode?: number }).statusCode === 412) return;
        throw new DropArchiveError(`removing drop ${name} failed`, { cause: err });
      }
    },
    async dropVersion(name) {
      try {
        const props = await blobs.getContainerClient(names.blobContainers.drops).getBlobClient(name).getProperties();
        return props.etag ? { etag: props.etag, lastModified: props.lastModified } : undefined;
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return undefined;
        throw new DropArchiveError(`reading the properties of drop ${name} failed`, { cause: err });
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
