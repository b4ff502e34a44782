import { cpus, loadavg } from "node:os";
import { gzipSync } from "node:zlib";
import { startEmulators, type Emulators } from "../local/emulators.js";
import { createClients, ensureResources, type Clients } from "../shared/adapters/clients.js";
import { loadConfig, names } from "../shared/config.js";
import { ingestionDocSchema, partnerDocSchema, type IngestionDoc } from "../shared/domain/documents.js";
import { scorePropensity } from "../shared/domain/propensity/index.js";
import { wire } from "../shared/wiring.js";
import { bulkUpsertFloor, readPartnerDocuments } from "./floors.js";
import { hostHeapMB, hostProfileDir, startHostChild, guardBench, type HostChild } from "./hostChild.js";
import { summariseCpuProfile } from "./profile.js";
import { generatePropensityPartner } from "./propensityData.js";
import { propensityDropFiles, type PropensityDropFile } from "./propensityDrop.js";
import { mb, round, runLoad, waitFor } from "./stats.js";

// npm run bench:propensity: the Propensity tab through the real service. A generated partner of 20,000 tenants
// and 200,000 signals (BENCH_PROPENSITY_TENANTS / BENCH_PROPENSITY_SIGNALS) is dropped as gzipped CSV files into
// Azurite; the local host (a child process) ingests them through the blob trigger and refreshes through the
// queue; the figure is blob landing → the propensity pointer covering the whole drop. Then a signals-only drop
// (the fit model is reused), the list and summary routes under load, and the export. Floors from the same run:
// the domain's computation alone on the same inputs, reading the partner's staged documents and writing the
// same result documents with the SDK. Prints one JSON object. Loopback only; stops by itself.

const spec = {
  tenants: Number(process.env.BENCH_PROPENSITY_TENANTS ?? 20_000),
  signals: Number(process.env.BENCH_PROPENSITY_SIGNALS ?? 200_000),
  updateSignals: 20_000,
  seed: 11,
  partnerId: "bench-propensity",
  queryClients: 8,
  queryWindowMs: 10_000,
  pipelineTimeoutMs: 240_000,
  watchdogMs: 8 * 60_000,
};
const targets = { dropToRefreshedMs: 60_000 };
const profileDir = hostProfileDir();

const elapsedSince = (t0: number) => Math.round(performance.now() - t0);
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

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
  const { resource } = await clients.containers.partners.item("partner", partnerId).read();
  return resource ? partnerDocSchema.parse(resource) : undefined;
}

async function drain(response: Response): Promise<number> {
  let bytes = 0;
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return bytes;
    bytes += value.byteLength;
  }
}

function dataRows(text: string): number {
  let lines = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines++;
  return lines - 1;
}

