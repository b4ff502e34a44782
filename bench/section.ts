import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { compiledHostEnv, compiledHostProcess } from "./hostChild.js";

// A part of `npm run bench` that also runs alone (`npm run bench:opportunities`): run in its own process, with its own
// emulators and host, after the others, so no part's figures include another's load. Its JSON joins the report.

export async function runBenchSection(file: string): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL(file, import.meta.url))], {
    stdio: ["ignore", "pipe", "inherit"],
    // The host this process compiled serves the part too: compiled once per run.
    env: { ...process.env, [compiledHostEnv]: await compiledHostProcess() },
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  try {
    return JSON.parse(out) as Record<string, unknown>;
  } catch {
    return { error: `${file} exited with ${code} without a report`, output: out.slice(-2000) };
  }
}
