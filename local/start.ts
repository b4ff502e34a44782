import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { createClients, ensureResources, type Clients } from "../shared/adapters/clients.js";
import { loadConfig, names } from "../shared/config.js";
import { wire, type AppDeps } from "../shared/wiring.js";
import { demoDatasets, demoDatasetStream, demoSnapshotDates, demoSnapshotStream, type DemoPartnerOptions } from "./demoData/index.js";
import { startEmulators, type Emulators } from "./emulators.js";
import { startLocalHost, type LocalHost } from "./host/index.js";

// `npm start`: emulators, resources, the functions host (`func start` when Azure Functions Core Tools
// is installed, else the project's local host), a demo partner whose files (15 monthly subscription snapshots
// among them) are dropped into drops/ and ingested through the real blob trigger, a second demo partner with a
// single snapshot (its opportunity models fall back to their priors), a refresh, then the base URL, an API key and
// four curl calls.

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const demoPartnerId = "contoso-demo";
export const demoPartnerName = "Contoso Cloud Partners (demo)";
/** A partner that dropped one subscriptions snapshot so far: its opportunity models use their priors. */
export const newPartnerId = "fabrikam-demo";
export const newPartnerName = "Fabrikam IT Services (demo, first drop)";

export interface DemoOptions {
  /** HTTP port; default 7071 (or PORT), falling back to a free port when taken. 0 = a free port. */
  port?: number;
  /** Customer tenants of the demo partner. Default 400. */
  tenants?: number;
  seed?: number;
  /** "auto" uses `func` when installed. Default "auto" (env FUNCTIONS_HOST overrides). */
  host?: "auto" | "local" | "func";
  /** How long to wait for ingestion and refresh. Default 5 minutes. */
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface CurlExample {
  description: string;
  command: string;
}

export interface Demo {
  baseUrl: string;
  partnerId: string;
  apiKey: string;
  hostKind: "local" | "func";
  examples: CurlExample[];
  /** Uploads a CSV of your own into the demo partner's drops (POST /api/uploads, then a PUT to the URL it gives). */
  dropExample: CurlExample;
  /** The second demo partner (one snapshot) and a reader key for it. */
  newPartner: { partnerId: string; apiKey: string };
  stop(): Promise<void>;
}

export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const log = options.log ?? ((line: string) => console.log(line));
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((err) => log(`stop: ${String(err)}`));
  };
  try {
    log("Starting the local emulators (Azurite blob + queue, Cosmos DB emulator)…");
    const emulators = await startEmulators();
    cleanups.push(() => emulators.stop());
    const config = loadConfig(emulators.settings);
    const clients = createClients(config);
    await ensureResources(config, clients);
    const deps = wire({ config, clients });
    log(`  blob ${emulators.blobEndpoint}  queue ${emulators.queueEndpoint}  cosmos ${emulators.cosmosEndpoint}`);

    const wanted = options.host ?? ((process.env.FUNCTIONS_HOST as DemoOptions["host"]) || "auto");
    const func = wanted === "local" ? undefined : findFunc();
    if (wanted === "func" && !func) throw new Error("FUNCTIONS_HOST=func but no `func` binary was found on PATH or in node_modules/.bin");
    const port = options.port ?? (process.env.PORT ? Number(process.env.PORT) : 7071);

    let baseUrl: string;
    let waitForHost: () => Promise<void>;
    let announceBlob: (blobName: string) => Promise<void> = async () => undefined;
    let hostKind: Demo["hostKind"];
    if (func) {
      hostKind = "func";
      const started = await startFunc(func, emulators, port, log);
      cleanups.push(started.stop);
      baseUrl = started.baseUrl;
      waitForHost = async () => undefined;
      // On Flex Consumption the ingest blob trigger uses the Event Grid source; locally no Event Grid
      // delivers, so the event a storage account would send is posted to the host's blob webhook.
      announceBlob = (blobName) => postBlobCreatedEvent(baseUrl, clients, blobName);
    } else {
      hostKind = "local";
      log("Azure Functions Core Tools (`func`) not found: hosting the functions with the local host (local/host/).");
      const host = await startLocalHostOnPort(emulators.settings, port, log);
      cleanups.push(() => host.stop());
      baseUrl = host.baseUrl;
      waitForHost = () => host.idle({ timeoutMs: options.readyTimeoutMs ?? 300_000 });
    }

    // The page uploads straight to storage with the URL /api/uploads gives: allow its origin (and only it).
    await allowUploadsFrom(clients, baseUrl);

    // The demo partner and an administrator key for it.
    await deps.partners.register(demoPartnerId, demoPartnerName);
    const { key: apiKey } = await deps.api.auth.issue({ partnerId: demoPartnerId, role: "administrator", name: "npm start demo administrator" });

    await deps.partners.register(newPartnerId, newPartnerName);
    const { key: newPartnerKey } = await deps.api.auth.issue({ partnerId: newPartnerId, role: "reportViewer", name: "npm start demo viewer" });

    // Drop the demo partners' files; the blob trigger ingests them and queues the refreshes.
    const tenants = options.tenants ?? 400;
    const today = new Date().toISOString().slice(0, 10);
    // 18 months of usage: the 15 snapshots' months and three before them, for the first snapshot's trends.
    const demo: DemoPartnerOptions = { tenants, seed: options.seed, months: 18, snapshots: 15 };
    const newcomer: DemoPartnerOptions = { tenants: Math.max(20, Math.round(tenants / 4)), seed: (options.seed ?? 2024) + 1, months: 12, snapshots: 1 };
    log(`Generating the demo partner "${demoPartnerId}" (${tenants} tenants, 15 monthly subscription snapshots, 18 months of usage) and dropping its files…`);
    const drops = clients.blobs.getContainerClient(names.blobContainers.drops);
    const blobNames: string[] = [];
    const upload = async (blobName: string, stream: () => Readable) => {
      await drops.getBlockBlobClient(blobName).uploadStream(stream(), 4 * 1024 * 1024, 2, {
        blobHTTPHeaders: { blobContentType: "text/csv; charset=utf-8" },
      });
      blobNames.push(blobName);
      await announceBlob(blobName);
      log(`  dropped ${names.blobContainers.drops}/${blobName}`);
    };
    for (const dataset of demoDatasets) {
      // subscriptions.csv is the newest snapshot, dropped last with the history below.
      if (dataset === "subscriptions") continue;
      await upload(`${demoPartnerId}/${dataset}/demo-${today}.csv`, () => demoDatasetStream(dataset, demo));
    }
    const dates = demoSnapshotDates(demo);
    for (let k = 0; k < dates.length; k++) await upload(`${demoPartnerId}/subscriptions/demo-${dates[k]}.csv`, () => demoSnapshotStream(k, demo));
    log(`Generating the second demo partner "${newPartnerId}" (${newcomer.tenants} tenants, one subscriptions snapshot) and dropping its files…`);
    for (const dataset of demoDatasets) {
      const name = dataset === "subscriptions" ? `demo-${demoSnapshotDates(newcomer)[0]}.csv` : `demo-${today}.csv`;
      await upload(`${newPartnerId}/${dataset}/${name}`, () => demoDatasetStream(dataset, newcomer));
    }

    log("Waiting for ingestion and refresh…");
    const started = Date.now();
    await waitForHost();
    await waitUntilReady(deps, [demoPartnerId, newPartnerId], blobNames, options.readyTimeoutMs ?? 300_000);
    log(`  ingested and refreshed in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const dropExample = dropFileExample(baseUrl, apiKey);
    return {
      baseUrl,
      partnerId: demoPartnerId,
      apiKey,
      hostKind,
      examples: curlExamples(baseUrl, apiKey),
      dropExample,
      newPartner: { partnerId: newPartnerId, apiKey: newPartnerKey },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export function curlExamples(baseUrl: string, apiKey: string): CurlExample[] {
  const header = `-H 'x-api-key: ${apiKey}'`;
  return [
    {
      description: "Cloud Endpoints tenants in the Land W365 sales motion (first 5)",
      command: `curl -s ${header} '${baseUrl}/api/cloud-endpoints?salesMotion=Land%20W365&pageSize=5'`,
    },
    {
      description: "KPI tiles and chart data",
      command: `curl -s ${header} '${baseUrl}/api/cloud-endpoints/summary'`,
    },
    {
      description: "CSV export of the Expand W365 tenants (opens in Excel)",
      command: `curl -s ${header} -o cloud-endpoints.csv '${baseUrl}/api/cloud-endpoints/export?salesMotion=Expand%20W365'`,
    },
    {
      description: "Sales Advisor: High-probability opportunities, newest first (first 5)",
      command: `curl -s ${header} '${baseUrl}/api/opportunities?status=High&pageSize=5'`,
    },
  ];
}

/**
 * Uploading ./tenants.csv: POST /api/uploads gives a URL that can create that one blob in the caller's own
 * drops folder for a few minutes; the file is PUT to it (node reads the URL out of the JSON, so no jq is needed).
 */
export function dropFileExample(baseUrl: string, apiKey: string): CurlExample {
  const ask =
    `curl -s -X POST -H 'x-api-key: ${apiKey}' -H 'content-type: application/json' ` +
    `-d '{"dataset":"tenants","fileName":"my-tenants.csv"}' '${baseUrl}/api/uploads'`;
  return {
    description: "Drop a file of your own (here ./tenants.csv): ask for an upload URL, then PUT the file to it; see /api/ingestions",
    command: `URL=$(${ask} | node -pe 'JSON.parse(require("fs").readFileSync(0,"utf8")).uploadUrl') && curl -s -X PUT -H 'x-ms-blob-type: BlockBlob' -H 'content-type: text/csv' --data-binary @tenants.csv "$URL"`,
  };
}

/** Storage CORS for the page's origin only: the browser PUTs an upload straight to the URL /api/uploads gives. */
async function allowUploadsFrom(clients: Clients, origin: string): Promise<void> {
  await clients.blobs.setProperties({
    cors: [{ allowedOrigins: origin, allowedMethods: "PUT,OPTIONS", allowedHeaders: "content-type,x-ms-blob-type,x-ms-version,x-ms-client-request-id", exposedHeaders: "etag,x-ms-request-id", maxAgeInSeconds: 600 }],
  });
}

function findFunc(): string | undefined {
  const local = path.join(projectRoot, "node_modules", ".bin", process.platform === "win32" ? "func.cmd" : "func");
  if (existsSync(local)) return local;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    for (const name of process.platform === "win32" ? ["func.cmd", "func.exe"] : ["func"]) {
      const candidate = path.join(dir, name);
      if (dir && existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

async function startLocalHostOnPort(settings: Record<string, string>, port: number, log: (line: string) => void): Promise<LocalHost> {
  const options = { settings, functionsDir: path.join(projectRoot, "functions"), hostJsonPath: path.join(projectRoot, "host.json"), log };
  try {
    return await startLocalHost({ ...options, port });
  } catch (err) {
    if ((err as { code?: string }).code !== "EADDRINUSE" || port === 0) throw err;
    log(`Port ${port} is in use; using a free port instead.`);
    return startLocalHost({ ...options, port: 0 });
  }
}

/** `func start` with local.settings.json written from the emulators' settings (after a TypeScript build). */
async function startFunc(
  func: string,
  emulators: Emulators,
  port: number,
  log: (line: string) => void,
): Promise<{ baseUrl: string; stop: () => Promise<void> }> {
  const usePort = port === 0 ? 7071 : port;
  const settingsFile = path.join(projectRoot, "local.settings.json");
  await writeFile(
    settingsFile,
    JSON.stringify({ IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: "node", ...emulators.settings } }, null, 2) + "\n",
  );
  log(`Wrote local.settings.json; building and starting \`func start\` on port ${usePort}…`);
  await run(process.platform === "win32" ? "npm.cmd" : "npm", ["run", "build"], log);
  const child = spawn(func, ["start", "--port", String(usePort)], { cwd: projectRoot, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d: Buffer) => d.toString().split("\n").filter(Boolean).forEach((l) => log(`[func] ${l}`)));
  child.stderr!.on("data", (d: Buffer) => d.toString().split("\n").filter(Boolean).forEach((l) => log(`[func] ${l}`)));
  const baseUrl = `http://127.0.0.1:${usePort}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`func start exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${baseUrl}/api/health`);
      if (res.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error("func start did not answer /api/health within 120 s");
    }
    await sleep(1000);
  }
  return { baseUrl, stop: () => stopChild(child) };
}

function run(command: string, args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: projectRoot, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code === 0) resolve();
      else {
        log(output);
        reject(new Error(`${command} ${args.join(" ")} exited with code ${code}`));
      }
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGINT");
  });
}

/** The Event Grid BlobCreated event a storage account sends, posted to the Functions host's blob extension webhook. */
async function postBlobCreatedEvent(baseUrl: string, clients: Clients, blobName: string): Promise<void> {
  const blob = clients.blobs.getContainerClient(names.blobContainers.drops).getBlockBlobClient(blobName);
  const props = await blob.getProperties();
  const event = [
    {
      id: randomUUID(),
      topic: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.Storage/storageAccounts/devstoreaccount1",
      subject: `/blobServices/default/containers/${names.blobContainers.drops}/blobs/${blobName}`,
      eventType: "Microsoft.Storage.BlobCreated",
      eventTime: new Date().toISOString(),
      dataVersion: "",
      metadataVersion: "1",
      data: {
        api: "PutBlockList",
        eTag: props.etag,
        contentType: props.contentType,
        contentLength: props.contentLength,
        blobType: "BlockBlob",
        url: blob.url,
        sequencer: Date.now().toString(16).padStart(32, "0"),
      },
    },
  ];
  const res = await fetch(`${baseUrl}/runtime/webhooks/blobs?functionName=Host.Functions.ingestDrop`, {
    method: "POST",
    headers: { "content-type": "application/json", "aeg-event-type": "Notification" },
    body: JSON.stringify(event),
  });
  if (!res.ok) throw new Error(`posting the BlobCreated event for ${blobName} answered ${res.status}`);
}

/** Ready when every dropped file is loaded, each partner's data was refreshed since, and its tabs have results. */
async function waitUntilReady(deps: AppDeps, partnerIds: string[], blobNames: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const loaded = new Map<string, string>();
    for (const partnerId of partnerIds) {
      let token: string | undefined;
      do {
        const page = await deps.api.ingestions.page(partnerId, 50, token);
        for (const record of page.items) loaded.set(record.blobPath.replace(/^drops\//, ""), record.status);
        token = page.storeToken;
      } while (token);
    }
    const failed = blobNames.filter((b) => loaded.get(b) === "failed");
    if (failed.length) throw new Error(`demo drop rejected: ${failed.join(", ")} (see GET /api/ingestions)`);
    const allLoaded = blobNames.every((b) => loaded.get(b) === "loaded");
    if (allLoaded) {
      let ready = true;
      for (const partnerId of partnerIds) {
        const partner = await deps.partners.read(partnerId);
        const refreshed =
          partner?.dataVersion !== undefined && partner.refreshedDataVersion !== undefined && partner.refreshedDataVersion >= partner.dataVersion;
        const tabs = refreshed && (await deps.api.results.pointer(partnerId, "cloudEndpoints")) && (await deps.api.results.pointer(partnerId, "opportunities"));
        ready &&= Boolean(tabs);
      }
      if (ready) return;
    }
    if (Date.now() > deadline) {
      const states = blobNames.map((b) => `${b}: ${loaded.get(b) ?? "not seen"}`).join("; ");
      throw new Error(`demo data not ready within ${timeoutMs / 1000} s (${states})`);
    }
    await sleep(250);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- npm start ----------------------------------------------------------------------------

async function main(): Promise<void> {
  const log = (line: string) => console.log(line);
  const demo = await startDemo({ log });
  const lines = [
    "",
    "Partner opportunity insights is running.",
    "",
    `  Base URL:        ${demo.baseUrl}/api   (host: ${demo.hostKind === "func" ? "func start" : "local host"})`,
    `  Partner:         ${demo.partnerId}`,
    `  API key (admin): ${demo.apiKey}`,
    `  OpenAPI:         ${demo.baseUrl}/api/openapi.json`,
    `  Second partner:  ${demo.newPartner.partnerId} (one snapshot so far: opportunities from the models' priors), API key (viewer): ${demo.newPartner.apiKey}`,
    "",
    "Try:",
    // Under `func` a drop needs an Event Grid event, which a plain upload to the emulator does not send.
    ...[...demo.examples, ...(demo.hostKind === "local" ? [demo.dropExample] : [])].flatMap((e) => ["", `  # ${e.description}`, `  ${e.command}`]),
    "",
    "Press Ctrl-C to stop.",
    "",
  ];
  console.log(lines.join("\n"));
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the host and the emulators…`);
    demo.stop().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
