import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// The local functions host in a child process (hostProcess.ts), so its memory is measured alone; every bench
// part that goes through the real service starts it here.

export interface HostChild {
  child: ChildProcess;
  baseUrl: string;
  request<T>(type: "memory" | "logs" | "stop" | "phase", reply: string): Promise<T>;
}

/** BENCH_HOST_PROFILE=1: a fresh folder for the host's CPU profile; otherwise undefined. */
export function hostProfileDir(): string | undefined {
  return process.env.BENCH_HOST_PROFILE ? mkdtempSync(join(tmpdir(), "bench-host-profile-")) : undefined;
}

export async function startHostChild(settings: Record<string, string>, profileDir?: string): Promise<HostChild> {
  const execArgv = ["--import", "tsx"];
  // Diagnostics: BENCH_HOST_PROFILE=1 writes a CPU profile of the host (summarised in the output);
  // BENCH_HOST_MAX_OLD_SPACE_MB caps its V8 heap, to tell live memory from garbage not yet collected.
  if (profileDir) execArgv.push("--cpu-prof", `--cpu-prof-dir=${profileDir}`);
  if (process.env.BENCH_HOST_MAX_OLD_SPACE_MB) execArgv.push(`--max-old-space-size=${Number(process.env.BENCH_HOST_MAX_OLD_SPACE_MB)}`);
  const child = fork(fileURLToPath(new URL("./hostProcess.ts", import.meta.url)), [], {
    execArgv,
    env: { ...process.env, BENCH_HOST_SETTINGS: JSON.stringify(settings) },
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
