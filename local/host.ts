import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import Module from "node:module";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { format } from "node:util";
import { fileURLToPath, pathToFileURL } from "node:url";
import functionsLibrary from "@azure/functions";
import type { Cookie, HttpResponseInit, Timer } from "@azure/functions";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { QueueServiceClient, type QueueClient } from "@azure/storage-queue";
import { resetServices } from "../shared/services.js";
import { nextOccurrence, parseNcrontab, type CronSchedule } from "./ncrontab.js";

// A small, faithful local host for the functions registered with @azure/functions (v4 model),
// used by `npm start` when Azure Functions Core Tools (`func`) is not installed, and by e2e tests
// and benchmarks. The function files are the same ones `func start` and Azure load: they call
// app.http/app.timer/app.storageBlob/app.storageQueue, which hand their registrations to the
// module "@azure/functions-core" that the real Node.js worker provides. This host provides that
// module the same way the worker does (a require hook), so handlers cannot tell the hosts apart.

// The library's CommonJS bundle defines these as getters that Node's ESM named-import detection misses.
const { HttpRequest, HttpResponse, InvocationContext } = functionsLibrary;

export interface LocalHostOptions {
  /** App settings (like local.settings.json "Values"): set as environment variables for the handlers. */
  settings: Record<string, string>;
  /** Folder of function files (*.ts, *.js) that register with `app.*`. Default: ./functions. */
  functionsDir?: string;
  /** host.json to read; default: beside functionsDir, else ./host.json. */
  hostJsonPath?: string;
  /** Deep-merged over host.json (tests shorten retry delays, for example). */
  hostJsonOverrides?: Record<string, unknown>;
  /** HTTP port on 127.0.0.1; 0 picks a free port. Default 7071 like `func start`. */
  port?: number;
  /** How often blob containers and queues are polled. Default 300 ms. */
  pollIntervalMs?: number;
  log?: (line: string) => void;
}

export interface LocalHost {
  baseUrl: string;
  port: number;
  /** Names of the functions loaded, by trigger type. */
  functions: { name: string; trigger: string }[];
  /** Resolves when no blob, queue or timer invocation is running or pending (blob versions not yet processed, queue messages waiting or due for a retry). */
  idle(options?: { timeoutMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

// ---- the "@azure/functions-core" module the worker provides --------------------------------

interface BindingInfo {
  type: string;
  direction?: "in" | "out";
  name?: string;
  [key: string]: unknown;
}

interface FunctionMetadata {
  name: string;
  bindings: Record<string, BindingInfo>;
  retryOptions?: unknown;
}

type FunctionCallback = (...args: unknown[]) => unknown;
type HookCallback = (context: { hookData: Record<string, unknown>; [key: string]: unknown }) => unknown;

export interface Registration {
  name: string;
  metadata: FunctionMetadata;
  handler: FunctionCallback;
}

interface CoreRegistry {
  byFile: Map<string, Registration[]>;
  loading?: Registration[];
  /** Registrations made while no host was loading (a function file imported directly, e.g. by a test). */
  loose: { files: string[]; registrations: Registration[] }[];
  hooks: Map<string, Set<HookCallback>>;
  log: (line: string) => void;
}

const registryKey = Symbol.for("partner-insights.local-host.core-registry");

/** Installs the "@azure/functions-core" module once per process, before any function file registers. */
function coreRegistry(): CoreRegistry {
  const holder = globalThis as unknown as Record<symbol, CoreRegistry | undefined>;
  const existing = holder[registryKey];
  if (existing) return existing;
  const registry: CoreRegistry = { byFile: new Map(), loose: [], hooks: new Map(), log: (line) => console.log(line) };
  const disposable = (dispose: () => void) => ({ dispose });
  const coreApi = {
    version: "local-host",
    hostVersion: "4.0.0-local",
    setProgrammingModel(_model: unknown) {
      // Invocations are built directly from the registration (see invoke()); the model is not needed.
    },
    getProgrammingModel() {
      return undefined;
    },
    registerFunction(metadata: FunctionMetadata, handler: FunctionCallback) {
      let list = registry.loading;
      if (!list) {
        // A function file imported directly (e.g. by a test) before any host loaded it: remember its
        // registrations under that file, found on the call stack, so a later host load reuses them.
        const files = callerFiles(new Error().stack);
        list = [];
        registry.loose.push({ files, registrations: list });
      }
      const target = list;
      const registration: Registration = { name: metadata.name, metadata, handler };
      target.push(registration);
      return disposable(() => target.splice(target.indexOf(registration), 1));
    },
    registerHook(hookName: string, callback: HookCallback) {
      const set = registry.hooks.get(hookName) ?? new Set();
      registry.hooks.set(hookName, set);
      set.add(callback);
      return disposable(() => set.delete(callback));
    },
    log(level: string, category: string, message: string) {
      if (level !== "debug" && level !== "trace") registry.log(`[${category}] ${level}: ${message}`);
    },
    Disposable: class {
      constructor(private readonly callOnDispose: () => void) {}
      dispose() {
        this.callOnDispose();
      }
    },
  };
  // The Node.js worker exposes its core API to @azure/functions the same way: by answering this require.
  const proto = Module.prototype as unknown as { require: (id: string) => unknown };
  const originalRequire = proto.require;
  proto.require = function (this: unknown, id: string) {
    if (id === "@azure/functions-core") return coreApi;
    return originalRequire.call(this, id);
  };
  holder[registryKey] = registry;
  return registry;
}

/** The source files on the call stack of an app.* call (the function file is among them). */
function callerFiles(stack: string | undefined): string[] {
  const files: string[] = [];
  for (const line of (stack ?? "").split("\n").slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^():]+|[A-Za-z]:\\[^():]+):\d+:\d+\)?\s*$/.exec(line);
    if (!m) continue;
    const file = m[1].startsWith("file://") ? fileURLToPath(m[1]) : m[1];
    if (!file.includes(`${path.sep}node_modules${path.sep}`)) files.push(path.resolve(file));
  }
  return files;
}

