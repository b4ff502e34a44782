import { gzipSync } from "node:zlib";
import { dealsSnapshotCsv, generateCrmHistory } from "../local/demoData/deals.js";
import { startEmulators, type Emulators } from "../local/emulators.js";
import { createClients, ensureResources, type Clients } from "../shared/adapters/clients.js";
import { loadConfig, names } from "../shared/config.js";
import { ingestionDocSchema, partnerDocSchema, type IngestionDoc } from "../shared/domain/documents.js";
import type { ResultPointerDoc } from "../shared/domain/results.js";
import { wire } from "../shared/wiring.js";
import { runEngineBench } from "./dealScoring.js";
import { bulkUpsertFloor, readPartnerDocuments } from "./floors.js";
import { hostHeapMB, startHostChild, guardBench, type HostChild } from "./hostChild.js";
import { mb, round, waitFor } from "./stats.js";

// npm run bench:deals — the deal scoring speed targets of issue 8 (50,000 closed and 10,000 open deals):
// 1. engine: training and rescoring in this process, CPU only (bench/dealScoring.ts);
// 2. service: the same deals dropped as three monthly CRM snapshots into the local pipeline (emulators, the
//    functions host in a child process): a model created, trained (202 at once, then the queue job) and
//    published over HTTP, then a new deals drop → every open deal rescored. Each figure is printed beside its
//    floor: what the emulator itself costs to read the deals and write the scores (SDK only, same run).
// Targets: training under 30 s, rescoring after a drop under 10 s. Loopback only; stops by itself.

const spec = {
  closedDeals: Number(process.env.BENCH_CLOSED_DEALS ?? 50_000),
  openDeals: Number(process.env.BENCH_OPEN_DEALS ?? 10_000),
  partnerId: "bench-deals",
  timeoutMs: 300_000,
  watchdogMs: 15 * 60_000,
};
const targets = { trainSeconds: 30, rescoreSeconds: 10 };
const elapsedSince = (t0: number) => Math.round(performance.now() - t0);

async function ingestions(clients: Clients, partnerId: string): Promise<IngestionDoc[]> {
  const { resources } = await clients.containers.ingestions.items
    .query({ query: "SELECT * FROM c WHERE c.partnerId = @p AND c.type = 'ingestion'", parameters: [{ name: "@p", value: partnerId }] }, { partitionKey: partnerId })
    .fetchAll();
  return resources.map((r) => ingestionDocSchema.parse(r));
}

