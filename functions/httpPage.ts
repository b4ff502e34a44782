import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants as zlibConstants, gzipSync } from "node:zlib";
import { app, type HttpHandler, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { notFound } from "../shared/http.js";
import { fromServices } from "../shared/wiring.js";

// The web page (web/, built by Vite into dist/page) served by the function app itself: index.html at the
// site root, hashed assets under /assets/. API routes stay under /api/; the page never matches them.

/** Where the built page lives: <project>/dist/page from source (tsx), and beside functions/ once compiled (dist/page). */
export function pageDirFor(moduleUrl: string): string {
  const file = fileURLToPath(moduleUrl);
  const functionsDir = path.dirname(file);
  return file.endsWith(".ts") ? path.join(functionsDir, "..", "dist", "page") : path.join(functionsDir, "..", "page");
}

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};
const compressible = new Set([".html", ".js", ".css", ".svg", ".json", ".webmanifest", ".txt"]);

interface PageFile {
  body: Buffer;
  contentType: string;
  cacheControl: string;
  compressible: boolean;
  encoded: Map<"br" | "gzip", Buffer>;
}

/** Reads every file of the built page (paths relative to it, "/" separated): only these are ever served. */
export async function readPageFiles(dir: string): Promise<Map<string, PageFile>> {
  const files = new Map<string, PageFile>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    const relative = path.relative(dir, full).split(path.sep).join("/");
    const ext = path.extname(entry.name).toLowerCase();
    files.set(relative, {
      body: await readFile(full),
      contentType: contentTypes[ext] ?? "application/octet-stream",
      // index.html names the current hashed assets, so it is never cached; hashed assets never change.
      cacheControl: relative === "index.html" ? "no-store" : relative.startsWith("assets/") ? "public, max-age=31536000, immutable" : "public, max-age=3600",
      compressible: compressible.has(ext),
      encoded: new Map(),
    });
  }
  return files;
}

/** The best encoding the client accepts: brotli, else gzip, else none (q=0 refuses one). */
export function pickEncoding(acceptEncoding: string | null): "br" | "gzip" | undefined {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? "").split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
    accepted.set(name, q ? Number(q[1]) : 1);
  }
  const allows = (name: string) => (accepted.get(name) ?? (accepted.get("*") ?? 0)) > 0;
  if (allows("br")) return "br";
  if (allows("gzip")) return "gzip";
  return undefined;
}

/** A static file compressed once for an encoding; brotli's quality trades compression time for size. */
export function compress(body: Buffer, encoding: "br" | "gzip", brotliQuality = 11): Buffer {
  return encoding === "br"
    ? brotliCompressSync(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: brotliQuality, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length } })
    : gzipSync(body, { level: 9 });
}

function encode(file: PageFile, encoding: "br" | "gzip"): Buffer {
  let encoded = file.encoded.get(encoding);
  if (!encoded) {
    encoded = compress(file.body, encoding);
    file.encoded.set(encoding, encoded);
  }
  return encoded;
}

/** The headers every static file of the app carries (the page and the API reference), beside its own CSP. */
export function staticFileHeaders(contentSecurityPolicy: string): Record<string, string> {
  return {
    "content-security-policy": contentSecurityPolicy,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
  };
}

