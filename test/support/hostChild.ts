import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

// Starts the local host in a child process (see hostChildProcess.ts); `kill()` is a SIGKILL, as a crash would be.

export interface HostChild {
  baseUrl: string;
  /** The host's log lines so far. */
  logs: string[];
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function startHostChild(settings: Record<string, string>, hostJsonOverrides: Record<string, unknown> = {}): Promise<HostChild> {
  const child: ChildProcess = fork(fileURLToPath(new URL("./hostChildProcess.ts", import.meta.url)), [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, HOST_CHILD_SETTINGS: JSON.stringify(settings), HOST_CHILD_HOST_JSON: JSON.stringify(hostJsonOverrides) },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const logs: string[] = [];
  let tail = "";
  child.stdout!.on("data", (d: Buffer) => {
    const text = tail + d.toString();
    const lines = text.split("\n");
    tail = lines.pop() ?? "";
    logs.push(...lines);
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not start within 60 s: ${stderr}`)), 60_000);
    child.once("exit", (code) => reject(new Error(`host exited with ${code}: ${stderr}`)));
    child.on("message", (m: { type: string; baseUrl: string }) => {
      if (m.type === "ready") {
        clearTimeout(timer);
        resolve(m.baseUrl);
      }
    });
  });
  return {
    baseUrl,
    logs,
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.disconnect();
      const forced = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(forced);
    },
  };
}