async function main(): Promise<Record<string, unknown>> {
  const partial: Record<string, unknown> = { spec: { ...spec, hostHeapLimitMB: hostHeapMB() ?? "node default", machine: { cpus: cpus().length, node: process.version } } };
  let emulators: Emulators | undefined;
  let host: HostChild | undefined;
  const guard = guardBench(partial, spec.watchdogMs, () => ({ host, emulators }));

  try {
    const { partnerId } = spec;
    const today = day(0);
    // ---- data: signals dropped as of yesterday, so today's update drop is a second snapshot, not a replacement
    let t0 = performance.now();
    const files = propensityDropFiles({ tenants: spec.tenants, signals: spec.signals, asOf: today, seed: spec.seed }).map((f) =>
      f.dataset === "signals" ? { ...f, fileName: `signals_${day(-1)}.csv` } : f,
    );
    const drop = files.map((f) => ({ ...f, rows: dataRows(f.text), gzip: gzipSync(Buffer.from(f.text)) }));
    partial.drop = {
      generateAndGzipMs: elapsedSince(t0),
      files: drop.map((d) => ({ file: `${d.dataset}/${d.fileName}`, rows: d.rows, gzipMB: round(mb(d.gzip.byteLength), 2) })),
    };

    emulators = await startEmulators();
    const config = loadConfig(emulators.settings);
    const clients = createClients(config);
    await ensureResources(config, clients);
    const deps = wire({ config, clients });
    await deps.partners.register(partnerId, "Propensity bench partner");
    host = await startHostChild(emulators.settings, profileDir);
    const { key } = await deps.api.auth.issue({ partnerId, role: "reportViewer", name: "bench" });
    const api = (path: string) => fetch(`${host!.baseUrl}/api/${path}`, { headers: { "x-api-key": key }, signal: AbortSignal.timeout(120_000) });
    const drops = clients.blobs.getContainerClient(names.blobContainers.drops);
    const upload = (files: (PropensityDropFile & { gzip: Buffer })[]) =>
      Promise.all(
        files.map((d) =>
          drops.getBlockBlobClient(`${partnerId}/${d.dataset}/${d.fileName}.gz`).uploadData(d.gzip, {
            blobHTTPHeaders: { blobContentType: "text/csv", blobContentEncoding: "gzip" },
          }),
        ),
      );
    const refreshedSince = async (count: number) => {
      const records = await ingestionsOf(clients, partnerId);
      if (records.filter((r) => r.status === "loaded" || r.status === "failed").length < count) return undefined;
      const partner = await readPartner(clients, partnerId);
      const pointer = await deps.api.results.pointer(partnerId, "propensity");
      const covered = partner?.dataVersion !== undefined && pointer?.dataVersion !== undefined && pointer.dataVersion >= partner.dataVersion;
      return covered ? { records, pointer: pointer! } : undefined;
    };

    // ---- drop → ingest → refresh → the propensity tab ------------------------------------------
    const landing = performance.now();
    const landingEpoch = Date.now();
    await upload(drop);
    const first = await waitFor("the drop to be ingested and the propensity tab refreshed", spec.pipelineTimeoutMs, () => refreshedSince(drop.length), 100);
    const dropToRefreshedMs = elapsedSince(landing);
    const failed = first.records.filter((r) => r.status === "failed");
    if (failed.length) throw new Error(`ingestion failed: ${failed.map((r) => `${r.dataset}: ${r.reason}`).join("; ")}`);
    const lastLoadedMs = Math.max(...first.records.map((r) => Date.parse(r.finishedAt ?? r.receivedAt) - landingEpoch));
    const summary = (await (await api("propensity/summary")).json()) as {
      report: { fit: { basis: string; chosenLearner?: string; validationAuc?: number; bestCustomers: number; reused: boolean }; intent: Record<string, unknown>; messages: string[] };
      clusters: unknown;
      families: unknown;
    };
    partial.firstDrop = {
      dropToRefreshedMs,
      ingestedMs: lastLoadedMs,
      refreshAfterIngestMs: dropToRefreshedMs - lastLoadedMs,
      ingestions: first.records.map((r) => ({ file: r.fileName, rows: r.counts.rows, loaded: r.counts.loaded, rejected: r.counts.rejected, documents: r.counts.documents })),
      fit: summary.report.fit,
      clusters: summary.clusters,
      families: summary.families,
    };

    // ---- a signals-only drop: intent rescored, the fit model reused ------------------------------
    const update = propensityDropFiles({ tenants: spec.tenants, signals: spec.updateSignals, asOf: today, seed: spec.seed + 1 })
      .filter((f) => f.dataset === "signals")
      .map((f) => ({ ...f, gzip: gzipSync(Buffer.from(f.text)) }));
    const updateLanding = performance.now();
    await upload(update);
    const second = await waitFor("the signals update to reach the propensity tab", spec.pipelineTimeoutMs, () => refreshedSince(drop.length + 1), 100);
    const signalsDropToRefreshedMs = elapsedSince(updateLanding);
    const afterUpdate = (await (await api("propensity/summary")).json()) as {
      report: { fit: { reused: boolean }; intent: { staged: number; repeated: number; pastHorizon: number; read: number } };
    };

    // ---- queries and export ------------------------------------------------------------------------
    t0 = performance.now();
    const firstPage = (await (await api("propensity?cluster=Act%20now&pageSize=50")).json()) as { items: unknown[] };
    const firstPageMs = elapsedSince(t0);
    const listLoad = await runLoad(spec.queryClients, spec.queryWindowMs, async () => {
      const response = await api("propensity?cluster=Act%20now&pageSize=50");
      if (response.status !== 200) throw new Error(`list answered ${response.status}`);
      await drain(response);
    });
    t0 = performance.now();
    const exportResponse = await api("propensity/export");
    if (exportResponse.status !== 200) throw new Error(`export answered ${exportResponse.status}`);
    const exportBytes = await drain(exportResponse);
    const exportMs = elapsedSince(t0);

    const memory = await host.request<{ peakRssBytes: number; maxRssBytes: number; peakHeapUsedBytes: number }>("stop", "stopped");
    await new Promise<void>((resolve) => (host!.child.exitCode !== null ? resolve() : host!.child.once("exit", () => resolve())));
    const hostProfile = profileDir ? summariseCpuProfile(profileDir) : undefined;

    // ---- floors: the domain alone on the same inputs, the emulator alone on the same documents --------
    const { inputs } = generatePropensityPartner({ tenants: spec.tenants, signals: spec.signals, asOf: today, seed: spec.seed });
    t0 = performance.now();
    const computed = scorePropensity(inputs);
    const computeMs = elapsedSince(t0);
    t0 = performance.now();
    const staged = await readPartnerDocuments(clients.containers.partnerData, partnerId);
    const readMs = elapsedSince(t0);
    const resultDocs = await readPartnerDocuments(clients.containers.results, partnerId, {
      where: "c.resultSetId = @resultSetId",
      parameters: [{ name: "@resultSetId", value: second.pointer.resultSetId }],
    });
    const writeFloor = await bulkUpsertFloor(clients.containers.results, resultDocs, `${partnerId}-floor`);

    const met = dropToRefreshedMs < targets.dropToRefreshedMs;
    return {
      ...partial,
      figures: {
        dropToRefreshedMs,
        signalsDropToRefreshedMs,
        signalsDropFitReused: afterUpdate.report.fit.reused,
        signalsAfterUpdate: (({ staged, repeated, pastHorizon, read }) => ({ staged, repeated, pastHorizon, read }))(afterUpdate.report.intent),
        listFirstPage: { ms: firstPageMs, rows: firstPage.items.length },
        listQuery: listLoad,
        export: { bytes: exportBytes, ms: exportMs, MBps: round(mb(exportBytes) / (exportMs / 1000), 2) },
        hostPeakRssMB: round(mb(Math.max(memory.peakRssBytes, memory.maxRssBytes))),
        hostPeakHeapUsedMB: round(mb(memory.peakHeapUsedBytes)),
        loadAverage: loadavg().map((x) => round(x, 2)),
      },
      floors: {
        // The refresh's computation alone (fit trained, everything scored), in this process.
        computeMs,
        customers: computed.customers.length,
        readStagedDocuments: { documents: staged.length, ms: readMs },
        writeResultDocuments: writeFloor,
        refreshIoMs: readMs + writeFloor.ms,
      },
      targets: { dropToRefreshedUnder60s: { actualMs: dropToRefreshedMs, limitMs: targets.dropToRefreshedMs, met }, met },
      ...(hostProfile ? { hostProfile } : {}),
    };
  } catch (err) {
    return guard.failed(err);
  } finally {
    await guard.finish();
  }
}

const result = await main();
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
if ("error" in result) process.exitCode = 1;
