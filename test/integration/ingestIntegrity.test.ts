import { InvocationContext, type Timer } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeIngestQueuedHandler, makeSweepDropsHandler } from "../../functions/ingest.js";
import { cloudEndpointsRowQuery } from "../../shared/api/cloudEndpoints.js";
import { cloudEndpointsListQuerySchema } from "../../shared/api/cloudEndpoints.js";
import { readTabPage } from "../../shared/api/tabReads.js";
import { names } from "../../shared/config.js";
import { ingestDrop, type IngestDeps } from "../../shared/ingest/ingestDrop.js";
import { resolveLiveSet } from "../../shared/ingest/liveSet.js";
import { refreshPartner } from "../../shared/refresh/refreshPartner.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";

// A drop is all or nothing, a newer version wins whole, and nothing is stranded: ingestions that fail, crash,
// are poisoned or race each other never show half a file, and the sweep finishes what deliveries left.

const t = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
let env: TestEnvironment;
let deps: IngestDeps;
let seq = 0;
const nextPartner = () => `integrity-${++seq}-${Date.now().toString(36)}`;
const leaseMs = 1_000;

beforeAll(async () => {
  env = await startTestEnvironment({ INGEST_LEASE_SECONDS: "1", INGEST_MAX_ATTEMPTS: "3" });
  deps = env.deps.ingest;
});
afterAll(async () => {
  await env?.stop();
});

const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };
const quiet = () => new InvocationContext({ functionName: "test", logHandler: () => {} });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const drops = () => env.clients.blobs.getContainerClient(names.blobContainers.drops);

async function upload(path: string, content: string) {
  const res = await drops().getBlockBlobClient(path).upload(content, Buffer.byteLength(content));
  return { blobPath: `drops/${path}`, content: Buffer.from(content), etag: res.etag!, writtenAt: res.lastModified! };
}

function tenantsCsv(ids: number[]): string {
  return ["tenantId,tenantName,segment,cspAssociation", ...ids.map((n) => `${t(n)},Tenant ${n},Enterprise,Yes`)].join("\n");
}
function subscriptionsCsv(ids: number[], seats = 700): string {
  return ["tenantId,sku,quantity,status", ...ids.map((n) => `${t(n)},SPE_E5,${seats},Active`)].join("\n");
}
function usageCsv(ids: number[], intuneMau: number): string {
  return ["tenantId,month,workload,assignedUsers,activeUsers", ...ids.map((n) => `${t(n)},2025-05,Intune,700,${intuneMau}`)].join("\n");
}

/** Three committed drops: every tenant visible on Cloud Endpoints. */
async function baseline(partnerId: string, ids: number[]) {
  await env.deps.partners.register(partnerId, partnerId);
  for (const [dataset, csv] of [
    ["tenants", tenantsCsv(ids)],
    ["subscriptions", subscriptionsCsv(ids)],
    ["usage", usageCsv(ids, 600)],
  ] as const) {
    const outcome = await ingestDrop(deps, await upload(`${partnerId}/${dataset}/${dataset}_2025-06-01.csv`, csv));
    expect(outcome.status).toBe("loaded");
  }
}

/** The partner's Cloud Endpoints rows after a refresh: tenant id → Intune MAU. */
async function visibleRows(partnerId: string): Promise<Map<string, number>> {
  await refreshPartner(env.deps.refresh, partnerId);
  const query = cloudEndpointsListQuerySchema.parse({ pageSize: "500" });
  const page = await readTabPage(env.deps.api, partnerId, cloudEndpointsRowQuery(query), query);
  return new Map((page.docs as { tenantId: string; intuneMau: number }[]).map((r) => [r.tenantId, r.intuneMau]));
}

async function record(partnerId: string, id: string) {
  return env.deps.api.ingestions.get(partnerId, id);
}