// Installed as soon as the host module loads, so function files imported afterwards (even directly) register here.
coreRegistry();

const stopGraceMs = 10_000;

let loadChain: Promise<unknown> = Promise.resolve();

/** Imports each function file once per process and returns the registrations each made. */
async function loadFunctions(functionsDir: string, log: (line: string) => void): Promise<Registration[]> {
  const registry = coreRegistry();
  const run = async () => {
    const entries = (await readdir(functionsDir, { withFileTypes: true }))
      .filter((e) => e.isFile() && /\.(ts|js|mjs|cjs)$/.test(e.name) && !/\.(d|test|spec)\.[mc]?[tj]s$/.test(e.name))
      .map((e) => path.join(functionsDir, e.name))
      .sort();
    const all: Registration[] = [];
    for (const file of entries) {
      let registrations = registry.byFile.get(file);
      if (!registrations) {
        registrations = [];
        registry.loading = registrations;
        try {
          await import(pathToFileURL(file).href);
        } catch (err) {
          log(`[host] error: failed to load ${path.basename(file)}: ${format(err)}`);
          throw err;
        } finally {
          registry.loading = undefined;
        }
        if (registrations.length === 0) {
          // Already evaluated before this host loaded it: take what it registered then.
          for (const loose of registry.loose.filter((l) => l.files.includes(file))) {
            registrations.push(...loose.registrations);
            registry.loose.splice(registry.loose.indexOf(loose), 1);
          }
        }
        registry.byFile.set(file, registrations);
      }
      all.push(...registrations);
    }
    return all;
  };
  const result = loadChain.then(run, run);
  loadChain = result.catch(() => undefined);
  return result;
}

// ---- host.json ------------------------------------------------------------------------------

interface HostConfig {
  routePrefix: string;
  functionTimeoutMs: number | undefined;
  blobs: { poisonBlobThreshold: number; maxDegreeOfParallelism: number };
  queues: { maxDequeueCount: number; batchSize: number; visibilityTimeoutMs: number; messageEncoding: "base64" | "none" };
}

