import path from "node:path";
import { format } from "node:util";
import { redactSecrets } from "../../shared/logging.js";
import { resetServices } from "../../shared/wiring.js";
import { createActivity } from "./activity.js";
import { startBlobTrigger } from "./blobTrigger.js";
import { applySettings, defaultHostJsonPath, readHostConfig } from "./config.js";
import { httpRoutesOf, startHttpServer } from "./http.js";
import { createInvoker } from "./invocation.js";
import { startQueueTrigger } from "./queueTrigger.js";
import { coreRegistry, loadFunctions, runHooks, triggerOf, warnUnsupported, type Registration } from "./registry.js";
import { createStorageClients } from "./storage.js";
import { startTimer } from "./timer.js";

export { blobNamePattern } from "./blobTrigger.js";
export { parseTimeSpan } from "./config.js";
export { maxRequestBodyBytes } from "./http.js";
export type { Registration } from "./registry.js";
export { matchRoute, parseRouteTemplate } from "./routeTemplates.js";

// A small, faithful local host for the functions registered with @azure/functions (v4 model),
// used by `npm start` when Azure Functions Core Tools (`func`) is not installed, and by e2e tests
// and benchmarks. The function files are the same ones `func start` and Azure load: they call
// app.http/app.timer/app.storageBlob/app.storageQueue, which hand their registrations to the
// module "@azure/functions-core" that the real Node.js worker provides. This host provides that
// module the same way the worker does (registry.ts), so handlers cannot tell the hosts apart.
// One file per trigger kind: http.ts, blobTrigger.ts, queueTrigger.ts, timer.ts.

export const defaultMaxBlobBytes = 512 * 1024 * 1024;

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
  /**
   * Largest blob a blob trigger is handed (the runtime hands the whole blob in memory). A larger one is not
   * downloaded: its delivery fails (and is retried, then poisoned) with the size in the log. Default 512 MiB.
   */
  maxBlobBytes?: number;
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

const stopGraceMs = 10_000;

export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  // Every line the host writes goes through the same redaction as the app's logs (a key in a URL, an error).
  const write = options.log ?? ((line: string) => console.log(line));
  const log = (line: string) => write(redactSecrets(line));
  const registry = coreRegistry();
  registry.log = log;
  const functionsDir = path.resolve(options.functionsDir ?? "functions");
  const hostConfig = await readHostConfig(options.hostJsonPath ?? defaultHostJsonPath(functionsDir), options.hostJsonOverrides);
  const pollIntervalMs = options.pollIntervalMs ?? 300;

  // The worker process sees app settings as environment variables; the previous values come back on stop.
  const restoreEnv = applySettings(options.settings);
  resetServices();
  let registrations: Registration[];
  try {
    registrations = await loadFunctions(functionsDir, log);
  } catch (err) {
    restoreEnv();
    throw err;
  }
  const activity = createActivity({ pollIntervalMs, log });
  const invoke = createInvoker({ registry, functionTimeoutMs: hostConfig.functionTimeoutMs, log });
  const httpRoutes = httpRoutesOf(registrations, hostConfig.routePrefix);
  const { server, port, baseUrl } = await startHttpServer(options.port ?? 7071, { routes: httpRoutes, invoke, activity, log });

  const stop = async () => {
    if (activity.stopping) return;
    activity.beginStop();
    server.close();
    server.closeIdleConnections();
    // Running invocations finish (bounded by the function timeout); a client that keeps a response open
    // gets a grace period, then its connection is closed.
    await activity.settled(stopGraceMs);
    server.closeAllConnections();
    await activity.settled();
    await runHooks(registry, "appTerminate", {}).catch((err) => log(`[host] appTerminate hook failed: ${format(err)}`));
    restoreEnv();
    resetServices();
    log("[host] stopped");
  };

  try {
    const triggers = { config: hostConfig, storage: createStorageClients(), activity, invoke, pollIntervalMs, log, maxBlobBytes: options.maxBlobBytes ?? defaultMaxBlobBytes };
    for (const r of registrations) if (triggerOf(r).type === "blobTrigger") startBlobTrigger(r, triggers);
    for (const r of registrations) if (triggerOf(r).type === "queueTrigger") startQueueTrigger(r, triggers);
    for (const r of registrations) if (triggerOf(r).type === "timerTrigger") startTimer(r, triggers);
    warnUnsupported(registrations, log);

    await runHooks(registry, "appStart", {});
    log(`[host] ${registrations.length} functions loaded from ${functionsDir}; listening on ${baseUrl}`);
    for (const route of httpRoutes) log(`[host]   ${route.registration.name}: [${route.methods.join(",")}] ${baseUrl}${route.template}`);
  } catch (err) {
    // A bad trigger (unknown setting, invalid schedule, ...) fails startup without leaving the port or env behind.
    await stop();
    throw err;
  }

  return {
    baseUrl,
    port,
    functions: registrations.map((r) => ({ name: r.name, trigger: triggerOf(r).type })),
    idle: (idleOptions) => activity.idle(idleOptions),
    stop,
  };
}