describe("a drop is all or nothing", () => {
  it("shows nothing of a drop whose archive step keeps failing, and ends it failed with the file kept in rejected/", async () => {
    const partnerId = nextPartner();
    const ids = [1, 2, 3, 4, 5];
    await baseline(partnerId, ids);
    const before = await visibleRows(partnerId);
    expect([...before.values()]).toEqual([600, 600, 600, 600, 600]);

    // Every row of the new usage file is staged, then archiving to processed/ fails: three deliveries, all fail.
    const failingArchive: IngestDeps = {
      ...deps,
      drops: { ...deps.drops, archive: (target, ...rest) => (target === "processed" ? Promise.reject(new Error("archive unavailable")) : deps.drops.archive(target, ...rest)) },
    };
    const blob = await upload(`${partnerId}/usage/usage_2025-06-02.csv`, usageCsv(ids, 100));
    for (let i = 0; i < 3; i++) await expect(ingestDrop(failingArchive, blob)).rejects.toThrow("archive unavailable");
    const live = resolveLiveSet(await env.deps.refresh.data.loadedIngestions(partnerId));
    expect(live.usageDrops).toHaveLength(1);
    expect(await visibleRows(partnerId)).toEqual(before);

    // The next delivery is past the limit: the drop ends failed, with its reason, and the file moves to rejected/.
    const last = await ingestDrop(deps, blob);
    expect(last.status).toBe("failed");
    const failed = await record(partnerId, last.ingestionId!);
    expect(failed).toMatchObject({ status: "failed", reason: expect.stringContaining("could not be ingested after 3 attempts") });
    expect(failed?.archivedTo).toMatch(/^rejected\//);
    expect(await drops().getBlobClient(blob.blobPath.slice("drops/".length)).exists()).toBe(false);
    expect(await visibleRows(partnerId)).toEqual(before);
    // Its staged rows are removed by the refresh that follows.
    const { resources } = await env.clients.containers.partnerData.items
      .query({ query: "SELECT c.id FROM c WHERE c.partnerId = @p AND c.ingestionId = @i", parameters: [{ name: "@p", value: partnerId }, { name: "@i", value: last.ingestionId! }] })
      .fetchAll();
    expect(resources).toEqual([]);
  });

  it("shows nothing of a drop whose delivery died midway; the sweep hands it to a new delivery that commits it whole", async () => {
    const partnerId = nextPartner();
    const ids = [1, 2, 3, 4, 5, 6];
    await baseline(partnerId, ids);
    const before = await visibleRows(partnerId);

    // A delivery that stages the first two tenants and then never returns (a killed host): no release, no commit,
    // and no sign of life after its start (its frozen clock stands for heartbeats that stopped).
    let writes = 0;
    const diedAt = new Date();
    const dying: IngestDeps = {
      ...deps,
      clock: () => diedAt,
      batching: { maxTenants: 2, maxRows: 2 },
      staging: { ...deps.staging, writeDocs: (p, docs) => (++writes > 1 ? new Promise<string[]>(() => {}) : deps.staging.writeDocs(p, docs)) },
    };
    const blob = await upload(`${partnerId}/usage/usage_2025-06-02.csv`, usageCsv(ids, 50));
    void ingestDrop(dying, blob);
    await expect.poll(() => writes, { timeout: 5_000 }).toBeGreaterThan(1);
    expect(await visibleRows(partnerId)).toEqual(before);

    // A redelivery while its lease runs is told it is in progress; once the lease has run out, the sweep queues it.
    expect(await ingestDrop(deps, blob)).toMatchObject({ status: "skipped", reason: "in progress in another delivery" });
    await sleep(leaseMs + 1_200);
    const queue = env.clients.queues.getQueueClient(names.queues.ingest);
    await queue.clearMessages();
    await makeSweepDropsHandler(env.deps.sweep)(timer, quiet());
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32 });
    const jobs = receivedMessageItems.map((m) => Buffer.from(m.messageText, "base64").toString());
    const job = jobs.map((j) => JSON.parse(j)).find((j) => j.blobPath === blob.blobPath);
    expect(job).toBeDefined();
    await makeIngestQueuedHandler(env.deps.ingestQueue)(JSON.stringify(job), quiet());

    const after = await visibleRows(partnerId);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    expect([...after.values()]).toEqual(ids.map(() => 50));
  });
});

