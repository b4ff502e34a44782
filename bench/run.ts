import { cpus } from "node:os";
import { gzipSync } from "node:zlib";
import { demoWorkloads, generateDemoPartner } from "../local/demoData/index.js";
import { startEmulators, type Emulators } from "../local/emulators.js";
import { createClients, ensureResources, type Clients } from "../shared/adapters/clients.js";
import { cloudEndpointsExportQuerySchema, cloudEndpointsListQuerySchema, cloudEndpointsRowQuery } from "../shared/api/cloudEndpoints.js";
import { iterateTabRows, readTabPage } from "../shared/api/tabReads.js";
import { resultIds, tabNames } from "../shared/domain/results.js";
import { wire } from "../shared/wiring.js";
import { loadConfig, names } from "../shared/config.js";
import { datasetNames, type DatasetName } from "../shared/domain/datasets.js";
import { ingestionDocSchema, partnerDocSchema, type IngestionDoc } from "../shared/domain/documents.js";
import { bulkUpsertFloor, readPartnerDocuments } from "./floors.js";
import { hostHeapMB, hostProfileDir, startHostChild, guardBench, type HostChild } from "./hostChild.js";
import { summariseCpuProfile } from "./profile.js";
import { runBenchSection } from "./section.js";
import { mb, round, runLoad, waitFor, type LoadResult } from "./stats.js";

// npm run bench: one large partner drop through the whole local pipeline (blob landing → ingest →
// refresh → HTTP list and export), each figure printed beside its floor (the emulator's own cost for the
// same documents and queries, measured with the SDK in the same run). Loopback only; stops by itself.

const spec = {
  tenants: Number(process.env.BENCH_TENANTS ?? 20_000),
  months: 12,
  seed: 42,
  partnerId: "bench-partner",
  queryClients: 16,
  queryWindowMs: 20_000,
  floorQueryWindowMs: 10_000,
  pointReadWindowMs: 5_000,
  pipelineTimeoutMs: 240_000,
  watchdogMs: 9 * 60_000,
};
const targets = { dropToQueryableMs: 60_000, peakRssBytes: 512 * 1024 * 1024, queryP99VsFloor: 2 };
const profileDir = hostProfileDir();


type DropTexts = Partial<Record<DatasetName, string>>;

function generateDrop(): DropTexts {
  const generated = generateDemoPartner({ tenants: spec.tenants, months: spec.months, seed: spec.seed });
  const texts: DropTexts = {};
  // The tenant datasets (deals have their own bench: bench/deals.ts).
  for (const name of datasetNames) if (name !== "deals") texts[name] = generated[name];
  return texts;
}

function dataRows(csv: string): number {
  let lines = 0;
  for (let i = csv.indexOf("\n"); i >= 0; i = csv.indexOf("\n", i + 1)) lines++;
  if (!csv.endsWith("\n")) lines++;
  return Math.max(0, lines - 1);
}

async function ingestionsOf(clients: Clients, partnerId: string): Promise<IngestionDoc[]> {
  const { resources } = await clients.containers.ingestions.items
    .query(
      { query: "SELECT * FROM c WHERE c.partnerId = @p AND c.type = 'ingestion'", parameters: [{ name: "@p", value: partnerId }] },
      { partitionKey: partnerId },
    )
    .fetchAll();
  return resources.map((r) => ingestionDocSchema.parse(r));
}

