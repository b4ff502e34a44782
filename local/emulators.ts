import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";

// Starts the local emulators as child processes on free loopback ports:
// Azurite (blob + queue, in memory) and @vercel/cosmosdb-server (Cosmos DB protocol over plain HTTP).
// Every caller (npm start, integration tests, benchmarks) gets its own pair, so runs never collide.

const require = createRequire(import.meta.url);

export interface Emulators {
  /** App settings that point the code at these emulators (merge into process.env or pass to loadConfig). */
  settings: Record<string, string>;
  blobEndpoint: string;
  queueEndpoint: string;
  cosmosEndpoint: string;
  /** Process ids, e.g. to measure their memory separately from the host's. */
  pids: { azurite: number; cosmos: number };
  stop(): Promise<void>;
}

// Azurite's documented development account (public, emulator-only; not a secret).
const devAccount = "devstoreaccount1";
const devAccountKey = ["Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsu", "Fq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="].join("");
// cosmosdb-server does not check signatures; the client still needs a base64 key to sign with.
const cosmosLocalKey = Buffer.from("local-cosmos-emulator").toString("base64");

export async function startEmulators(options: { quiet?: boolean } = {}): Promise<Emulators> {
  const azurite = await startAzurite(options.quiet ?? true);
  let cosmos: Started;
  try {
    cosmos = await startCosmos();
  } catch (err) {
    azurite.child.kill();
    throw err;
  }
  const blobEndpoint = `http://127.0.0.1:${azurite.ports.blob}/${devAccount}`;
  const queueEndpoint = `http://127.0.0.1:${azurite.ports.queue}/${devAccount}`;
  const cosmosEndpoint = `http://127.0.0.1:${cosmos.ports.cosmos}`;
  const connectionString =
    `DefaultEndpointsProtocol=http;AccountName=${devAccount};AccountKey=${devAccountKey};` +
    `BlobEndpoint=${blobEndpoint};QueueEndpoint=${queueEndpoint};`;
  return {
    settings: {
      AzureWebJobsStorage: connectionString,
      COSMOS_ENDPOINT: cosmosEndpoint,
      COSMOS_KEY: cosmosLocalKey,
      // Timer schedules given as %SETTING% must exist as settings for the host to start the timer.
      SWEEP_SCHEDULE: "0 */1 * * * *",
    },
    blobEndpoint,
    queueEndpoint,
    cosmosEndpoint,
    pids: { azurite: azurite.child.pid!, cosmos: cosmos.child.pid! },
    async stop() {
      await Promise.all([stopChild(azurite.child), stopChild(cosmos.child)]);
    },
  };
}

interface Started {
  child: ChildProcess;
  ports: Record<string, number>;
}

function startAzurite(quiet: boolean): Promise<Started> {
  const script = require.resolve("azurite/dist/src/azurite.js");
  const args = [
    script,
    "--inMemoryPersistence",
    "--disableTelemetry",
    "--skipApiVersionCheck",
    "--blobHost", "127.0.0.1", "--blobPort", "0",
    "--queueHost", "127.0.0.1", "--queuePort", "0",
    "--tableHost", "127.0.0.1", "--tablePort", "0",
  ];
  if (quiet) args.push("--silent");
  return startChild(args, (line, ports) => {
    const m = /Azurite (Blob|Queue) service is successfully listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
    if (m) ports[m[1].toLowerCase()] = Number(m[2]);
    return ports.blob !== undefined && ports.queue !== undefined;
  }, "Azurite");
}

function startCosmos(): Promise<Started> {
  // cosmosQueryFix.cjs makes the emulator's queries linear in the document count (they were quadratic).
  const code =
    "require(process.argv[2]);const {createHttpServer}=require(process.argv[1]);" +
    "const s=createHttpServer();s.listen(0,'127.0.0.1',()=>console.log('cosmos listening '+s.address().port));";
  const args = ["-e", code, require.resolve("@vercel/cosmosdb-server"), require.resolve("./cosmosQueryFix.cjs")];
  return startChild(args, (line, ports) => {
    const m = /cosmos listening (\d+)/.exec(line);
    if (m) ports.cosmos = Number(m[1]);
    return ports.cosmos !== undefined;
  }, "Cosmos DB emulator");
}

function startChild(
  args: string[],
  ready: (line: string, ports: Record<string, number>) => boolean,
  label: string,
): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--max-old-space-size=4096", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const ports: Record<string, number> = {};
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${label} did not start within 30 s: ${stderr.slice(0, 500)}`));
    }, 30_000);
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with code ${code}: ${stderr.slice(0, 500)}`));
    });
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      if (ready(line, ports)) {
        clearTimeout(timer);
        lines.removeAllListeners("line");
        child.stdout!.resume();
        resolve({ child, ports });
      }
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
