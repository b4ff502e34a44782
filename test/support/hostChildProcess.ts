import { startLocalHost } from "../../local/host/index.js";

// The local functions host in a child process, so a test can kill it (SIGKILL, no goodbye) and start another
// against the same emulators. Settings and host.json overrides come as JSON in HOST_CHILD_SETTINGS and
// HOST_CHILD_HOST_JSON; the parent hears "ready" { baseUrl } over IPC. Log lines go to stdout.

const settings = JSON.parse(process.env.HOST_CHILD_SETTINGS ?? "{}") as Record<string, string>;
const hostJsonOverrides = JSON.parse(process.env.HOST_CHILD_HOST_JSON ?? "{}") as Record<string, unknown>;
const host = await startLocalHost({ settings, hostJsonOverrides, port: 0, pollIntervalMs: 100, log: (line) => process.stdout.write(`${line}\n`) });
process.send?.({ type: "ready", baseUrl: host.baseUrl });
process.on("disconnect", () => {
  void host
    .stop()
    .catch(() => undefined)
    .finally(() => process.exit(0));
});
