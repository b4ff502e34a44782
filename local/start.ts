import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { createClients, ensureResources, type Clients } from "../shared/adapters/clients.js";
import { loadConfig, names } from "../shared/config.js";
import { wire, type AppDeps } from "../shared/wiring.js";
import { startBlobEventRelay, webhookPoster } from "./blobEvents.js";
import { demoDatasets, demoDatasetStream, demoDealsFiles, demoSnapshotDates, demoSnapshotStream, type DemoPartnerOptions } from "./demoData/index.js";
import { startEmulators, type Emulators } from "./emulators.js";
import { choosePort, funcEnvironment, prepareLocalSettings, waitForOurHost } from "./funcHost.js";
import { startLocalHost, type LocalHost } from "./host/index.js";

// `npm start`: emulators, resources, the functions host (`func start` when Azure Functions Core Tools
// is installed, else the project's local host), a demo partner whose files (15 monthly subscription snapshots and
// two years of CRM deals among them) are dropped into drops/ and ingested through the real blob trigger, a second
// demo partner new to the service (one snapshot: its opportunity models use their priors; too few deals to train
// a deal scoring model), a refresh, a deal scoring model trained and published over the API, then the base URL,
// an API key and curl calls.

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const demoPartnerId = "contoso-demo";
export const demoPartnerName = "Contoso Cloud Partners (demo)";
/**
 * A second demo partner, new to the service: one subscriptions snapshot (its opportunity models use their priors)
 * and too few closed deals (training a deal scoring model is refused with the counts it has and needs).
 */