/** No inline script or style; the page talks to its own origin, and uploads go to the storage account's blob endpoint. */
export function contentSecurityPolicy(uploadOrigins: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    ["connect-src 'self'", ...uploadOrigins].join(" "),
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export interface PageOptions {
  /** The built page's folder. */
  dir: string;
  /** Origins the page may upload drops to (the blob endpoint); read on each request, as settings can change. */
  uploadOrigins?: () => readonly string[];
  /** Where work accounts sign in (App Service authentication's login path), when the app trusts it; read on each request. */
  workAccountLogin?: () => string | undefined;
}

/** The meta that tells the page it may sign people in with their work account, and where (no inline script: the CSP forbids it). */
export const workAccountMetaName = "poi-work-account";

const escapeAttribute = (text: string) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** index.html with the work-account meta in its head (before </head>, else at the start). */
export function withWorkAccountMeta(html: string, loginPath: string): string {
  const meta = `<meta name="${workAccountMetaName}" content="${escapeAttribute(loginPath)}">`;
  const head = html.search(/<\/head>/i);
  return head < 0 ? meta + html : `${html.slice(0, head)}${meta}\n  ${html.slice(head)}`;
}

/** Serves the built page: `file` is the requested path relative to the page's folder ("" is index.html). */
export function makePageServer(options: PageOptions): (request: HttpRequest, context: InvocationContext, file: string) => Promise<HttpResponseInit> {
  let files: Promise<Map<string, PageFile>> | undefined;
  let scannedAt = 0;
  const load = async (rescan: boolean) => {
    // A rebuild while the host runs (npm start) adds new hashed names: look again on a miss, at most once a second.
    if (!files || (rescan && Date.now() - scannedAt > 1000)) {
      scannedAt = Date.now();
      files = readPageFiles(options.dir);
      files.catch(() => (files = undefined));
    }
    return files;
  };
  // index.html with the work-account meta, kept per login path so its compressed forms are made once.
  const indexVariants = new WeakMap<PageFile, Map<string, PageFile>>();
  const indexFor = (index: PageFile, loginPath: string | undefined): PageFile => {
    if (!loginPath) return index;
    let variants = indexVariants.get(index);
    if (!variants) indexVariants.set(index, (variants = new Map()));
    let variant = variants.get(loginPath);
    if (!variant) {
      variant = { ...index, body: Buffer.from(withWorkAccountMeta(index.body.toString("utf8"), loginPath), "utf8"), encoded: new Map() };
      variants.set(loginPath, variant);
    }
    return variant;
  };
  return async (request, context, file) => {
    let pageFiles: Map<string, PageFile>;
    try {
      pageFiles = await load(false);
      if (!pageFiles.has(file)) pageFiles = await load(true);
    } catch (err) {
      // Without a built page there is no file to serve: the page itself says so, anything else is simply not found.
      if (file !== "index.html") pageFiles = new Map();
      else {
        context.error(`The web page is not built (${options.dir}): run npm run build`, err);
        return { status: 503, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" }, body: "The web page is not built on this server." };
      }
    }
    const stored = pageFiles.get(file);
    const found = stored && file === "index.html" ? indexFor(stored, options.workAccountLogin?.()) : stored;
    const headers = staticFileHeaders(contentSecurityPolicy(options.uploadOrigins?.() ?? []));
    if (!found) return { status: 404, headers: { ...headers, "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" }, body: "Not Found" };
    headers["content-type"] = found.contentType;
    headers["cache-control"] = found.cacheControl;
    if (!found.compressible) return { status: 200, headers, body: found.body };
    headers.vary = "Accept-Encoding";
    const encoding = pickEncoding(request.headers.get("accept-encoding"));
    if (!encoding) return { status: 200, headers, body: found.body };
    headers["content-encoding"] = encoding;
    return { status: 200, headers, body: encode(found, encoding) };
  };
}

// The blob endpoint's origin, from the app's storage settings; none when they are missing (no upload then).
const blobOrigin = fromServices(({ clients }) => new URL(clients.blobs.url).origin);
function uploadOrigins(): string[] {
  try {
    return [blobOrigin()];
  } catch {
    return [];
  }
}

// Behind App Service authentication (ENTRA_TRUST_APP_SERVICE_AUTH=true) work accounts sign in at its login path.
export const appServiceLoginPath = "/.auth/login/aad";
const trustsAppServiceAuth = fromServices(({ config }) => config.trustAppServiceAuth);
function workAccountLogin(): string | undefined {
  try {
    return trustsAppServiceAuth() ? appServiceLoginPath : undefined;
  } catch {
    return undefined;
  }
}

const serve = makePageServer({ dir: pageDirFor(import.meta.url), uploadOrigins, workAccountLogin });

/** GET / and the page's top-level files (favicon); "/api" itself is the API's, not the page's. */
export const pageHandler: HttpHandler = async (request, context) => {
  const file = request.params.file ?? "";
  if (file.toLowerCase() === "api") return notFound();
  return serve(request, context, file === "" ? "index.html" : file);
};

/** GET /assets/... : the hashed scripts and styles. */
export const pageAssetsHandler: HttpHandler = async (request, context) => serve(request, context, `assets/${request.params.path ?? ""}`);

// One optional segment matches the site root (with routePrefix "") and never an /api/... path.
app.http("page", { methods: ["GET", "HEAD"], route: "{file?}", authLevel: "anonymous", handler: pageHandler });
app.http("pageAssets", { methods: ["GET", "HEAD"], route: "assets/{*path}", authLevel: "anonymous", handler: pageAssetsHandler });
