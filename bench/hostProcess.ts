import { startLocalHost } from "../local/host/index.js";

// The benchmark runs the local functions host in this child process, so its memory is measured alone.
// Settings come from BENCH_HOST_SETTINGS (JSON); the parent talks over IPC:
//   → "ready" { baseUrl, functions }   ← "memory" → { peakRssBytes, maxRssBytes, peakHeapUsedBytes }   ← "stop" → "stopped"

type Message = { type: "memory" | "stop" | "logs" };

const send = (message: unknown) => process.send?.(message);
const settings = JSON.parse(process.env.BENCH_HOST_SETTINGS ?? "{}") as Record<string, string>;

// Keep the last host log lines for a failure report; printing them all would cost the host time.
const logs: string[] = [];
const log = (line: string) => {
  logs.push(line);
  if (logs.length > 200) logs.shift();
};

let peakRss = 0;
let peakHeapUsed = 0;
let ticks = 0;
// rss() is cheap; the full memoryUsage() (heap statistics too) only every 10th tick.
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  if (ticks++ % 10 === 0) peakHeapUsed = Math.max(peakHeapUsed, process.memoryUsage().heapUsed);
};
sample();
const sampler = setInterval(sample, 50);

const memory = () => {
  ticks = 0;
  sample();
  // resourceUsage().maxRSS is the kernel's high-water mark in KiB: it catches peaks between samples.
  return { peakRssBytes: peakRss, maxRssBytes: process.resourceUsage().maxRSS * 1024, peakHeapUsedBytes: peakHeapUsed };
};

const host = await startLocalHost({ settings, port: 0, log });
send({ type: "ready", baseUrl: host.baseUrl, functions: host.functions });

process.on("message", (message: Message) => {
  if (message.type === "memory") send({ type: "memory", ...memory() });
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