export const secondPartnerId = "fabrikam-demo";
export const secondPartnerName = "Fabrikam IT Services (demo, new: one snapshot, few deals)";

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
  /** The demo partner's published deal scoring model. */
  dealModelId: string;
  /** The second demo partner: its administrator key and its (untrainable) deal scoring model. */
  secondPartner: { partnerId: string; apiKey: string; modelId: string };
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
    let hostKind: Demo["hostKind"];
    if (func) {
      hostKind = "func";
      const started = await startFunc(func, emulators, port, log);
      cleanups.push(started.stop);
      baseUrl = started.baseUrl;
      waitForHost = async () => undefined;
      // On Flex Consumption the ingest blob trigger uses the Event Grid source; Azurite sends no events, so a relay
      // plays Event Grid: every new blob in drops/ (the demo's, uploads from the page or curl) reaches the webhook.
      const relay = startBlobEventRelay({
        container: clients.blobs.getContainerClient(names.blobContainers.drops),
        post: webhookPoster(baseUrl, "ingestDrop"),
        intervalMs: 500,
        log,
      });
      cleanups.push(() => relay.stop());
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

    await deps.partners.register(secondPartnerId, secondPartnerName);
    const { key: secondKey } = await deps.api.auth.issue({ partnerId: secondPartnerId, role: "administrator", name: "npm start demo administrator" });

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
      log(`  dropped ${names.blobContainers.drops}/${blobName}`);
    };
    for (const dataset of demoDatasets) {
      // subscriptions.csv is the newest snapshot, dropped last with the history below.
      if (dataset === "subscriptions") continue;
      await upload(`${demoPartnerId}/${dataset}/demo-${today}.csv`, () => demoDatasetStream(dataset, demo));
    }
    const dates = demoSnapshotDates(demo);
    for (let k = 0; k < dates.length; k++) await upload(`${demoPartnerId}/subscriptions/demo-${dates[k]}.csv`, () => demoSnapshotStream(k, demo));
    log(`Generating the second demo partner "${secondPartnerId}" (${newcomer.tenants} tenants, one subscriptions snapshot, few deals) and dropping its files…`);
    for (const dataset of demoDatasets) {
      const name = dataset === "subscriptions" ? `demo-${demoSnapshotDates(newcomer)[0]}.csv` : `demo-${today}.csv`;
      await upload(`${secondPartnerId}/${dataset}/${name}`, () => demoDatasetStream(dataset, newcomer));
    }

    // Two years of CRM deals as monthly exports (each drop a snapshot), and too few of them for the second partner.
    const dealsFiles = demoDealsFiles({ seed: options.seed === undefined ? undefined : options.seed + 1 });
    for (const file of dealsFiles) {
      const blobName = `${demoPartnerId}/deals/${file.fileName}`;
      await drops.getBlockBlobClient(blobName).uploadData(Buffer.from(file.csv, "utf8"), { blobHTTPHeaders: { blobContentType: "text/csv; charset=utf-8" } });
      blobNames.push(blobName);
    }
    log(`  dropped ${names.blobContainers.drops}/${demoPartnerId}/deals/ (two years of deals, ${dealsFiles.length} monthly snapshots)`);
    const [fewDealsFile] = demoDealsFiles({ seed: 99, closedDeals: 50, openDeals: 12, snapshots: 0 });
    await upload(`${secondPartnerId}/deals/${fewDealsFile.fileName}`, () => Readable.from([Buffer.from(fewDealsFile.csv, "utf8")]));

    log("Waiting for ingestion and refresh…");
    const started = Date.now();
    const timeoutMs = options.readyTimeoutMs ?? 300_000;
    await waitForHost();
    await waitUntilReady(deps, [demoPartnerId, secondPartnerId], blobNames, timeoutMs);
    log(`  ingested and refreshed in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    log("Training and publishing the demo partner's deal scoring model (through the API)…");
    const dealsStarted = Date.now();
    const dealModelId = await trainAndPublishDemoModel(baseUrl, apiKey, timeoutMs, log);
    const fewDealsModel = await callApi(baseUrl, secondKey, "POST", "deal-models", { name: "FewDeals" });
    if (fewDealsModel.status !== 201) throw new Error(`creating the second demo partner's model answered ${fewDealsModel.status}: ${JSON.stringify(fewDealsModel.body)}`);
    log(`  deals scored in ${((Date.now() - dealsStarted) / 1000).toFixed(1)} s`);

    const secondPartner = { partnerId: secondPartnerId, apiKey: secondKey, modelId: String((fewDealsModel.body as { modelId: string }).modelId) };
    const dropExample = dropFileExample(baseUrl, apiKey);
    return {
      baseUrl,
      partnerId: demoPartnerId,
      apiKey,
      hostKind,
      examples: curlExamples(baseUrl, apiKey, secondPartner),
      dropExample,
      dealModelId,
      secondPartner,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export function curlExamples(baseUrl: string, apiKey: string, fewDeals?: { apiKey: string; modelId: string }): CurlExample[] {
  const header = `-H 'x-api-key: ${apiKey}'`;
  const deals: CurlExample[] = [
    {
      description: "Scored open deals, highest score first (first 5): score, grade, trend and the top factors in words",
      command: `curl -s ${header} '${baseUrl}/api/deal-scores?pageSize=5'`,
    },
    ...(fewDeals
      ? [
          {
            description: "The second demo partner has too few closed deals: training its model is refused with the counts it has and needs",
            command: `curl -s -X POST -H 'x-api-key: ${fewDeals.apiKey}' '${baseUrl}/api/deal-models/${fewDeals.modelId}/train'`,
          },
        ]
      : []),
  ];
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
    {
      description: "Propensity: the Act now customers (high fit), highest propensity first (first 5)",
      command: `curl -s ${header} '${baseUrl}/api/propensity?cluster=Act%20now&customerType=Customer&pageSize=5'`,
    },
    // Last: the second demo partner's call uses its own key.
    ...deals,
  ];
}

async function callApi(baseUrl: string, apiKey: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${baseUrl}/api/${path}`, {
    method,
    headers: { "x-api-key": apiKey, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

/** Creates, trains (the queue job) and publishes the demo partner's model, then waits for its scores. */
async function trainAndPublishDemoModel(baseUrl: string, apiKey: string, timeoutMs: number, log: (line: string) => void): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const created = await callApi(baseUrl, apiKey, "POST", "deal-models", { name: "DemoScoring" });
  if (created.status !== 201) throw new Error(`creating the demo deal scoring model answered ${created.status}: ${JSON.stringify(created.body)}`);
  const modelId = (created.body as { modelId: string }).modelId;
  const train = await callApi(baseUrl, apiKey, "POST", `deal-models/${modelId}/train`);
  if (train.status !== 202) throw new Error(`training the demo deal scoring model answered ${train.status}: ${JSON.stringify(train.body)}`);
  type ModelView = { state: string; versions: { readiness?: { readiness: string }; performance?: { auc: number | null } }[] };
  let model: ModelView;
  for (;;) {
    model = (await callApi(baseUrl, apiKey, "GET", `deal-models/${modelId}`)).body as ModelView;
    if (model.state !== "training") break;
    if (Date.now() > deadline) throw new Error("the demo deal scoring model did not finish training in time");
    await sleep(250);
  }
  const version = model.versions[0];
  if (model.state !== "trained" || !version?.readiness) throw new Error(`the demo deal scoring model did not train: ${JSON.stringify(model)}`);
  log(`  model DemoScoring trained: ${version.readiness.readiness} (test AUC ${version.performance?.auc ?? "n/a"})`);
  const published = await callApi(baseUrl, apiKey, "POST", `deal-models/${modelId}/publish${version.readiness.readiness === "Not ready" ? "?force=true" : ""}`);
  if (published.status !== 200) throw new Error(`publishing the demo deal scoring model answered ${published.status}: ${JSON.stringify(published.body)}`);
  for (;;) {
    const summary = (await callApi(baseUrl, apiKey, "GET", "deal-scores/summary")).body as { status: string; scored: number };
    if (summary.status === "ready" && summary.scored > 0) return modelId;
    if (Date.now() > deadline) throw new Error("the demo partner's deals were not scored in time");
    await sleep(250);
  }
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

/**
 * `func start` after a build, on the port asked for or a free one when it is taken, with the emulator settings as
 * environment variables (they take precedence over local.settings.json, which is kept as it is, or created from
 * the sample when missing); ready once the host answering is this app and healthy.
 */
async function startFunc(
  func: string,
  emulators: Emulators,
  port: number,
  log: (line: string) => void,
): Promise<{ baseUrl: string; stop: () => Promise<void> }> {
  const settings = await prepareLocalSettings(projectRoot);
  log(
    settings.action === "kept"
      ? "Kept your local.settings.json as it is: the emulator settings go to func as environment variables, which take precedence over its Values."
      : "Created local.settings.json from local.settings.sample.json (the emulator settings go to func as environment variables).",
  );
  const chosen = await choosePort(port === 0 ? 7071 : port);
  if (chosen.fellBack) log(`Port ${port === 0 ? 7071 : port} is in use; using ${chosen.port} instead.`);
  log(`Building and starting \`func start\` on port ${chosen.port}…`);
  await run(process.platform === "win32" ? "npm.cmd" : "npm", ["run", "build"], log);
  const child = spawn(func, ["start", "--port", String(chosen.port)], {
    cwd: projectRoot,
    env: funcEnvironment(emulators.settings),
    stdio: ["ignore", "pipe", "pipe"],
    shell: process.platform === "win32",
  });
  child.stdout!.on("data", (d: Buffer) => d.toString().split("\n").filter(Boolean).forEach((l) => log(`[func] ${l}`)));
  child.stderr!.on("data", (d: Buffer) => d.toString().split("\n").filter(Boolean).forEach((l) => log(`[func] ${l}`)));
  const baseUrl = `http://127.0.0.1:${chosen.port}`;
  try {
    await waitForOurHost(baseUrl, {
      timeoutMs: 120_000,
      exited: () => (child.exitCode !== null ? `func start exited with code ${child.exitCode}` : undefined),
    });
  } catch (err) {
    await stopChild(child);
    throw err;
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
    `  Web page:        ${demo.baseUrl}/   (sign in with the API key below)`,
    `  Base URL:        ${demo.baseUrl}/api   (host: ${demo.hostKind === "func" ? "func start" : "local host"})`,
    `  Partner:         ${demo.partnerId}`,
    `  API key (admin): ${demo.apiKey}`,
    `  OpenAPI:         ${demo.baseUrl}/api/openapi.json`,
    `  API reference:   ${demo.baseUrl}/api/docs   (try the routes: Authorize with the key above)`,
    `  Second partner:  ${demo.secondPartner.partnerId} (new: one snapshot, so opportunities from the models' priors; too few deals to train a model)`,
    `  Its key (admin): ${demo.secondPartner.apiKey}`,
    "",
    "Try:",
    ...[...demo.examples, demo.dropExample].flatMap((e) => ["", `  # ${e.description}`, `  ${e.command}`]),
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
