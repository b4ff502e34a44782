import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";

// What the host takes from host.json and from the app settings: route prefix, function timeout, blob
// and queue trigger limits; app settings become environment variables and resolve "%Setting%".

export interface HostConfig {
  routePrefix: string;
  functionTimeoutMs: number | undefined;
  blobs: { poisonBlobThreshold: number; maxDegreeOfParallelism: number };
  queues: { maxDequeueCount: number; batchSize: number; visibilityTimeoutMs: number; messageEncoding: "base64" | "none" };
}

/** host.json beside the functions folder, else in the working directory (undefined: none). */
export function defaultHostJsonPath(functionsDir: string): string | undefined {
  return [path.join(functionsDir, "..", "host.json"), path.resolve("host.json")].find((f) => existsSync(f));
}

export async function readHostConfig(file: string | undefined, overrides: Record<string, unknown> | undefined): Promise<HostConfig> {
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

/** Sets the app settings as environment variables (the worker process sees them so); returns how to restore the previous values. */
export function applySettings(settings: Record<string, string>): () => void {
  const previousEnv = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(settings)) {
    previousEnv.set(key, process.env[key]);
    process.env[key] = value;
  }
  return () => {
    for (const [key, value] of previousEnv) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

/** "%Setting%" in trigger options resolve from app settings, like the real host. */
export function resolveSettingExpressions(value: string, settings: NodeJS.ProcessEnv): string {
  return value.replace(/%([^%]+)%/g, (_, name: string) => {
    const resolved = settings[name];
    if (resolved === undefined) throw new Error(`app setting "${name}" (referenced as %${name}%) is not set`);
    return resolved;
  });
}
