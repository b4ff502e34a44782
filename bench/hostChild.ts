import { execFile, fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Emulators } from "../local/emulators.js";
import { azureWorkerHeapMB } from "../local/host/workerHeap.js";

// The local functions host in a child process (hostProcess.ts, compiled), so its memory is measured alone; every
// bench part that goes through the real service starts it here.

export interface HostChild {
  child: ChildProcess;
  baseUrl: string;
  request<T>(type: "memory" | "logs" | "stop" | "phase", reply: string): Promise<T>;
}

/** BENCH_HOST_PROFILE=1: a fresh folder for the host's CPU profile; otherwise undefined. */
export function hostProfileDir(): string | undefined {
  return process.env.BENCH_HOST_PROFILE ? mkdtempSync(join(tmpdir(), "bench-host-profile-")) : undefined;
}

/**
 * The host's V8 heap limit in MB: the deployed worker's (local/host/workerHeap.ts) unless BENCH_HOST_MAX_OLD_SPACE_MB
 * says otherwise: a number (a smaller one tells live memory from garbage not yet collected), or "node" for Node's
 * own choice on this machine (4 GB here), undefined.
 */
export function hostHeapMB(): number | undefined {
  const wanted = process.env.BENCH_HOST_MAX_OLD_SPACE_MB;
  if (wanted === undefined || wanted === "") return azureWorkerHeapMB;
  if (wanted === "node") return undefined;
  const mb = Number(wanted);
  if (!Number.isInteger(mb) || mb < 64) throw new Error(`BENCH_HOST_MAX_OLD_SPACE_MB must be a whole number of MB (64 or more) or "node", not "${wanted}"`);
  return mb;
}

const projectRoot = fileURLToPath(new URL("..", import.meta.url));
/** Names the compiled host process for a bench part that `npm run bench` runs in its own process (bench/section.ts). */
export const compiledHostEnv = "BENCH_HOST_COMPILED";
let compiling: Promise<string> | undefined;

/**
 * The host process compiled to JavaScript, as Azure runs the package (no TypeScript loader, whose transformed
 * sources would add about 60 MB to the host's memory): tsc into a folder inside node_modules, so the compiled
 * files resolve the project's packages, once per `npm run bench` (a part run by it reuses its files), removed when
 * the process that compiled it exits.
 */
export function compiledHostProcess(): Promise<string> {
  const given = process.env[compiledHostEnv];
  compiling ??= given ? Promise.resolve(given) : (async () => {
    const outDir = mkdtempSync(join(projectRoot, "node_modules", ".cache-bench-host-"));
    process.on("exit", () => rmSync(outDir, { recursive: true, force: true }));
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    await promisify(execFile)(process.execPath, [tsc, "-p", "tsconfig.json", "--outDir", outDir], { cwd: projectRoot });
    return join(outDir, "bench", "hostProcess.js");
  })();
  return compiling;
}

export async function startHostChild(settings: Record<string, string>, profileDir?: string): Promise<HostChild> {
  const execArgv: string[] = [];
  const heap = hostHeapMB();
  if (heap !== undefined) execArgv.push(`--max-old-space-size=${heap}`);
  // Diagnostics: BENCH_HOST_PROFILE=1 writes a CPU profile of the host (summarised in the output).
  if (profileDir) execArgv.push("--cpu-prof", `--cpu-prof-dir=${profileDir}`);
  const child = fork(await compiledHostProcess(), [], {
    cwd: projectRoot,
    execArgv,
    // One key drives every client of a bench: the per-key budget (a backstop, 600 a minute) would answer 429
    // where the bench measures the service, as it did at BENCH_TENANTS=2000 where queries are fast.
    env: { ...process.env, BENCH_HOST_SETTINGS: JSON.stringify({ API_REQUESTS_PER_MINUTE: "1000000", ...settings }) },
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const ready = await new Promise<{ baseUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not start within 60 s: ${stderr}`)), 60_000);
    child.once("exit", (code) => reject(new Error(`host exited with ${code}: ${stderr}`)));
    child.on("message", (m: { type: string; baseUrl: string }) => {
      if (m.type === "ready") {
        clearTimeout(timer);
        resolve(m);
      }
    });
  });
  return {
    child,
    baseUrl: ready.baseUrl,
    request<T>(type: "memory" | "logs" | "stop" | "phase", reply: string) {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`host did not answer "${type}"`)), 20_000);
        const onMessage = (m: { type: string }) => {
          if (m.type === reply) {
            clearTimeout(timer);
            child.off("message", onMessage);
            resolve(m as T);
          }
        };
        child.on("message", onMessage);
        child.send({ type });
      });
    },
  };
}

export interface BenchGuard {
  /** A failed part's answer: what it measured so far, the error, and the host's last log lines. */
  failed(err: unknown): Promise<Record<string, unknown>>;
  /** Stops the watchdog, then the host child and the emulators the part started. */
  finish(): Promise<void>;
}

/**
 * Watches one bench part: past `watchdogMs` it prints what was measured so far and exits, so a stuck emulator
 * never hangs the bench. `started` answers what the part has started at that moment.
 */
export function guardBench(partial: Record<string, unknown>, watchdogMs: number, started: () => { host?: HostChild; emulators?: Emulators }): BenchGuard {
  const stop = async () => {
    const { host, emulators } = started();
    if (host?.child.exitCode === null) host.child.kill("SIGKILL");
    await emulators?.stop().catch(() => undefined);
  };
  const watchdog = setTimeout(() => {
    process.stdout.write(`${JSON.stringify({ ...partial, error: `watchdog: the bench did not finish within ${watchdogMs / 60000} min` }, null, 2)}\n`);
    void stop().finally(() => process.exit(1));
  }, watchdogMs);
  return {
    async failed(err) {
      const { host } = started();
      const logs = host && host.child.exitCode === null ? await host.request<{ lines: string[] }>("logs", "logs").catch(() => undefined) : undefined;
      return { ...partial, error: (err as Error).message, hostLog: logs?.lines };
    },
    async finish() {
      clearTimeout(watchdog);
      await stop();
    },
  };
}
