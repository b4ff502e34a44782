import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

// Summarises a V8 CPU profile (.cpuprofile from --cpu-prof): where the host spent its time, by self time.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function summariseCpuProfile(dir: string, top = 15): { totalMs: number; topSelfMs: { frame: string; ms: number }[] } | undefined {
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) return undefined;
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") return;
    totalUs += dt;
    const where = url.startsWith("file://") ? relative(process.cwd(), new URL(url).pathname) : url.split("/").slice(-2).join("/");
    const frame = `${functionName || "(anonymous)"} ${where}:${lineNumber + 1}`;
    selfUs.set(frame, (selfUs.get(frame) ?? 0) + dt);
  });
  const topSelfMs = [...selfUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, us]) => ({ frame, ms: Math.round(us / 1000) }));
  return { totalMs: Math.round(totalUs / 1000), topSelfMs };
}