async function readPartner(clients: Clients, partnerId: string) {
  try {
    const { resource } = await clients.containers.partners.item("partner", partnerId).read();
    return resource ? partnerDocSchema.parse(resource) : undefined;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

/** Streams a GET response body, counting bytes without keeping them. */
async function drain(response: Response): Promise<number> {
  let bytes = 0;
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return bytes;
    bytes += value.byteLength;
  }
}

const elapsedSince = (t0: number) => Math.round(performance.now() - t0);

async function main(): Promise<Record<string, unknown>> {
  const partial: Record<string, unknown> = {
    spec: { ...spec, workloads: demoWorkloads.length, machine: { cpus: cpus().length, node: process.version } },
  };
  let emulators: Emulators | undefined;
  let host: HostChild | undefined;
  const guard = guardBench(partial, spec.watchdogMs, () => ({ host, emulators }));

  try {
    const { partnerId } = spec;
    // ---- data --------------------------------------------------------------------------------
    let t0 = performance.now();
    const texts = generateDrop();
    const generateMs = elapsedSince(t0);
    t0 = performance.now();
    const drop = Object.entries(texts).map(([dataset, text]) => {
      const bytes = Buffer.byteLength(text);
      return { dataset, rows: dataRows(text), csvBytes: bytes, gzip: gzipSync(Buffer.from(text)) };
    });
    const totalRows = drop.reduce((n, d) => n + d.rows, 0);
    partial.drop = {
      partnerId,
      generateMs,
      gzipMs: elapsedSince(t0),
      datasets: Object.fromEntries(drop.map((d) => [d.dataset, { rows: d.rows, csvMB: round(mb(d.csvBytes)), gzipMB: round(mb(d.gzip.byteLength)) }])),
      totalRows,
    };

    // ---- emulators and host (each in its own process) -----------------------------------------
    emulators = await startEmulators();
    const config = loadConfig(emulators.settings);
    const clients = createClients(config);
    await ensureResources(config, clients);
    const deps = wire({ config, clients });
    const readCurrentPointer = () => deps.api.results.pointer(partnerId, "cloudEndpoints");
    host = await startHostChild(emulators.settings, profileDir);
    const { key } = await deps.api.auth.issue({ partnerId, role: "reportViewer", name: "bench" });
    const api = (path: string) => fetch(`${host!.baseUrl}/api/${path}`, { headers: { "x-api-key": key }, signal: AbortSignal.timeout(120_000) });

    // ---- blob landing → rows queryable -----------------------------------------------------
    const drops = clients.blobs.getContainerClient(names.blobContainers.drops);
    // Peak memory per part of the run: which work needs it.
    const phasePeaks: Record<string, { rssMB: number | null; heapUsedMB: number | null }> = {};
    const endPhase = async (name: string) => {
      const peak = await host!.request<{ peakRssBytes: number; peakHeapUsedBytes: number }>("phase", "phase");
      phasePeaks[name] = { rssMB: round(mb(peak.peakRssBytes)), heapUsedMB: round(mb(peak.peakHeapUsedBytes)) };
    };
    await endPhase("started");
    const landing = performance.now();
    const landingEpoch = Date.now();
    await Promise.all(
      drop.map((d) =>
        drops.getBlockBlobClient(`${partnerId}/${d.dataset}/bench-${spec.seed}.csv.gz`).uploadData(d.gzip, {
          blobHTTPHeaders: { blobContentType: "text/csv", blobContentEncoding: "gzip" },
        }),
      ),
    );
    const uploadMs = elapsedSince(landing);
    const ingestions = await waitFor("the drop's ingestion records to finish", spec.pipelineTimeoutMs, async () => {
      const records = await ingestionsOf(clients, partnerId);
      const finished = records.filter((r) => r.status === "loaded" || r.status === "failed");
      return finished.length >= drop.length ? finished : undefined;
    });
    const ingestedMs = elapsedSince(landing);
    await endPhase("ingest");
    const failed = ingestions.filter((r) => r.status === "failed");
    if (failed.length) throw new Error(`ingestion failed: ${failed.map((r) => `${r.dataset}: ${r.reason}`).join("; ")}`);
    const loadedRows = ingestions.reduce((n, r) => n + r.counts.loaded, 0);
    // Per file: when its ingestion record says it finished, counted from the blob landing.
    const perDataset = Object.fromEntries(
      ingestions.map((r) => [
        r.dataset,
        {
          rows: r.counts.rows,
          documents: r.counts.documents,
          finishedAfterLandingMs: r.finishedAt ? Date.parse(r.finishedAt) - landingEpoch : null,
        },
      ]),
    );
    partial.ingest = { uploadMs, ingestedMs, loadedRows, perDataset };

    // Queryable: the Cloud Endpoints pointer covers every loaded drop and the list route serves rows (the other
    // tabs' producers run after it in the same refresh).
    await waitFor("a refresh of the whole drop", spec.pipelineTimeoutMs, async () => {
      const partner = await readPartner(clients, partnerId);
      const pointer = await readCurrentPointer();
      const covered = partner?.dataVersion !== undefined && pointer?.dataVersion !== undefined && pointer.dataVersion >= partner.dataVersion;
      return pointer && covered ? pointer : undefined;
    });
    const firstPage = await waitFor("the list route to answer with rows", 60_000, async () => {
      const response = await api("cloud-endpoints?pageSize=50");
      const body = (await response.json()) as { items?: unknown[] };
      return response.status === 200 && body.items?.length ? body.items : undefined;
    }, 100);
    const queryableMs = elapsedSince(landing);
    await endPhase("cloudEndpointsRefreshed");
    partial.queryable = { queryableMs, firstPageRows: firstPage.length };
    // Every tab refreshed, so nothing else runs while the refresh and the queries below are measured.
    await waitFor("every tab to cover the drop", spec.pipelineTimeoutMs, async () => {
      const partner = await readPartner(clients, partnerId);
      return partner?.dataVersion !== undefined && partner.refreshedDataVersion !== undefined && partner.refreshedDataVersion >= partner.dataVersion ? true : undefined;
    });
    partial.allTabsRefreshedMs = elapsedSince(landing);
    await endPhase("otherTabsRefreshed");

    // ---- refresh on its own: a manual job, enqueue → pointer switched ---------------------------
    const before = await readCurrentPointer();
    const otherTabsBefore = await Promise.all(tabNames.filter((t) => t !== "cloudEndpoints").map(async (tab) => ({ tab, pointer: await deps.api.results.pointer(partnerId, tab) })));
    const refreshStart = performance.now();
    await deps.api.refreshQueue.enqueue({ partnerId, reason: "manual", requestedAt: new Date().toISOString() });
    const after = await waitFor("the manual refresh to switch the pointer", spec.pipelineTimeoutMs, async () => {
      const pointer = await readCurrentPointer();
      return pointer && pointer.resultSetId !== before?.resultSetId ? pointer : undefined;
    }, 100);
    const refreshMs = elapsedSince(refreshStart);
    // The same job goes on with the other tabs: let it finish before measuring queries.
    await waitFor("the manual refresh's other tabs", spec.pipelineTimeoutMs, async () => {
      for (const { tab, pointer } of otherTabsBefore) {
        if (pointer && (await deps.api.results.pointer(partnerId, tab))?.resultSetId === pointer.resultSetId) return undefined;
      }
      return true;
    }, 100);
    const refreshAllTabsMs = elapsedSince(refreshStart);
    await endPhase("manualRefresh");

    // ---- list query under load, then the export -------------------------------------------------
    const listLoad = await runLoad(spec.queryClients, spec.queryWindowMs, async () => {
      const response = await api("cloud-endpoints?pageSize=50");
      if (response.status !== 200) throw new Error(`list answered ${response.status}`);
      await drain(response);
    });
    t0 = performance.now();
    const exportResponse = await api("cloud-endpoints/export");
    if (exportResponse.status !== 200) throw new Error(`export answered ${exportResponse.status}`);
    const exportBytes = await drain(exportResponse);
    const exportMs = elapsedSince(t0);

    await endPhase("queriesAndExport");
    const memory = await host.request<{ peakRssBytes: number; maxRssBytes: number; peakHeapUsedBytes: number }>("stop", "stopped");
    const peakRssBytes = Math.max(memory.peakRssBytes, memory.maxRssBytes);
    await new Promise<void>((resolve) => (host!.child.exitCode !== null ? resolve() : host!.child.once("exit", () => resolve())));
    const hostProfile = profileDir ? summariseCpuProfile(profileDir) : undefined;

    // ---- floors: the emulator's own cost, SDK only, host stopped ---------------------------------
    const listQuery = cloudEndpointsListQuerySchema.parse({ pageSize: "50" });
    const listFloor = await runLoad(spec.queryClients, spec.floorQueryWindowMs, async () => {
      const page = await readTabPage(deps.api, partnerId, cloudEndpointsRowQuery(listQuery), listQuery);
      if (page.docs.length === 0) throw new Error("floor list query returned no rows");
    });
    const pointReadFloor = await runLoad(spec.queryClients, spec.pointReadWindowMs, async () => {
      await clients.containers.results.item(resultIds.pointer("cloudEndpoints"), partnerId).read();
    });
    t0 = performance.now();
    let exportFloorRows = 0;
    const exportFilter = cloudEndpointsExportQuerySchema.parse({});
    // 5,000 rows per page, as the export route reads them (functions/httpCloudEndpoints.ts).
    for await (const page of iterateTabRows(deps.api, partnerId, after.resultSetId, cloudEndpointsRowQuery(exportFilter), 5_000)) {
      exportFloorRows += page.length;
    }
    const exportFloorMs = elapsedSince(t0);

    t0 = performance.now();
    const partnerData = await readPartnerDocuments(clients.containers.partnerData, partnerId);
    const partnerDataReadMs = elapsedSince(t0);
    const ingestFloor = await bulkUpsertFloor(clients.containers.partnerData, partnerData, `${partnerId}-floor`);
    const resultDocs = await readPartnerDocuments(clients.containers.results, partnerId, {
      where: "c.resultSetId = @resultSetId",
      parameters: [{ name: "@resultSetId", value: after.resultSetId }],
    });
    const resultWriteFloor = await bulkUpsertFloor(clients.containers.results, resultDocs, `${partnerId}-floor`);

    const figures = {
      ingest: {
        rows: loadedRows,
        wallMs: ingestedMs,
        rowsPerSecond: Math.round(loadedRows / (ingestedMs / 1000)),
        uploadMs,
        documents: partnerData.length,
        perDataset,
      },
      dropToQueryableMs: queryableMs,
      refreshMs,
      refreshAllTabsMs,
      hostPeakRssMB: round(mb(peakRssBytes)),
      // Peak live V8 heap (sampled every 50 ms): far below RSS means garbage not yet collected, not data held.
      hostPeakHeapUsedMB: round(mb(memory.peakHeapUsedBytes)),
      hostPeakByPhase: phasePeaks,
      // The heap limit the host ran with: the deployed worker's unless BENCH_HOST_MAX_OLD_SPACE_MB said otherwise.
      hostHeapLimitMB: hostHeapMB() ?? "node default",
      listQuery: listLoad,
      export: { rows: exportFloorRows, bytes: exportBytes, ms: exportMs, MBps: round(mb(exportBytes) / (exportMs / 1000), 2) },
    };
    const floors = {
      ingestBulkUpsert: {
        ...ingestFloor,
        // The same documents the pipeline wrote, as CSV rows per second had ingest cost nothing but the writes.
        rowsPerSecond: Math.round(loadedRows / (ingestFloor.ms / 1000)),
      },
      refreshIo: {
        readDocuments: partnerData.length,
        readMs: partnerDataReadMs,
        writeDocuments: resultWriteFloor.documents,
        writeMs: resultWriteFloor.ms,
        ms: partnerDataReadMs + resultWriteFloor.ms,
      },
      dropToQueryableMs: ingestFloor.ms + partnerDataReadMs + resultWriteFloor.ms,
      listQuery: listFloor,
      pointRead: pointReadFloor,
      export: { rows: exportFloorRows, ms: exportFloorMs, MBps: round(mb(exportBytes) / (exportFloorMs / 1000), 2) },
    };
    const p99 = (l: LoadResult) => l.p99Ms ?? Number.POSITIVE_INFINITY;
    const checks = {
      dropToQueryableUnder60s: { actualMs: queryableMs, limitMs: targets.dropToQueryableMs, met: queryableMs < targets.dropToQueryableMs },
      hostPeakRssUnder512MB: { actualMB: round(mb(peakRssBytes)), limitMB: mb(targets.peakRssBytes), met: peakRssBytes < targets.peakRssBytes },
      listQueryP99Within2xFloor: {
        actualMs: listLoad.p99Ms,
        floorMs: listFloor.p99Ms,
        ratio: round(p99(listLoad) / p99(listFloor), 2),
        met: listLoad.errors === 0 && p99(listLoad) <= targets.queryP99VsFloor * p99(listFloor),
      },
    };
    return {
      ...partial,
      figures,
      floors,
      targets: { ...checks, met: Object.values(checks).every((c) => c.met) },
      ...(hostProfile ? { hostProfile } : {}),
    };
  } catch (err) {
    return guard.failed(err);
  } finally {
    await guard.finish();
  }
}

const result = await main();
// The Opportunities tab at scale (bench/opportunitiesPipeline.ts), after this part and in its own process.
const opportunities = process.env.BENCH_SKIP_OPPORTUNITIES ? undefined : await runBenchSection("./opportunitiesPipeline.ts");
process.stdout.write(`${JSON.stringify({ ...result, ...(opportunities ? { opportunities } : {}) }, null, 2)}\n`);
if ("error" in result || (opportunities && "error" in opportunities)) process.exitCode = 1;
