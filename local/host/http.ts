import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { format } from "node:util";
import functionsLibrary from "@azure/functions";
import type { Cookie, HttpResponseInit } from "@azure/functions";
import type { HostActivity } from "./activity.js";
import type { Invoke } from "./invocation.js";
import { triggerOf, type Registration } from "./registry.js";
import { compareRoutePrecedence, matchRoute, parseRouteTemplate, type RouteSegment } from "./routeTemplates.js";

// HTTP triggers: the routes under host.json's routePrefix and the server that answers them (404 for an
// unknown route, 405 for a wrong method, 413 for an oversized body, streamed responses).

// The library's CommonJS bundle defines these as getters that Node's ESM named-import detection misses.
const { HttpRequest, HttpResponse } = functionsLibrary;

export interface HttpRoute {
  registration: Registration;
  template: string;
  segments: RouteSegment[];
  methods: string[];
}

/** The HTTP-triggered functions as routes, most specific first. */
export function httpRoutesOf(registrations: readonly Registration[], routePrefix: string): HttpRoute[] {
  const httpRoutes: HttpRoute[] = [];
  for (const r of registrations) {
    const trigger = triggerOf(r);
    if (trigger.type !== "httpTrigger") continue;
    const template = String(trigger.route ?? r.name);
    const prefix = routePrefix ? `${routePrefix}/` : "";
    httpRoutes.push({
      registration: r,
      template: `/${prefix}${template.replace(/^\/+/, "")}`,
      segments: parseRouteTemplate(`${prefix}${template}`),
      methods: ((trigger.methods as string[] | undefined) ?? ["GET", "POST"]).map((m) => m.toUpperCase()),
    });
  }
  return httpRoutes.sort((a, b) => compareRoutePrecedence(a.segments, b.segments));
}

/** Largest request body the local host accepts (the API's own JSON bodies are far smaller). */
export const maxRequestBodyBytes = 1024 * 1024;

interface HttpDeps {
  routes: readonly HttpRoute[];
  invoke: Invoke;
  activity: HostActivity;
  log: (line: string) => void;
}

/** Listens on 127.0.0.1:`port` (0: a free port); a request while the host stops gets 503. */
export async function startHttpServer(port: number, deps: HttpDeps): Promise<{ server: Server; port: number; baseUrl: string }> {
  const server: Server = createServer((req, res) => {
    if (deps.activity.stopping) {
      res.setHeader("Connection", "close");
      return sendPlain(res, 503, "Service Unavailable");
    }
    void deps.activity.track(handleHttp(deps, req, res), false);
  });
  // Exports can take a while on a slow client; rely on the function timeout instead of Node's request timeout.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const listening = (server.address() as AddressInfo).port;
  return { server, port: listening, baseUrl: `http://127.0.0.1:${listening}` };
}

async function handleHttp({ routes, invoke, log }: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
  let parts: string[];
  try {
    parts = url.pathname.split("/").filter((p) => p !== "").map(decodeURIComponent);
  } catch {
    return sendPlain(res, 400, "Bad Request");
  }
  const method = (req.method ?? "GET").toUpperCase();
  let matched: { route: HttpRoute; params: Record<string, string> } | undefined;
  const allowed = new Set<string>();
  for (const route of routes) {
    const params = matchRoute(route.segments, parts);
    if (!params) continue;
    if (route.methods.includes(method)) {
      matched = { route, params };
      break;
    }
    route.methods.forEach((m) => allowed.add(m));
  }
  if (!matched) {
    if (allowed.size) {
      res.setHeader("Allow", [...allowed].join(", "));
      return sendPlain(res, 405, "Method Not Allowed");
    }
    return sendPlain(res, 404, "Not Found");
  }
  const { route, params } = matched;
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  const hasBody = method !== "GET" && method !== "HEAD";
  // Request bodies are capped (as the platform caps them) and read before the handler runs: an
  // oversized upload gets 413 here and never reaches a handler or sits in memory.
  let body: Buffer | undefined;
  if (hasBody) {
    const read = await readRequestBody(req, maxRequestBodyBytes).catch(() => "aborted" as const);
    // The client went away mid-upload: nobody is left to answer.
    if (read === "aborted") return void res.destroy();
    if (read === "tooLarge") {
      res.setHeader("Connection", "close");
      log(`[host] ${method} ${url.pathname} → 413 (body over ${maxRequestBodyBytes} bytes)`);
      return sendPlain(res, 413, "Payload Too Large");
    }
    body = read.length ? read : undefined;
  }
  const nativeRequest = new Request(url, { method, headers, body, duplex: "half" } as RequestInit);
  const request = new HttpRequest({ nativeRequest, params, url: url.href, method } as never);
  const started = Date.now();
  let status = 500;
  try {
    const { result } = await invoke(route.registration, request, undefined);
    status = await writeHttpResponse(res, result);
  } catch (err) {
    log(`[${route.registration.name}] error: ${format(err)}`);
    if (!res.headersSent) sendPlain(res, 500, "Internal Server Error");
    else res.destroy(err as Error);
  } finally {
    // An API key pasted into the query string by mistake never reaches the log.
    const search = url.search.replace(/poi_[^&=\s]*/gi, "poi_[redacted]");
    log(`[host] ${method} ${url.pathname}${search} → ${status} (${route.registration.name}, ${Date.now() - started} ms)`);
  }
}

/** The whole body, or "tooLarge" as soon as the declared or received size passes maxBytes. */
async function readRequestBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | "tooLarge"> {
  const declared = Number(req.headers["content-length"] ?? "");
  if (Number.isFinite(declared) && declared > maxBytes) return "tooLarge";
  // Events rather than for-await: leaving a for-await loop would destroy the socket before the 413 is sent.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.off("data", onData).off("end", onEnd).off("error", reject);
      req.pause();
      resolve("tooLarge");
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on("data", onData).once("end", onEnd).once("error", reject);
  });
}

function sendPlain(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader("Content-Type", "text/plain; charset=utf-8");
  res.end(text);
}

/** Maps what a handler returned (HttpResponseInit or HttpResponse) to the socket, streaming the body. */
async function writeHttpResponse(res: ServerResponse, result: unknown): Promise<number> {
  if (result === undefined || result === null) {
    res.statusCode = 204;
    res.end();
    return 204;
  }
  if (typeof result !== "object") {
    throw new Error('The HTTP response must be an object with optional properties "body", "status", "headers", and "cookies".');
  }
  const response = result instanceof HttpResponse ? result : new HttpResponse(result as HttpResponseInit);
  res.statusCode = response.status;
  const setCookies: string[] = [];
  for (const [key, value] of response.headers) {
    if (key.toLowerCase() === "set-cookie") setCookies.push(value);
    else res.setHeader(key, value);
  }
  for (const cookie of response.cookies) setCookies.push(serializeCookie(cookie));
  if (setCookies.length) res.setHeader("Set-Cookie", setCookies);
  const body = response.body;
  if (!body) {
    res.end();
    return response.status;
  }
  // Piped with backpressure: a large export never sits whole in memory.
  await pipeline(Readable.fromWeb(body as unknown as WebReadableStream<Uint8Array>), res);
  return response.status;
}

function serializeCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${encodeURIComponent(cookie.value)}`];
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  if (cookie.path) parts.push(`Path=${cookie.path}`);
  if (cookie.expires) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.secure) parts.push("Secure");
  if (cookie.httpOnly) parts.push("HttpOnly");
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join("; ");
}