describe("a newer version wins, whole", () => {
  it("drops the tenants a same-name overwrite no longer has", async () => {
    const partnerId = nextPartner();
    await baseline(partnerId, [1, 2, 3, 4, 5]);
    expect((await visibleRows(partnerId)).size).toBe(5);
    const path = `${partnerId}/tenants/tenants_2025-06-01.csv`;
    expect((await ingestDrop(deps, await upload(path, tenantsCsv([1, 2])))).status).toBe("loaded");
    expect([...(await visibleRows(partnerId)).keys()].sort()).toEqual([t(1), t(2)]);
  });

  it("keeps the newer of two versions whichever finishes last, and never mixes them", async () => {
    const partnerId = nextPartner();
    const ids = Array.from({ length: 40 }, (_, i) => i + 1);
    await baseline(partnerId, ids);
    const path = `${partnerId}/usage/usage_2025-06-02.csv`;
    const older = await upload(path, usageCsv(ids, 111));
    await sleep(1_100); // Last-Modified has whole seconds: the versions are written in two different seconds.
    const newer = await upload(path, usageCsv(ids, 222));
    // The newer version commits first; the older one (delivered late, slowly) commits after it.
    expect((await ingestDrop(deps, newer)).status).toBe("loaded");
    expect((await ingestDrop({ ...deps, batching: { maxTenants: 3, maxRows: 3 } }, older)).status).toBe("loaded");
    const rows = await visibleRows(partnerId);
    expect(new Set(rows.values())).toEqual(new Set([222]));
  });
});

describe("nothing is stranded: the sweep", () => {
  it("queues a drop its trigger never delivered and moves a blob with an unreadable path aside with the reason", async () => {
    const partnerId = nextPartner();
    await env.deps.partners.register(partnerId, partnerId);
    const missed = await upload(`${partnerId}/tenants/missed.csv`, tenantsCsv([1]));
    await upload(`${partnerId}-stray.csv`, "no folders at all");
    await sleep(leaseMs + 1_200);
    const queue = env.clients.queues.getQueueClient(names.queues.ingest);
    await queue.clearMessages();
    await makeSweepDropsHandler(env.deps.sweep)(timer, quiet());
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32 });
    const job = receivedMessageItems.map((m) => JSON.parse(Buffer.from(m.messageText, "base64").toString())).find((j) => j.blobPath === missed.blobPath);
    expect(job).toBeDefined();
    await makeIngestQueuedHandler(env.deps.ingestQueue)(job, quiet());
    const page = await env.deps.api.ingestions.page(partnerId, 10);
    expect(page.items.map((r) => [r.fileName, r.status])).toEqual([["missed.csv", "loaded"]]);

    expect(await drops().getBlobClient(`${partnerId}-stray.csv`).exists()).toBe(false);
    const aside = env.clients.blobs.getContainerClient("rejected").getBlobClient(`_unrecognised/${partnerId}-stray.csv`);
    const props = await aside.getProperties();
    expect(decodeURIComponent(props.metadata?.reason ?? "")).toContain("not drops/{partnerId}/{dataset}/{fileName}");
  });

  it("ends failed a stalled ingestion whose blob version is gone (replaced or deleted)", async () => {
    const partnerId = nextPartner();
    const blob = await upload(`${partnerId}/tenants/gone.csv`, tenantsCsv([1]));
    // A delivery that dies right after claiming the record (no sign of life after its start).
    const diedAt = new Date();
    void ingestDrop({ ...deps, clock: () => diedAt, staging: { ...deps.staging, writeDocs: () => new Promise<string[]>(() => {}) } }, blob);
    await expect.poll(async () => (await env.deps.api.ingestions.page(partnerId, 5)).items[0]?.status, { timeout: 5_000 }).toBe("validating");
    await drops().getBlobClient(`${partnerId}/tenants/gone.csv`).delete();
    await sleep(leaseMs + 1_200);
    await makeSweepDropsHandler(env.deps.sweep)(timer, quiet());
    const [closed] = (await env.deps.api.ingestions.page(partnerId, 5)).items;
    expect(closed).toMatchObject({ status: "failed", reason: expect.stringContaining("replaced or deleted before it could be ingested") });
  });

  it("rejects a queued drop over the size limit by its size, without reading it, and keeps it in rejected/", async () => {
    const small = { ...env.deps.ingestQueue, ingest: { ...env.deps.ingest, limits: { ...env.deps.ingest.limits, maxBytes: 64 } } };
    const partnerId = nextPartner();
    const blob = await upload(`${partnerId}/tenants/big.csv`, tenantsCsv([1, 2, 3, 4]));
    await makeIngestQueuedHandler(small)({ blobPath: blob.blobPath, etag: blob.etag }, quiet());
    const [rec] = (await env.deps.api.ingestions.page(partnerId, 5)).items;
    expect(rec).toMatchObject({ status: "failed", reason: expect.stringMatching(/^file is \d+ bytes, over the limit of 64 bytes$/) });
    const kept = await env.clients.blobs.getContainerClient("rejected").getBlobClient(rec.archivedTo!.slice("rejected/".length)).downloadToBuffer();
    expect(kept.toString()).toBe(blob.content.toString());
  });
});
