import { readdir } from "node:fs/promises";
import Module from "node:module";
import path from "node:path";
import { format } from "node:util";
import { fileURLToPath, pathToFileURL } from "node:url";

// The module "@azure/functions-core" that the Azure Functions Node.js worker provides. The function files
// call app.http/app.timer/app.storageBlob/app.storageQueue, which hand their registrations to this module;
// the local host provides it the same way the worker does (a require hook), so handlers cannot tell the
// hosts apart. It also loads the function files and keeps what each registered.

export interface BindingInfo {
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

export interface CoreRegistry {
  byFile: Map<string, Registration[]>;
  loading?: Registration[];
  /** Registrations made while no host was loading (a function file imported directly, e.g. by a test). */
  loose: { files: string[]; registrations: Registration[] }[];
  hooks: Map<string, Set<HookCallback>>;
  log: (line: string) => void;
}

const registryKey = Symbol.for("partner-insights.local-host.core-registry");

/** Installs the "@azure/functions-core" module once per process, before any function file registers. */
export function coreRegistry(): CoreRegistry {
  const holder = globalThis as unknown as Record<symbol, CoreRegistry | undefined>;
  const existing = holder[registryKey];
  if (existing) return existing;
  const registry: CoreRegistry = { byFile: new Map(), loose: [], hooks: new Map(), log: (line) => console.log(line) };
  const disposable = (dispose: () => void) => ({ dispose });
  const coreApi = {
    version: "local-host",
    hostVersion: "4.0.0-local",
    setProgrammingModel(_model: unknown) {
      // Invocations are built directly from the registration (see invocation.ts); the model is not needed.
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

let loadChain: Promise<unknown> = Promise.resolve();

/** Imports each function file once per process and returns the registrations each made. */
export async function loadFunctions(functionsDir: string, log: (line: string) => void): Promise<Registration[]> {
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

/** Runs the hooks registered for `name` (appStart, preInvocation, ...) in registration order. */
export async function runHooks(registry: CoreRegistry, name: string, data: Record<string, unknown>): Promise<void> {
  for (const hook of registry.hooks.get(name) ?? []) await hook({ hookData: {}, ...data });
}

export function triggerOf(registration: Registration): BindingInfo {
  const trigger = Object.values(registration.metadata.bindings).find((b) => b.direction === "in" && /Trigger$/.test(b.type));
  if (!trigger) throw new Error(`function "${registration.name}" has no trigger binding`);
  return trigger;
}

const supportedTriggers = ["httpTrigger", "blobTrigger", "queueTrigger", "timerTrigger"];

/** Logs a warning for each trigger type and binding the local host does not run. */
export function warnUnsupported(registrations: readonly Registration[], log: (line: string) => void): void {
  for (const r of registrations) {
    const type = triggerOf(r).type;
    if (!supportedTriggers.includes(type)) {
      log(`[host] warning: ${r.name}: trigger type "${type}" is not supported by the local host; not started`);
    }
    // Input and output bindings beyond the trigger and the HTTP return value are not wired locally.
    const extra = Object.entries(r.metadata.bindings).filter(([name, b]) =>
      b.direction === "out" ? name !== "$return" || b.type !== "http" : b.direction === "in" && !/Trigger$/.test(b.type),
    );
    if (extra.length) log(`[host] warning: ${r.name}: extra bindings (${extra.map(([n]) => n).join(", ")}) are not supported by the local host`);
  }
}