async function readHostConfig(file: string | undefined, overrides: Record<string, unknown> | undefined): Promise<HostConfig> {
  let json: Record<string, unknown> = {};
  if (file && existsSync(file)) json = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  if (overrides) json = deepMerge(json, overrides);
  const extensions = (json.extensions ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const http = extensions.http ?? {};
  const blobs = extensions.blobs ?? {};
  const queues = extensions.queues ?? {};
  const routePrefix = typeof http.routePrefix === "string" ? http.routePrefix.replace(/^\/+|\/+$/g, "") : "api";
  return {
    routePrefix,
    functionTimeoutMs: typeof json.functionTimeout === "string" ? parseTimeSpan(json.functionTimeout) : undefined,
    blobs: {
      // Storage extension 5.x names it poisonBlobThreshold; older hosts used the queues' maxDequeueCount.
      poisonBlobThreshold: num(blobs.poisonBlobThreshold) ?? num(blobs.maxDequeueCount) ?? num(queues.maxDequeueCount) ?? 5,
      maxDegreeOfParallelism: num(blobs.maxDegreeOfParallelism) ?? 4,
    },
    queues: {
      maxDequeueCount: num(queues.maxDequeueCount) ?? 5,
      // The real host fetches up to 16 at a time; locally a few concurrent messages are plenty.
      batchSize: Math.max(1, Math.min(num(queues.batchSize) ?? 4, 16)),
      visibilityTimeoutMs: typeof queues.visibilityTimeout === "string" ? parseTimeSpan(queues.visibilityTimeout) : 0,
      messageEncoding: String(queues.messageEncoding ?? "base64").toLowerCase() === "none" ? "none" : "base64",
    },
  };
}

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** "hh:mm:ss" or "d.hh:mm:ss" (a .NET TimeSpan, as host.json writes durations) → ms. */
export function parseTimeSpan(text: string): number {
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`host.json: "${text}" is not a duration hh:mm:ss`);
  const [, days, h, min, s, frac] = m;
  return ((Number(days ?? 0) * 24 + Number(h)) * 3600 + Number(min) * 60 + Number(s)) * 1000 + (frac ? Number(`0.${frac}`) * 1000 : 0);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === "object" && !Array.isArray(v) && b && typeof b === "object" && !Array.isArray(b)
        ? deepMerge(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/** "%Setting%" in trigger options resolve from app settings, like the real host. */
function resolveSettingExpressions(value: string, settings: NodeJS.ProcessEnv): string {
  return value.replace(/%([^%]+)%/g, (_, name: string) => {
    const resolved = settings[name];
    if (resolved === undefined) throw new Error(`app setting "${name}" (referenced as %${name}%) is not set`);
    return resolved;
  });
}

// ---- HTTP routes ----------------------------------------------------------------------------

type RouteSegment =
  | { kind: "literal"; text: string }
  | { kind: "param"; name: string; optional: boolean; catchAll: boolean; constraints: ((v: string) => boolean)[] };

interface HttpRoute {
  registration: Registration;
  template: string;
  segments: RouteSegment[];
  methods: string[];
}

/** Parses an ASP.NET-style route template: literals, {name}, {name?}, {name:int}, {name:regex(...)}, {*rest}. */
export function parseRouteTemplate(template: string): RouteSegment[] {
  const trimmed = template.replace(/^\/+|\/+$/g, "");
  if (trimmed === "") return [];
  return trimmed.split("/").map((segment): RouteSegment => {
    const m = /^\{(\*{1,2})?([A-Za-z_][A-Za-z0-9_]*)((?::[^:?}]+(?:\([^)]*\))?)*)(\?)?\}$/.exec(segment);
    if (!m) {
      if (segment.includes("{")) throw new Error(`route "${template}": unsupported segment "${segment}"`);
      return { kind: "literal", text: segment.toLowerCase() };
    }
    const [, star, name, constraintText, optional] = m;
    const constraints = (constraintText.match(/:[^:(]+(?:\([^)]*\))?/g) ?? []).map((c) => routeConstraint(c.slice(1), template));
    return { kind: "param", name, optional: Boolean(optional) || Boolean(star), catchAll: Boolean(star), constraints };
  });
}

function routeConstraint(spec: string, template: string): (v: string) => boolean {
  const m = /^([a-z]+)(?:\((.*)\))?$/i.exec(spec);
  if (!m) throw new Error(`route "${template}": unsupported constraint "${spec}"`);
  const [, name, argText] = m;
  const args = argText?.split(",").map((a) => a.trim()) ?? [];
  switch (name.toLowerCase()) {
    case "int":
    case "long":
      return (v) => /^-?\d+$/.test(v);
    case "double":
    case "decimal":
    case "float":
      return (v) => v.trim() !== "" && Number.isFinite(Number(v));
    case "bool":
      return (v) => /^(true|false)$/i.test(v);
    case "alpha":
      return (v) => /^[a-z]+$/i.test(v);
    case "guid":
      return (v) => /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i.test(v);
    case "datetime":
      return (v) => !Number.isNaN(Date.parse(v));
    case "minlength":
      return (v) => v.length >= Number(args[0]);
    case "maxlength":
      return (v) => v.length <= Number(args[0]);
    case "length":
      return args.length === 2 ? (v) => v.length >= Number(args[0]) && v.length <= Number(args[1]) : (v) => v.length === Number(args[0]);
    case "min":
      return (v) => Number(v) >= Number(args[0]);
    case "max":
      return (v) => Number(v) <= Number(args[0]);
    case "range":
      return (v) => Number(v) >= Number(args[0]) && Number(v) <= Number(args[1]);
    case "regex": {
      const re = new RegExp(argText ?? "");
      return (v) => re.test(v);
    }
    default:
      throw new Error(`route "${template}": unsupported constraint "${spec}"`);
  }
}

