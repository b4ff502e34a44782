import { copyFile, access } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";

// What `npm start` needs to run the functions under Azure Functions Core Tools (`func start`) as faithfully as
// under the local host: settings without touching the developer's own local.settings.json, a port that is free
// (falling back like the local host), and readiness that checks the host answering is this app.

/** The OpenAPI title of this app: a host on the port that does not serve it is someone else's. */
export const appTitle = "Partner opportunity insights API";

export interface LocalSettingsOutcome {
  action: "kept" | "created";
  file: string;
}

/**
 * Makes sure func finds a local.settings.json without ever changing one that exists. The emulator settings are
 * passed to func as environment variables (funcEnvironment), which Core Tools applies before the file's Values:
 * it skips every Value already defined in the environment ("Skipping '…' from local settings as it's already
 * defined in current environment variables"). A missing file is created from local.settings.sample.json.
 */
export async function prepareLocalSettings(projectRoot: string): Promise<LocalSettingsOutcome> {
  const file = path.join(projectRoot, "local.settings.json");
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  if (exists) return { action: "kept", file };
  await copyFile(path.join(projectRoot, "local.settings.sample.json"), file);
  return { action: "created", file };
}

/** The environment of the func child: the emulator settings win over local.settings.json's Values. */
export function funcEnvironment(settings: Record<string, string>, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, FUNCTIONS_WORKER_RUNTIME: "node", ...settings };
}

function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    // No host: all interfaces, as func listens; a port taken on any of them is taken.
    probe.listen(port, () => {
      const { port: bound } = probe.address() as { port: number };
      probe.close(() => resolve(bound));
    });
  });
}

/** `preferred` when nothing listens on it, else (or for 0) a free port; `fellBack` says which. */
export async function choosePort(preferred: number): Promise<{ port: number; fellBack: boolean }> {
  if (preferred !== 0) {
    try {
      return { port: await listenOn(preferred), fellBack: false };
    } catch (err) {
      if ((err as { code?: string }).code !== "EADDRINUSE" && (err as { code?: string }).code !== "EACCES") throw err;
    }
  }
  return { port: await listenOn(0), fellBack: preferred !== 0 };
}

export class NotOurHostError extends Error {
  readonly code = "not_our_host";
}

export interface ReadinessOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Stops waiting when the host process has gone. */
  exited?: () => string | undefined;
}

/**
 * Waits until the host at `baseUrl` is this app and ready: /api/openapi.json names this app and /api/health answers
 * 200 (Cosmos DB and Storage reachable). Something else answering on the port fails at once (NotOurHostError):
 * curl examples against another server would only confuse.
 */
export async function waitForOurHost(baseUrl: string, options: ReadinessOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let last = "nothing answered yet";
  for (;;) {
    const gone = options.exited?.();
    if (gone) throw new Error(`the functions host stopped before it was ready: ${gone}`);
    let answered = false;
    try {
      const openApi = await fetch(`${baseUrl}/api/openapi.json`, { signal: AbortSignal.timeout(5_000) });
      answered = true;
      const title = await openApi
        .json()
        .then((doc) => (doc as { info?: { title?: unknown } }).info?.title)
        .catch(() => undefined);
      if (openApi.status === 200 && title === appTitle) {
        const health = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(10_000) });
        if (health.status === 200) return;
        last = `/api/health answered ${health.status}`;
      } else if (openApi.status !== 404 && openApi.status !== 503) {
        // A 404 or 503 can be func itself while it loads the functions; anything else is not this app.
        throw new NotOurHostError(`${baseUrl} answers, but it is not this app (GET /api/openapi.json: ${openApi.status}${title ? `, "${String(title)}"` : ""})`);
      } else {
        last = `/api/openapi.json answered ${openApi.status}`;
      }
    } catch (err) {
      if (err instanceof NotOurHostError) throw err;
      if (!answered) last = `not answering (${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message})`;
    }
    if (Date.now() > deadline) throw new Error(`the functions host at ${baseUrl} was not ready within ${Math.round(options.timeoutMs / 1000)} s: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1_000));
  }
}
