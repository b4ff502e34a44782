import { appendFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startLocalHost } from "../local/host/index.js";

// The benchmark runs the local functions host in this child process, so its memory is measured alone.
// Settings come from BENCH_HOST_SETTINGS (JSON); the parent talks over IPC:
//   → "ready" { baseUrl, functions }   ← "memory" → { peakRssBytes, maxRssBytes, peakHeapUsedBytes }   ← "stop" → "stopped"
//   ← "phase" → { peakRssBytes, peakHeapUsedBytes } sampled since the previous "phase" (which part of a run peaks)

type Message = { type: "memory" | "stop" | "logs" | "phase" };

const send = (message: unknown) => process.send?.(message);
const settings = JSON.parse(process.env.BENCH_HOST_SETTINGS ?? "{}") as Record<string, string>;

// Keep the last host log lines for a failure report; printing them all would cost the host time.
const logs: string[] = [];
// BENCH_HOST_TIMELINE=<file>: every sample and log line with its time, to see which step of a run peaks.
const timeline = process.env.BENCH_HOST_TIMELINE;
const t0 = Date.now();
const trace = (entry: Record<string, unknown>) => timeline && appendFileSync(timeline, `${JSON.stringify({ t: Date.now() - t0, ...entry })}\n`);
const log = (line: string) => {
  trace({ log: line.slice(0, 300) });
  logs.push(line);
  if (logs.length > 200) logs.shift();
};

let peakRss = 0;
let peakHeapUsed = 0;
const phase = { peakRss: 0, peakHeapUsed: 0 };
let ticks = 0;
// rss() is cheap; the full memoryUsage() (heap statistics too) only every 10th tick.
const sample = () => {
  const rss = process.memoryUsage.rss();
  peakRss = Math.max(peakRss, rss);
  phase.peakRss = Math.max(phase.peakRss, rss);
  if (timeline) {
    const m = process.memoryUsage();
    trace({ rss: Math.round(m.rss / 1e6), heapUsed: Math.round(m.heapUsed / 1e6), heapTotal: Math.round(m.heapTotal / 1e6), external: Math.round(m.external / 1e6), arrayBuffers: Math.round(m.arrayBuffers / 1e6) });
  }
  if (ticks++ % 10 === 0) {
    const heapUsed = process.memoryUsage().heapUsed;
    peakHeapUsed = Math.max(peakHeapUsed, heapUsed);
    phase.peakHeapUsed = Math.max(phase.peakHeapUsed, heapUsed);
  }
};
sample();
const sampler = setInterval(sample, 50);

const memory = () => {
  ticks = 0;
  sample();
  // resourceUsage().maxRSS is the kernel's high-water mark in KiB: it catches peaks between samples.
  return { peakRssBytes: peakRss, maxRssBytes: process.resourceUsage().maxRSS * 1024, peakHeapUsedBytes: peakHeapUsed };
};

// The functions beside this file's folder: the compiled ones when this runs compiled (bench/hostChild.ts).
const host = await startLocalHost({ settings, port: 0, log, functionsDir: fileURLToPath(new URL("../functions", import.meta.url)) });
send({ type: "ready", baseUrl: host.baseUrl, functions: host.functions });

process.on("message", (message: Message) => {
  if (message.type === "memory") send({ type: "memory", ...memory() });
  if (message.type === "phase") {
    send({ type: "phase", peakRssBytes: phase.peakRss, peakHeapUsedBytes: phase.peakHeapUsed });
    phase.peakRss = phase.peakHeapUsed = 0;
  }
  if (message.type === "logs") send({ type: "logs", lines: logs.slice(-50) });
  if (message.type === "stop") {
    void host
      .stop()
      .catch(() => undefined)
      .then(() => {
        clearInterval(sampler);
        send({ type: "stopped", ...memory() });
        process.disconnect?.();
      });
  }
});
// If the parent dies, do not linger.
process.on("disconnect", () => {
  clearInterval(sampler);
  void host
    .stop()
    .catch(() => undefined)
    .finally(() => process.exit(0));
});
