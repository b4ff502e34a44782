import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { app, type HttpHandler, type HttpResponseInit } from "@azure/functions";
import { apiBasePath } from "../shared/api/routes.js";
import { unknownRouteResponse } from "../shared/api/unknownRoute.js";
import { compress, pickEncoding, staticFileHeaders } from "./httpPage.js";

// The interactive API reference at /api/docs: Swagger UI (swagger-ui-dist, served from this app: no CDN) reading
// /api/openapi.json. The page is ours (no inline script or style), the strict CSP of the web page applies, the
// validator badge is off (it would send the document to a third party), and "Try it out" calls this origin only.

const require = createRequire(import.meta.url);
const swaggerUiDir = path.dirname(require.resolve("swagger-ui-dist/package.json"));
const swaggerUiVersion = (require("swagger-ui-dist/package.json") as { version: string }).version;

const base = `/${apiBasePath}/docs`;
const title = "Partner opportunity insights API";

/** No inline script or style: scripts and styles come from this app; "Try it out" reaches this origin only. */
export const docsContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  // Swagger UI's stylesheet draws its icons as data: SVGs.
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

// Asset URLs carry the library's version, so a browser may keep them for good and an upgrade still reaches it.
const indexHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}: reference</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${base}/swagger-ui.css?v=${swaggerUiVersion}">
<link rel="stylesheet" href="${base}/docs.css?v=${swaggerUiVersion}">
</head>
<body>
<main id="swagger-ui" aria-label="${title} reference"></main>
<script src="${base}/swagger-ui-bundle.js?v=${swaggerUiVersion}"></script>
<script src="${base}/docs.js?v=${swaggerUiVersion}"></script>
</body>
</html>
`;

// Send the key with "Authorize" (x-api-key, or a bearer token); it stays in this tab's memory only.
const initializer = `window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/${apiBasePath}/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    persistAuthorization: false,
    displayOperationId: true,
    displayRequestDuration: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    filter: true,
    tryItOutEnabled: false,
    supportedSubmitMethods: ["get", "post", "put", "patch", "delete"]
  });
});
`;

const docsCss = `body { margin: 0; }
#swagger-ui .information-container .info { margin: 24px 0; }
`;

interface DocsFile {
  load: () => Promise<Buffer>;
  contentType: string;
  cacheControl: string;
}

const immutable = "public, max-age=31536000, immutable";
const docsFiles: Record<string, DocsFile> = {
  "": { load: async () => Buffer.from(indexHtml), contentType: "text/html; charset=utf-8", cacheControl: "no-cache" },
  "docs.js": { load: async () => Buffer.from(initializer), contentType: "text/javascript; charset=utf-8", cacheControl: immutable },
  "docs.css": { load: async () => Buffer.from(docsCss), contentType: "text/css; charset=utf-8", cacheControl: immutable },
  "swagger-ui-bundle.js": { load: () => readFile(path.join(swaggerUiDir, "swagger-ui-bundle.js")), contentType: "text/javascript; charset=utf-8", cacheControl: immutable },
  "swagger-ui.css": { load: () => readFile(path.join(swaggerUiDir, "swagger-ui.css")), contentType: "text/css; charset=utf-8", cacheControl: immutable },
};

/** The files' bytes and their compressed forms, made once per instance (brotli at quality 9: a tenth of a second for the 1.7 MB bundle). */
const cache = new Map<string, Promise<{ plain: Buffer; br: Buffer; gzip: Buffer }>>();
function encoded(name: string, file: DocsFile) {
  let entry = cache.get(name);
  if (!entry) {
    entry = file.load().then((plain) => ({
      plain,
      br: compress(plain, "br", 9),
      gzip: compress(plain, "gzip"),
    }));
    entry.catch(() => cache.delete(name));
    cache.set(name, entry);
  }
  return entry;
}

/** GET /api/docs and its assets; any other file under it is the API's JSON 404. */
export const docsHandler: HttpHandler = async (request): Promise<HttpResponseInit> => {
  const name = request.params.file ?? "";
  const file = Object.hasOwn(docsFiles, name) ? docsFiles[name] : undefined;
  if (!file) return unknownRouteResponse(request.method, `docs/${name}`);
  const bodies = await encoded(name, file);
  const encoding = pickEncoding(request.headers.get("accept-encoding"));
  const body = encoding ? bodies[encoding] : bodies.plain;
  return {
    status: 200,
    headers: {
      "content-type": file.contentType,
      "cache-control": file.cacheControl,
      vary: "Accept-Encoding",
      ...(encoding ? { "content-encoding": encoding } : {}),
      ...staticFileHeaders(docsContentSecurityPolicy),
    },
    body: request.method === "HEAD" ? undefined : body,
  };
};

app.http("apiDocs", { methods: ["GET", "HEAD"], route: `${apiBasePath}/docs/{file?}`, authLevel: "anonymous", handler: docsHandler });
