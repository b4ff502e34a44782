import { registerRoute, type RouteHandler } from "../shared/api/register.js";
import { routes } from "../shared/api/routes.js";
import { names } from "../shared/config.js";
import { ConflictError } from "../shared/errors.js";
import { created } from "../shared/http.js";
import type { ApiDeps } from "../shared/wiring.js";

// Upload URLs: the caller's partner decides the folder (never the request), the dataset and file name are
// validated (no traversal, no other partner's prefix), and the URL can only create that one blob, for minutes.

export const createUpload = (deps: ApiDeps): RouteHandler<typeof routes.createUpload> =>
  async ({ caller, body, log }) => {
    const blobName = `${caller.partnerId}/${body.dataset}/${body.fileName}`;
    if (await deps.uploads.exists(blobName)) {
      throw new ConflictError(`A file named ${body.fileName} is still waiting to be ingested into ${body.dataset}; wait for it (see ingestions) or use another name.`, "fileName");
    }
    const expiresAt = new Date(Date.now() + deps.config.uploadUrlMinutes * 60_000);
    const uploadUrl = await deps.uploads.createOnlyUrl(blobName, expiresAt);
    log.info(`Upload URL for ${names.blobContainers.drops}/${blobName} issued to ${caller.keyId}, valid until ${expiresAt.toISOString()}`);
    return created({
      uploadUrl,
      method: "PUT",
      headers: { "x-ms-blob-type": "BlockBlob" },
      blobPath: `${names.blobContainers.drops}/${blobName}`,
      expiresAt: expiresAt.toISOString(),
    });
  };

registerRoute(routes.createUpload, createUpload);