/** Matches path segments (already split, URL-decoded) against a route; returns the params or undefined. */
export function matchRoute(segments: RouteSegment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const part = parts[i];
    if (seg.kind === "literal") {
      if (part === undefined || part.toLowerCase() !== seg.text) return undefined;
      continue;
    }
    if (seg.catchAll) {
      const rest = parts.slice(i).join("/");
      if (rest !== "") params[seg.name] = rest;
      return params;
    }
    if (part === undefined || part === "") {
      if (!seg.optional) return undefined;
      continue;
    }
    if (!seg.constraints.every((c) => c(part))) return undefined;
    params[seg.name] = part;
  }
  return parts.length <= segments.length ? params : undefined;
}

// Literal segments win over parameters, constrained over unconstrained, required over optional (ASP.NET precedence).
function routeRank(segments: RouteSegment[]): number[] {
  return segments.map((s) => (s.kind === "literal" ? 0 : s.catchAll ? 4 : s.optional ? 3 : s.constraints.length ? 1 : 2));
}

function compareRoutes(a: HttpRoute, b: HttpRoute): number {
  const ra = routeRank(a.segments);
  const rb = routeRank(b.segments);
  for (let i = 0; i < Math.max(ra.length, rb.length); i++) {
    const x = ra[i] ?? -1;
    const y = rb[i] ?? -1;
    if (x !== y) return x - y;
  }
  return 0;
}

// ---- the host -------------------------------------------------------------------------------

interface Listener {
  name: string;
  /** Start time of the first poll of the current run of polls that found no work. */
  quietSince: number | undefined;
  /** Start time of the latest poll that found no work. */
  lastQuietPoll: number | undefined;
  stop(): void;
}