async function main(): Promise<Record<string, unknown>> {
  const partial: Record<string, unknown> = { spec: { ...spec, hostHeapLimitMB: hostHeapMB() ?? "node default" } };
  let emulators: Emulators | undefined;
  let host: HostChild | undefined;
  const guard = guardBench(partial, spec.watchdogMs, () => ({ host, emulators }));

  try {
    // ---- 1. engine alone ------------------------------------------------------------------------
    partial.engine = runEngineBench({ closedDeals: spec.closedDeals, openDeals: spec.openDeals, perStage: false });

    // ---- 2. the service ----------------------------------------------------------------------
    const { partnerId } = spec;
    const now = new Date();
    let t0 = performance.now();
    const crm = generateCrmHistory({ seed: 2026, now, closedDeals: spec.closedDeals, openDeals: spec.openDeals, snapshots: 2 });
    const files = crm.snapshots.map((s) => {
      const csv = dealsSnapshotCsv(s);
      return { name: `${partnerId}/deals/deals-${s.takenAt.slice(0, 10)}.csv.gz`, rows: s.rows.length, csvMB: round(mb(Buffer.byteLength(csv))), gzip: gzipSync(Buffer.from(csv)) };
    });
    const openInNewest = crm.snapshots.at(-1)!.rows.filter((r) => r.status === "Open").length;
    partial.drops = { generateMs: elapsedSince(t0), files: files.map((f) => ({ name: f.name, rows: f.rows, csvMB: f.csvMB, gzipMB: round(mb(f.gzip.byteLength)) })), openInNewest };

    emulators = await startEmulators();
    const config = loadConfig(emulators.settings);
    const clients = createClients(config);
    await ensureResources(config, clients);
    const deps = wire({ config, clients });
    host = await startHostChild(emulators.settings);
    await deps.partners.register(partnerId, "Deal scoring bench partner");
    const { key } = await deps.api.auth.issue({ partnerId, role: "administrator", name: "bench" });
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${host!.baseUrl}/api/${path}`, {
        method,
        headers: { "x-api-key": key, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(120_000),
      });
      return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
    };
    const dealsPointer = () => deps.api.results.pointer(partnerId, "dealScores");
    const drops = clients.blobs.getContainerClient(names.blobContainers.drops);
    const upload = (f: (typeof files)[number]) => drops.getBlockBlobClient(f.name).uploadData(f.gzip, { blobHTTPHeaders: { blobContentType: "text/csv", blobContentEncoding: "gzip" } });
    const refreshed = async () => {
      const { resource } = await clients.containers.partners.item("partner", partnerId).read();
      const partner = resource ? partnerDocSchema.parse(resource) : undefined;
      return partner?.dataVersion !== undefined && partner.refreshedDataVersion !== undefined && partner.refreshedDataVersion >= partner.dataVersion ? partner : undefined;
    };

    // The history before the model: the two older snapshots, ingested and refreshed.
    t0 = performance.now();
    for (const f of files.slice(0, -1)) await upload(f);
    await waitFor("the first two deals drops to load", spec.timeoutMs, async () => {
      const done = (await ingestions(clients, partnerId)).filter((r) => r.status === "loaded" || r.status === "failed");
      if (done.some((r) => r.status === "failed")) throw new Error(`a deals drop failed: ${done.map((r) => r.reason).join("; ")}`);
      return done.length === 2 ? done : undefined;
    });
    await waitFor("the refresh of the first drops", spec.timeoutMs, refreshed);
    partial.history = { twoDropsLoadedAndRefreshedMs: elapsedSince(t0) };

    // A model over HTTP: create, train (202, then the queue job), publish (→ rescoring).
    t0 = performance.now();
    const created = await api("POST", "deal-models", { name: "BenchScoring" });
    const createAnswerMs = elapsedSince(t0);
    if (created.status !== 201) throw new Error(`create answered ${created.status}: ${JSON.stringify(created.body)}`);
    const modelId = created.body.modelId as string;
    t0 = performance.now();
    const train = await api("POST", `deal-models/${modelId}/train`);
    const trainAnswerMs = elapsedSince(t0);
    if (train.status !== 202) throw new Error(`train answered ${train.status}: ${JSON.stringify(train.body)}`);
    const trained = await waitFor("the training job", spec.timeoutMs, async () => {
      const model = (await api("GET", `deal-models/${modelId}`)).body;
      return model.state !== "training" ? model : undefined;
    }, 250);
    const trainWallMs = elapsedSince(t0);
    const v1 = trained.versions[0];
    if (trained.state !== "trained") throw new Error(`training ended ${trained.state}: ${JSON.stringify(v1.failure)}`);
    const trainingLog = ((await host.request<{ lines: string[] }>("logs", "logs")).lines ?? []).find((l) => l.includes("deal training"));
    const trainingEngineSeconds = Number(/trained in ([\d.]+) s/.exec(trainingLog ?? "")?.[1] ?? NaN);
    const trainingJobSeconds = Number(/job ([\d.]+) s/.exec(trainingLog ?? "")?.[1] ?? NaN);
    partial.training = {
      createAnswerMs,
      trainAnswerMs,
      // The queue job: reading every deal of the live snapshots, training and testing, storing the artifact.
      jobSeconds: trainingJobSeconds,
      engineSeconds: trainingEngineSeconds,
      requestToTrainedSeenMs: trainWallMs,
      trainDeals: v1.performance.train.deals,
      testDeals: v1.performance.test.deals,
      testAuc: v1.performance.auc,
      readiness: v1.readiness.readiness,
      learner: v1.performance.learner,
    };
    t0 = performance.now();
    const published = await api("POST", `deal-models/${modelId}/publish`);
    if (published.status !== 200) throw new Error(`publish answered ${published.status}: ${JSON.stringify(published.body)}`);
    const firstScores = await waitFor("the rescoring after publishing", spec.timeoutMs, async () => {
      const summary = (await api("GET", "deal-scores/summary")).body;
      return summary.status === "ready" && summary.scored > 0 ? summary : undefined;
    }, 100);
    partial.publish = { publishToScoresServedMs: elapsedSince(t0), scored: firstScores.scored };

    // ---- a new deals drop → every open deal rescored -------------------------------------------
    const before = (await dealsPointer())!;
    const newest = files.at(-1)!;
    const landing = performance.now();
    const landingEpoch = Date.now();
    await upload(newest);
    const after: ResultPointerDoc = await waitFor("the rescoring after the drop", spec.timeoutMs, async () => {
      const p = await dealsPointer();
      const partner = await refreshed();
      return p && p.resultSetId !== before.resultSetId && partner && p.dataVersion === partner.dataVersion ? p : undefined;
    }, 100);
    const dropToRescoredMs = elapsedSince(landing);
    const record = (await ingestions(clients, partnerId)).find((r) => r.blobPath.endsWith(newest.name.split("/").pop()!))!;
    const loadedAt = Date.parse(record.finishedAt!);
    const logs = (await host.request<{ lines: string[] }>("logs", "logs")).lines ?? [];
    const producerLine = logs.filter((l) => l.includes(`refresh ${partnerId} dealScores:`)).pop() ?? "";
    const producerMs = Number(/ in (\d+) ms/.exec(producerLine)?.[1] ?? NaN);
    const summary = (await api("GET", "deal-scores/summary")).body;
    const memory = await host.request<{ peakRssBytes: number; maxRssBytes: number }>("stop", "stopped");
    await new Promise<void>((resolve) => (host!.child.exitCode !== null ? resolve() : host!.child.once("exit", () => resolve())));

    // ---- floors: the emulator alone reading the same documents and writing the same scores ----------
    // Training reads every deal document of the live snapshots, one query per snapshot at once (as the service
    // does: the emulator pays per page of a long query).
    const dealIngestions = (await ingestions(clients, partnerId)).filter((r) => r.dataset === "deals" && r.status === "loaded").map((r) => r.id);
    t0 = performance.now();
    const dealDocs = (
      await Promise.all(
        dealIngestions.map((id) => readPartnerDocuments(clients.containers.partnerData, partnerId, { where: "c.type = 'deal' AND c.ingestionId = @i", parameters: [{ name: "@i", value: id }] })),
      )
    ).flat();
    const readAllDealsMs = elapsedSince(t0);
    // Rescoring reads the deals some model could score (not Won or Lost) and the score histories.
    t0 = performance.now();
    const openDocs = await readPartnerDocuments(clients.containers.partnerData, partnerId, {
      where: "c.type = 'deal' AND NOT ARRAY_CONTAINS(@closed, c.status)",
      parameters: [{ name: "@closed", value: ["Won", "Lost"] }],
    });
    const historyDocs = await readPartnerDocuments(clients.containers.partners, partnerId, { where: "c.type = 'dealScoreHistory'", parameters: [] });
    const readForRescoreMs = elapsedSince(t0);
    const rowDocs = await readPartnerDocuments(clients.containers.results, partnerId, { where: "c.resultSetId = @rs", parameters: [{ name: "@rs", value: after.resultSetId }] });
    const writeRows = await bulkUpsertFloor(clients.containers.results, rowDocs, `${partnerId}-floor`);
    const writeHistories = await bulkUpsertFloor(clients.containers.partners, historyDocs, `${partnerId}-floor`);

    const rescoreAfterLoadMs = Date.parse(after.refreshedAt) - loadedAt;
    const service = {
      dropRows: newest.rows,
      ingestLandingToLoadedMs: loadedAt - landingEpoch,
      rescoreAfterLoadMs,
      dealScoresProducerMs: producerMs,
      dropToRescoredMs,
      scored: summary.scored,
      hostPeakRssMB: round(mb(Math.max(memory.peakRssBytes, memory.maxRssBytes))),
      producerLog: producerLine,
    };
    const floors = {
      trainingRead: { documents: dealDocs.length, ms: readAllDealsMs },
      rescoreRead: { documents: openDocs.length + historyDocs.length, ms: readForRescoreMs },
      writeScoreRows: writeRows,
      writeScoreHistories: writeHistories,
      rescoreIoMs: readForRescoreMs + writeRows.ms + writeHistories.ms,
    };
    const engine = partial.engine as { trainSeconds: number; scoreSeconds: number };
    const checks = {
      trainingUnder30s: {
        engineSeconds: engine.trainSeconds,
        serviceJobSeconds: trainingJobSeconds,
        floorReadSeconds: round(readAllDealsMs / 1000),
        limitSeconds: targets.trainSeconds,
        met: engine.trainSeconds < targets.trainSeconds && trainingJobSeconds < targets.trainSeconds,
      },
      rescoringUnder10s: {
        engineSeconds: engine.scoreSeconds,
        serviceProducerSeconds: round(producerMs / 1000),
        floorIoSeconds: round(floors.rescoreIoMs / 1000),
        limitSeconds: targets.rescoreSeconds,
        met: engine.scoreSeconds < targets.rescoreSeconds && producerMs < targets.rescoreSeconds * 1000,
      },
    };
    return { ...partial, service, floors, targets: { ...checks, met: Object.values(checks).every((c) => c.met) } };
  } catch (err) {
    return guard.failed(err);
  } finally {
    await guard.finish();
  }
}

const result = await main();
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
if ("error" in result) process.exitCode = 1;