export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const log = options.log ?? ((line: string) => console.log(line));
  const registry = coreRegistry();
  registry.log = log;
  const functionsDir = path.resolve(options.functionsDir ?? "functions");
  const hostJsonPath =
    options.hostJsonPath ??
    [path.join(functionsDir, "..", "host.json"), path.resolve("host.json")].find((f) => existsSync(f));
  const hostConfig = await readHostConfig(hostJsonPath, options.hostJsonOverrides);
  const pollIntervalMs = options.pollIntervalMs ?? 300;

  // The worker process sees app settings as environment variables; restore the previous values on stop.
  const previousEnv = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(options.settings)) {
    previousEnv.set(key, process.env[key]);
    process.env[key] = value;
  }
  resetServices();

  const restoreEnv = () => {
    for (const [key, value] of previousEnv) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  let registrations: Registration[];
  try {
    registrations = await loadFunctions(functionsDir, log);
  } catch (err) {
    restoreEnv();
    throw err;
  }
  let stopping = false;
  const running = new Set<Promise<unknown>>();
  let backgroundRunning = 0;
  let lastActivityAt = Date.now();
  const listeners: Listener[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const stopSignal = new AbortController();
  /** Waits `ms`, or less when the host stops (so stop() never waits for a retry that will not happen). */
  const delayUnlessStopping = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      stopSignal.signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
    });

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const track = <T>(work: Promise<T>, background: boolean): Promise<T> => {
    running.add(work);
    if (background) {
      backgroundRunning++;
      lastActivityAt = Date.now();
    }
    const done = () => {
      running.delete(work);
      if (background) {
        backgroundRunning--;
        lastActivityAt = Date.now();
      }
    };
    work.then(done, done);
    return work;
  };

  /** Runs one invocation the way the worker does: a real InvocationContext, the handler, its timeout. */
  const invoke = async (registration: Registration, input: unknown, triggerMetadata: Record<string, unknown> | undefined) => {
    const invocationId = randomUUID();
    const trigger = triggerOf(registration);
    const context = new InvocationContext({
      invocationId,
      functionName: registration.name,
      triggerMetadata,
      options: {
        trigger: { ...trigger, name: trigger.name ?? "trigger", type: trigger.type },
        return: registration.metadata.bindings.$return as never,
        extraInputs: [],
        extraOutputs: [],
      },
      logHandler: (level, ...args) => {
        if (level === "debug" || level === "trace") return;
        log(`[${registration.name}] ${level === "information" ? "" : `${level}: `}${format(...args)}`);
      },
    });
    await runHooks("preInvocation", { invocationContext: context, inputs: [input], functionHandler: registration.handler });
    const handlerCall = Promise.resolve().then(() => registration.handler(input, context));
    const limit = hostConfig.functionTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = limit
        ? await Promise.race([
            handlerCall,
            new Promise((_, reject) => {
              timer = setTimeout(
                () => reject(new Error(`Timeout value of ${limit} ms (host.json functionTimeout) was exceeded by function: ${registration.name}`)),
                limit,
              );
            }),
          ])
        : await handlerCall;
      await runHooks("postInvocation", { invocationContext: context, inputs: [input], result, error: undefined });
      return { result, context };
    } finally {
      if (timer) clearTimeout(timer);
    }
  };

  const runHooks = async (name: string, data: Record<string, unknown>) => {
    for (const hook of registry.hooks.get(name) ?? []) await hook({ hookData: {}, ...data });
  };

  // ---- HTTP ----
  const httpRoutes: HttpRoute[] = [];
  for (const r of registrations) {
    const trigger = triggerOf(r);
    if (trigger.type !== "httpTrigger") continue;
    const template = String(trigger.route ?? r.name);
    const prefix = hostConfig.routePrefix ? `${hostConfig.routePrefix}/` : "";
    httpRoutes.push({
      registration: r,
      template: `/${prefix}${template.replace(/^\/+/, "")}`,
      segments: parseRouteTemplate(`${prefix}${template}`),
      methods: ((trigger.methods as string[] | undefined) ?? ["GET", "POST"]).map((m) => m.toUpperCase()),
    });
  }
  httpRoutes.sort(compareRoutes);

  const handleHttp = async (req: IncomingMessage, res: ServerResponse) => {
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
    for (const route of httpRoutes) {
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
  };

  const server: Server = createServer((req, res) => {
    if (stopping) {
      res.setHeader("Connection", "close");
      return sendPlain(res, 503, "Service Unavailable");
    }
    void track(handleHttp(req, res), false);
  });
  // Exports can take a while on a slow client; rely on the function timeout instead of Node's request timeout.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 7071, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;

  const stopHost = async () => {
    if (stopping) return;
    stopping = true;
    stopSignal.abort();
    listeners.forEach((l) => l.stop());
    for (const t of timers) clearTimeout(t);
    timers.clear();
    server.close();
    server.closeIdleConnections();
    // Running invocations finish (bounded by the function timeout); a client that keeps a response open
    // gets a grace period, then its connection is closed.
    const grace = new Promise((resolve) => setTimeout(resolve, stopGraceMs).unref());
    await Promise.race([Promise.allSettled([...running]), grace]);
    server.closeAllConnections();
    await Promise.allSettled([...running]);
    await runHooks("appTerminate", {}).catch((err) => log(`[host] appTerminate hook failed: ${format(err)}`));
    restoreEnv();
    resetServices();
    log("[host] stopped");
  };

  try {
    // ---- storage clients per connection setting ----
    const blobClients = new Map<string, BlobServiceClient>();
    const queueClients = new Map<string, QueueServiceClient>();
    const connectionString = (connection: unknown) => {
      const name = typeof connection === "string" && connection ? connection : "AzureWebJobsStorage";
      const value = process.env[name];
      if (!value) throw new Error(`storage connection "${name}" is not set (the local host needs a connection string)`);
      return value;
    };
    const blobService = (connection: unknown) => {
      const cs = connectionString(connection);
      let client = blobClients.get(cs);
      if (!client) blobClients.set(cs, (client = BlobServiceClient.fromConnectionString(cs)));
      return client;
    };
    const queueService = (connection: unknown) => {
      const cs = connectionString(connection);
      let client = queueClients.get(cs);
      if (!client) queueClients.set(cs, (client = QueueServiceClient.fromConnectionString(cs)));
      return client;
    };
    const encode = (text: string) => (hostConfig.queues.messageEncoding === "base64" ? Buffer.from(text).toString("base64") : text);

    /** A polling loop: `poll` returns true when it found work. */
    const startListener = (name: string, poll: () => Promise<boolean>) => {
      const listener: Listener = { name, quietSince: undefined, lastQuietPoll: undefined, stop: () => undefined };
      let stopped = false;
      listener.stop = () => {
        stopped = true;
      };
      const loop = async () => {
        if (stopped || stopping) return;
        const startedAt = Date.now();
        try {
          const found = await poll();
          if (found || backgroundRunning > 0) listener.quietSince = undefined;
          else {
            listener.quietSince ??= startedAt;
            listener.lastQuietPoll = startedAt;
          }
        } catch (err) {
          listener.quietSince = undefined;
          if (!stopping) log(`[host] warning: ${name} polling failed: ${format(err)}`);
        }
        if (!stopped && !stopping) later(pollIntervalMs, () => void loop());
      };
      listeners.push(listener);
      void loop();
    };

    // ---- blob triggers ----
    for (const r of registrations) {
      const trigger = triggerOf(r);
      if (trigger.type !== "blobTrigger") continue;
      const triggerPath = resolveSettingExpressions(String(trigger.path), process.env);
      const [containerName, ...rest] = triggerPath.split("/");
      const pattern = blobNamePattern(rest.join("/"));
      const container = blobService(trigger.connection).getContainerClient(containerName);
      // Receipts: blob versions (name + ETag) this function has processed or poisoned. The real host keeps them
      // in the azure-webjobs-hosts container; the local emulators are in memory, so memory is enough here.
      const receipts = new Set<string>();
      const inFlight = new Set<string>();
      const waiting: { name: string; etag: string; attempt: number }[] = [];
      let active = 0;
      const maxActive = Math.max(1, hostConfig.blobs.maxDegreeOfParallelism);

      const pump = () => {
        while (!stopping && active < maxActive && waiting.length) {
          const item = waiting.shift()!;
          active++;
          const work = processBlob(item).catch((err) => log(`[host] error: ${r.name}: ${containerName}/${item.name}: ${format(err)}`));
          void track(work, true).finally(() => {
            active--;
            pump();
          });
        }
      };

      const processBlob = async (item: { name: string; etag: string; attempt: number }) => {
        const key = `${item.name}\u0000${item.etag}`;
        const blob = container.getBlockBlobClient(item.name);
        let content: Buffer;
        let props: Awaited<ReturnType<typeof blob.getProperties>>;
        try {
          // Only this version: a blob moved away (404) or overwritten meanwhile (412) is not invoked for it.
          props = await blob.getProperties({ conditions: { ifMatch: item.etag } });
          content = await blob.downloadToBuffer(0, undefined, { conditions: { ifMatch: item.etag } });
        } catch (err) {
          const status = (err as { statusCode?: number }).statusCode;
          if (status === 404 || status === 412) {
            inFlight.delete(key);
            return;
          }
          inFlight.delete(key);
          throw err;
        }
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
          log(`[${r.name}] error: attempt ${attempt} of ${hostConfig.blobs.poisonBlobThreshold} failed for ${containerName}/${item.name}: ${format(err)}`);
          if (attempt >= hostConfig.blobs.poisonBlobThreshold) {
            receipts.add(key);
            inFlight.delete(key);
            await poisonBlob(r.name, containerName, item.name, item.etag);
          } else if (!stopping) {
            // Retry like the host's internal blob-trigger queue: the message becomes visible again after the queue visibility timeout.
            const retryAfter = Math.max(hostConfig.queues.visibilityTimeoutMs, pollIntervalMs);
            void track(
              delayUnlessStopping(retryAfter).then(() => {
                if (stopping) return;
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

      const poisonBlob = async (functionName: string, containerName: string, blobName: string, etag: string) => {
        const poison = queueService(trigger.connection).getQueueClient("webjobs-blobtrigger-poison");
        await poison.createIfNotExists();
        // Same fields as the real host's poison message, so tooling that reads it works locally too.
        const message = JSON.stringify({
          Type: "BlobTrigger",
          FunctionId: `Host.Functions.${functionName}`,
          BlobType: "BlockBlob",
          ContainerName: containerName,
          BlobName: blobName,
          ETag: etag,
        });
        await poison.sendMessage(encode(message));
        log(`[host] ${functionName}: poisoned ${containerName}/${blobName} (ETag ${etag}) after ${hostConfig.blobs.poisonBlobThreshold} attempts; message on queue webjobs-blobtrigger-poison`);
      };

      let containerMissingLogged = false;
      startListener(`blob trigger ${r.name} (${triggerPath})`, async () => {
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

    // ---- queue triggers ----
    for (const r of registrations) {
      const trigger = triggerOf(r);
      if (trigger.type !== "queueTrigger") continue;
      const queueName = resolveSettingExpressions(String(trigger.queueName), process.env);
      const queue = queueService(trigger.connection).getQueueClient(queueName);
      let active = 0;
      const { batchSize, maxDequeueCount, visibilityTimeoutMs } = hostConfig.queues;
      // The lease while a message is being processed; on failure the message reappears after host.json visibilityTimeout.
      const leaseSeconds = Math.max(30, Math.ceil((hostConfig.functionTimeoutMs ?? 600_000) / 1000));

      const processMessage = async (message: {
        messageId: string;
        popReceipt: string;
        messageText: string;
        dequeueCount: number;
        insertedOn: Date;
        expiresOn: Date;
        nextVisibleOn: Date;
      }) => {
        let text = message.messageText;
        if (hostConfig.queues.messageEncoding === "base64") {
          const decoded = decodeBase64Strict(text);
          if (decoded === undefined) {
            // The real host cannot bind such a message either; it fails and eventually goes to the poison queue.
            log(`[${r.name}] error: message ${message.messageId} is not valid base64 (host.json messageEncoding is base64)`);
            await failMessage(message, new Error("message is not base64"));
            return;
          }
          text = decoded;
        }
        let input: unknown = text;
        try {
          input = JSON.parse(text);
        } catch {
          // Not JSON: the handler gets the string, as with the real host.
        }
        const triggerMetadata = {
          dequeueCount: message.dequeueCount,
          expirationTime: message.expiresOn.toISOString(),
          id: message.messageId,
          insertionTime: message.insertedOn.toISOString(),
          nextVisibleTime: message.nextVisibleOn.toISOString(),
          popReceipt: message.popReceipt,
          queueTrigger: text,
          sys: { methodName: r.name, utcNow: new Date().toISOString(), randGuid: randomUUID() },
        };
        try {
          await invoke(r, input, triggerMetadata);
          await queue.deleteMessage(message.messageId, message.popReceipt);
        } catch (err) {
          log(`[${r.name}] error: message ${message.messageId} attempt ${message.dequeueCount} of ${maxDequeueCount} failed: ${format(err)}`);
          await failMessage(message, err);
        }
      };

      const failMessage = async (message: { messageId: string; popReceipt: string; messageText: string; dequeueCount: number }, _err: unknown) => {
        if (message.dequeueCount >= maxDequeueCount) {
          const poisonQueue = queueService(trigger.connection).getQueueClient(`${queueName}-poison`);
          await poisonQueue.createIfNotExists();
          await poisonQueue.sendMessage(message.messageText);
          await queue.deleteMessage(message.messageId, message.popReceipt);
          log(`[host] ${r.name}: message ${message.messageId} moved to queue ${queueName}-poison after ${message.dequeueCount} attempts`);
        } else {
          await queue.updateMessage(message.messageId, message.popReceipt, undefined, Math.ceil(visibilityTimeoutMs / 1000));
        }
      };

      startListener(`queue trigger ${r.name} (${queueName})`, async () => {
        if (active >= batchSize) return true;
        let received;
        try {
          received = await queue.receiveMessages({ numberOfMessages: batchSize - active, visibilityTimeout: leaseSeconds });
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode === 404) return false;
          throw err;
        }
        for (const message of received.receivedMessageItems) {
          active++;
          void track(processMessage(message), true)
            .catch((err) => log(`[host] error: ${r.name} could not settle message ${message.messageId}: ${format(err)}`))
            .finally(() => {
              active--;
            });
        }
        if (received.receivedMessageItems.length > 0 || active > 0) return true;
        // Messages waiting for their retry are invisible but still counted: the queue is not done yet.
        const props = await queue.getProperties();
        return (props.approximateMessagesCount ?? 0) > 0;
      });
    }

    // ---- timers ----
    for (const r of registrations) {
      const trigger = triggerOf(r);
      if (trigger.type !== "timerTrigger") continue;
      const expression = resolveSettingExpressions(String(trigger.schedule), process.env);
      let schedule: CronSchedule;
      try {
        schedule = parseNcrontab(expression);
      } catch (err) {
        log(`[host] error: ${r.name}: ${(err as Error).message}`);
        throw err;
      }
      let last: Date | undefined;
      let timerRunning = false;
      const fire = async (scheduledFor: Date, reason: string) => {
        if (timerRunning) {
          log(`[host] ${r.name}: previous run still in progress; skipping the ${scheduledFor.toISOString()} occurrence`);
          return;
        }
        timerRunning = true;
        const now = new Date();
        const next = nextOccurrence(schedule, new Date(Math.max(now.getTime(), scheduledFor.getTime())));
        const timer: Timer = {
          // Past due when the host fires noticeably later than scheduled (the real host compares with its monitor).
          isPastDue: now.getTime() - scheduledFor.getTime() > 1000,
          schedule: { adjustForDST: false },
          scheduleStatus: {
            last: (last ?? new Date("0001-01-01T00:00:00Z")).toISOString(),
            next: next?.toISOString() ?? "",
            lastUpdated: now.toISOString(),
          },
        };
        last = scheduledFor;
        try {
          await invoke(r, timer, undefined);
          log(`[host] ${r.name}: timer ran (${reason})`);
        } catch (err) {
          log(`[${r.name}] error: timer run failed: ${format(err)}`);
        } finally {
          timerRunning = false;
        }
      };
      let planned: Date | undefined;
      const scheduleNext = () => {
        if (stopping) return;
        // From the occurrence just planned, not only from now: a timeout that fires a few ms early
        // would otherwise plan (and run) the same occurrence twice.
        const next = nextOccurrence(schedule, new Date(Math.max(Date.now(), planned?.getTime() ?? 0)));
        if (!next) {
          log(`[host] warning: ${r.name}: schedule "${expression}" never fires`);
          return;
        }
        // setTimeout caps near 24.8 days; re-plan long waits in steps.
        const wait = Math.min(next.getTime() - Date.now(), 2 ** 31 - 1);
        later(Math.max(0, wait), () => {
          if (Date.now() + 5 < next.getTime()) return scheduleNext();
          planned = next;
          void track(fire(next, "schedule"), true);
          scheduleNext();
        });
      };
      if (trigger.runOnStartup) void track(fire(new Date(), "runOnStartup"), true);
      scheduleNext();
    }

    for (const r of registrations) {
      const type = triggerOf(r).type;
      if (!["httpTrigger", "blobTrigger", "queueTrigger", "timerTrigger"].includes(type)) {
        log(`[host] warning: ${r.name}: trigger type "${type}" is not supported by the local host; not started`);
      }
      // Input and output bindings beyond the trigger and the HTTP return value are not wired locally.
      const extra = Object.entries(r.metadata.bindings).filter(([name, b]) =>
        b.direction === "out" ? name !== "$return" || b.type !== "http" : b.direction === "in" && !/Trigger$/.test(b.type),
      );
      if (extra.length) log(`[host] warning: ${r.name}: extra bindings (${extra.map(([n]) => n).join(", ")}) are not supported by the local host`);
    }

    await runHooks("appStart", {});
    log(`[host] ${registrations.length} functions loaded from ${functionsDir}; listening on ${baseUrl}`);
    for (const route of httpRoutes) log(`[host]   ${route.registration.name}: [${route.methods.join(",")}] ${baseUrl}${route.template}`);
  } catch (err) {
    // A bad trigger (unknown setting, invalid schedule, ...) fails startup without leaving the port or env behind.
    await stopHost();
    throw err;
  }

  const host: LocalHost = {
    baseUrl,
    port,
    functions: registrations.map((r) => ({ name: r.name, trigger: triggerOf(r).type })),
    async idle({ timeoutMs = 120_000 } = {}) {
      const calledAt = Date.now();
      for (;;) {
        if (stopping) return;
        const since = Math.max(calledAt, lastActivityAt);
        // Every listener must have polled, found nothing, after the last invocation ended (and after this call).
        const quiet =
          backgroundRunning === 0 &&
          listeners.every((l) => l.quietSince !== undefined && l.lastQuietPoll !== undefined && l.lastQuietPoll > since);
        if (quiet) return;
        if (Date.now() - calledAt > timeoutMs) {
          throw new Error(`local host not idle after ${timeoutMs} ms (${backgroundRunning} invocations running or waiting for a retry)`);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(50, pollIntervalMs)));
      }
    },
    stop: stopHost,
  };
  return host;
}

function triggerOf(registration: Registration): BindingInfo {
  const trigger = Object.values(registration.metadata.bindings).find((b) => b.direction === "in" && /Trigger$/.test(b.type));
  if (!trigger) throw new Error(`function "${registration.name}" has no trigger binding`);
  return trigger;
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

function decodeBase64Strict(text: string): string | undefined {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(trimmed) || trimmed.length % 4 !== 0) return undefined;
  return Buffer.from(trimmed, "base64").toString("utf8");
}

/** Largest request body the local host accepts (the API's own JSON bodies are far smaller). */
export const maxRequestBodyBytes = 1024 * 1024;

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
