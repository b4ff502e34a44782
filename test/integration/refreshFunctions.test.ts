import { InvocationContext, type Timer } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRefreshPartnerHandler, makeScheduleRefreshesHandler } from "../../functions/refresh.js";
import { createRefreshQueue } from "../../shared/adapters/storage/queues.js";
import { names } from "../../shared/config.js";
import { partnerDocSchema } from "../../shared/domain/documents.js";
import { resultIds } from "../../shared/domain/results.js";
import { ingestionIdFor } from "../../shared/ingest/dropFile.js";
import { refreshJobSchema, type RefreshJob } from "../../shared/ports/refreshQueue.js";
import { RefreshConflictError, type RefreshDeps } from "../../shared/refresh/refreshPartner.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";
import { seedCommittedDrop } from "../support/partnerDataSeed.js";

// The timer and queue functions, called as the host calls them (real emulators, real queue).

let env: TestEnvironment;
let deps: RefreshDeps & { failures: typeof env.deps.partners };

beforeAll(async () => {
  env = await startTestEnvironment();
  // The Cloud Endpoints tab alone: these tests count its pointer switches and summaries.
  deps = { ...env.deps.refresh, producers: env.deps.refresh.producers.filter((p) => p.tab === "cloudEndpoints"), failures: env.deps.partners };
});
const listPartnerRegistry = () => ({ listForSchedule: () => env.deps.partners.listForSchedule() });
const pointerId = resultIds.pointer("cloudEndpoints");
afterAll(async () => {
  await env?.stop();
});

const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };

function context(invocationId = "test-invocation") {
  const logs: { level: string; text: string }[] = [];
  const ctx = new InvocationContext({
    functionName: "test",
    invocationId,
    logHandler: (level, ...args) => logs.push({ level, text: args.map((a) => (a instanceof Error ? a.message : String(a))).join(" ") }),
  });
  return { ctx, logs };
}

async function putPartner(partnerId: string, fields: Record<string, unknown>) {
  await env.clients.containers.partners.items.upsert(partnerDocSchema.parse({ id: "partner", partnerId, type: "partner", ...fields }));
}

async function drainQueue(): Promise<RefreshJob[]> {
  const queue = env.clients.queues.getQueueClient(names.queues.refresh);
  const jobs: RefreshJob[] = [];
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32 });
    if (receivedMessageItems.length === 0) return jobs;
    for (const m of receivedMessageItems) {
      jobs.push(refreshJobSchema.parse(JSON.parse(Buffer.from(m.messageText, "base64").toString())));
      await queue.deleteMessage(m.messageId, m.popReceipt);
    }
  }
}

describe("scheduleRefreshes timer", () => {
  it("enqueues a job for each partner whose data changed, and for every active partner in the daily slot", async () => {
    await putPartner("sched-changed", { dataVersion: "2024-06-02T10:00:00Z", refreshedDataVersion: "2024-06-01T10:00:00Z" });
    await putPartner("sched-current", { dataVersion: "2024-06-02T10:00:00Z", refreshedDataVersion: "2024-06-02T10:00:00Z" });
    await putPartner("sched-gone", { dataVersion: "2024-06-02T10:00:00Z", offboardedAt: "2024-06-01T00:00:00Z" });
    await drainQueue();
    const partners = listPartnerRegistry();
    const queue = createRefreshQueue(env.clients.queues);

    const { ctx } = context();
    await makeScheduleRefreshesHandler({ partners, queue, now: () => new Date("2024-06-02T12:05:00Z") })(timer, ctx);
    expect((await drainQueue()).map((j) => [j.partnerId, j.reason])).toEqual([["sched-changed", "schedule"]]);

    await makeScheduleRefreshesHandler({ partners, queue, now: () => new Date("2024-06-03T02:00:00Z") })(timer, ctx);
    const daily = await drainQueue();
    expect(daily.map((j) => j.partnerId).sort()).toEqual(["sched-changed", "sched-current"]);
    expect(new Set(daily.map((j) => j.reason))).toEqual(new Set(["daily"]));
  });

  it("fails the invocation (logged) when the partner registry cannot be read", async () => {
    const { ctx, logs } = context();
    const failing = makeScheduleRefreshesHandler({
      partners: { listForSchedule: () => Promise.reject(new Error("registry unavailable")) },
      queue: createRefreshQueue(env.clients.queues),
    });
    await expect(failing(timer, ctx)).rejects.toThrow("registry unavailable");
    expect(logs.some((l) => l.level === "error" && l.text.includes("registry unavailable"))).toBe(true);
  });
});

async function seedOneTenant(partnerId: string) {
  const tenantId = "11111111-2222-4333-8444-555555555555";
  await putPartner(partnerId, { dataVersion: "2024-06-02T10:00:00.000Z", datasets: {} });
  const asOf = "2024-06-01";
  await seedCommittedDrop(env, partnerId, { ingestionId: `${partnerId}-t`, dataset: "tenants", asOf, docs: [{ id: `tenant:${partnerId}-t:${tenantId}`, type: "tenant", tenantId, tenantName: "Contoso", segment: "Enterprise", cspAssociation: true }] });
  await seedCommittedDrop(env, partnerId, { ingestionId: `${partnerId}-s`, dataset: "subscriptions", asOf, docs: [{ id: `subscriptions:${partnerId}-s:${tenantId}`, type: "subscriptions", tenantId, items: [{ sku: "SPE_E5", quantity: 700 }] }] });
  const may = { Intune: { assignedUsers: 700, activeUsers: 600 } };
  await seedCommittedDrop(env, partnerId, { ingestionId: `${partnerId}-u`, dataset: "usage", asOf, months: ["2024-05"], docs: [{ id: `usage:${partnerId}-u:${tenantId}`, type: "usage", tenantId, months: { "2024-05": may }, latest: { month: "2024-05", workloads: may } }] });
}

describe("refreshPartner queue function", () => {
  it("refreshes the partner named by a valid job and records the refreshed data version", async () => {
    await seedOneTenant("queue-valid");
    const { ctx } = context();
    await makeRefreshPartnerHandler(deps)({ partnerId: "queue-valid", reason: "drop", requestedAt: "2024-06-02T10:00:01Z" }, ctx);
    const { resource: pointer } = await env.clients.containers.results.item(pointerId, "queue-valid").read();
    expect(pointer?.resultSetId).toBeTruthy();
    const { resource: partner } = await env.clients.containers.partners.item("partner", "queue-valid").read();
    expect(partner.refreshedDataVersion).toBe("2024-06-02T10:00:00.000Z");

    // The same drop job delivered again finds nothing new and leaves the pointer alone.
    const again = context();
    await makeRefreshPartnerHandler(deps)(JSON.stringify({ partnerId: "queue-valid", reason: "drop", requestedAt: "2024-06-02T10:00:02Z" }), again.ctx);
    expect(again.logs.some((l) => l.text.includes("skipped (unchanged)"))).toBe(true);
    const { resource: after } = await env.clients.containers.results.item(pointerId, "queue-valid").read();
    expect(after.resultSetId).toBe(pointer.resultSetId);
  });

  it("runs drop jobs for one partner one after another: the later job finds its data covered and skips, nothing is an error", async () => {
    await seedOneTenant("queue-race");
    let switching = 0;
    let maxSwitching = 0;
    const observed: typeof deps = {
      ...deps,
      results: {
        ...deps.results,
        async switchPointer(partnerId, pointer, etag) {
          maxSwitching = Math.max(maxSwitching, ++switching);
          await new Promise((resolve) => setTimeout(resolve, 50));
          try {
            return await deps.results.switchPointer(partnerId, pointer, etag);
          } finally {
            switching--;
          }
        },
      },
    };
    const runs = [context(), context(), context()];
    await Promise.all(
      runs.map(({ ctx }) => makeRefreshPartnerHandler(observed)({ partnerId: "queue-race", reason: "drop", requestedAt: "2024-06-02T10:00:01Z" }, ctx)),
    );
    const logs = runs.flatMap((r) => r.logs);
    expect(logs.filter((l) => l.level === "error" || l.level === "warning")).toEqual([]);
    expect(maxSwitching).toBe(1);
    expect(logs.filter((l) => l.text.includes("skipped (unchanged)"))).toHaveLength(2);
    const { resources } = await env.clients.containers.results.items
      .query({ query: "SELECT c.resultSetId FROM c WHERE c.partnerId = 'queue-race' AND c.type = 'summary'" }, { partitionKey: "queue-race" })
      .fetchAll();
    expect(resources).toHaveLength(1);
  });

  it("logs and drops an invalid message instead of retrying it", async () => {
    for (const message of [{ partnerId: "", reason: "drop" }, "not json", { partnerId: "p1", reason: "whenever", requestedAt: "x" }]) {
      const { ctx, logs } = context();
      await expect(makeRefreshPartnerHandler(deps)(message, ctx)).resolves.toBeUndefined();
      expect(logs.some((l) => l.level === "warning" && l.text.includes("dropped an invalid refresh job"))).toBe(true);
    }
  });

  it("logs and drops a job for a partner that is not registered", async () => {
    const { ctx, logs } = context();
    await makeRefreshPartnerHandler(deps)({ partnerId: "queue-nobody", reason: "manual", requestedAt: "2024-06-02T10:00:00Z" }, ctx);
    expect(logs.some((l) => l.text.includes("unknown partner queue-nobody"))).toBe(true);
  });

  it("fails the invocation (logged) on an unexpected error, so the queue retries it", async () => {
    await seedOneTenant("queue-fail");
    const broken: typeof deps = {
      ...deps,
      results: { ...deps.results, writeDocuments: () => Promise.reject(new Error("results container unavailable")) },
    };
    const { ctx, logs } = context();
    await expect(
      makeRefreshPartnerHandler(broken)({ partnerId: "queue-fail", reason: "manual", requestedAt: "2024-06-02T10:00:00Z" }, ctx),
    ).rejects.toThrow("results container unavailable");
    expect(logs.some((l) => l.level === "error")).toBe(true);
    const { resource } = await env.clients.containers.results.item(pointerId, "queue-fail").read();
    expect(resource).toBeUndefined();
  });

  describe("when refreshes keep failing", () => {
    const failingDeps = (): typeof deps => ({
      ...deps,
      results: { ...deps.results, writeDocuments: () => Promise.reject(new Error("secret-ish detail: results container unavailable")) },
    });
    const readPartner = async (partnerId: string) =>
      partnerDocSchema.parse((await env.clients.containers.partners.item("partner", partnerId).read()).resource);
    const job = (partnerId: string) => ({ partnerId, reason: "manual" as const, requestedAt: "2024-06-02T10:00:00Z" });

    it("records each failed refresh on the partner doc with the invocation id and no error text, and still fails the invocation", async () => {
      await seedOneTenant("fail-record");
      const before = Date.now();
      await expect(makeRefreshPartnerHandler(failingDeps())(job("fail-record"), context("invocation-one").ctx)).rejects.toThrow(
        "results container unavailable",
      );
      const first = await readPartner("fail-record");
      expect(first.refreshFailure).toEqual({ count: 1, lastFailedAt: expect.any(String), reference: "invocation-one" });
      expect(Date.parse(first.refreshFailure!.lastFailedAt)).toBeGreaterThanOrEqual(before);

      await expect(makeRefreshPartnerHandler(failingDeps())(job("fail-record"), context("invocation-two").ctx)).rejects.toThrow();
      const second = await readPartner("fail-record");
      expect(second.refreshFailure).toMatchObject({ count: 2, reference: "invocation-two" });
      expect(JSON.stringify(second)).not.toContain("results container unavailable");
      // The rest of the document (ingest's fields) is kept.
      expect(second.dataVersion).toBe("2024-06-02T10:00:00.000Z");
      expect(second.refreshedDataVersion).toBeUndefined();
    });

    it("lets the timer skip a changed partner whose refresh failed recently and ask again after the wait", async () => {
      await putPartner("fail-backoff", {
        dataVersion: "2024-06-02T10:00:00Z",
        refreshedDataVersion: "2024-06-01T10:00:00Z",
        // Second failure in a row: the timer waits 10 minutes.
        refreshFailure: { count: 2, lastFailedAt: "2024-06-02T12:00:00.000Z", reference: "invocation-backoff" },
      });
      await drainQueue();
      const partners = listPartnerRegistry();
      const queue = createRefreshQueue(env.clients.queues);
      const { ctx } = context();
      await makeScheduleRefreshesHandler({ partners, queue, now: () => new Date("2024-06-02T12:05:00Z") })(timer, ctx);
      expect((await drainQueue()).map((j) => j.partnerId)).not.toContain("fail-backoff");
      await makeScheduleRefreshesHandler({ partners, queue, now: () => new Date("2024-06-02T12:10:00Z") })(timer, ctx);
      expect((await drainQueue()).filter((j) => j.partnerId === "fail-backoff").map((j) => j.reason)).toEqual(["schedule"]);
    });

    it("clears the recorded failure when a later refresh succeeds", async () => {
      await seedOneTenant("fail-then-ok");
      await expect(makeRefreshPartnerHandler(failingDeps())(job("fail-then-ok"), context().ctx)).rejects.toThrow();
      expect((await readPartner("fail-then-ok")).refreshFailure).toBeDefined();

      await makeRefreshPartnerHandler(deps)(job("fail-then-ok"), context().ctx);
      const after = await readPartner("fail-then-ok");
      expect(after.refreshFailure).toBeUndefined();
      expect(after.refreshedDataVersion).toBe("2024-06-02T10:00:00.000Z");
    });

    it("records no failure for a lost pointer race, an invalid message or an unknown partner", async () => {
      await seedOneTenant("fail-not-counted");
      const conflicting: typeof deps = {
        ...deps,
        results: { ...deps.results, writeDocuments: () => Promise.reject(new RefreshConflictError("fail-not-counted", "cloudEndpoints")) },
      };
      await expect(makeRefreshPartnerHandler(conflicting)(job("fail-not-counted"), context().ctx)).rejects.toThrow(RefreshConflictError);
      await makeRefreshPartnerHandler(failingDeps())({ partnerId: "fail-not-counted", reason: "whenever" }, context().ctx);
      expect((await readPartner("fail-not-counted")).refreshFailure).toBeUndefined();
      await makeRefreshPartnerHandler(failingDeps())(job("fail-nobody"), context().ctx);
      const { resource } = await env.clients.containers.partners.item("partner", "fail-nobody").read();
      expect(resource).toBeUndefined();
    });
  });
});

describe("a refresh queued by a drop waits for the rest of its batch", () => {
  const requestedAt = "2024-06-02T10:00:01.000Z";
  const soon = () => new Date(Date.parse(requestedAt) + 5_000);
  const drops = () => env.clients.blobs.getContainerClient(names.blobContainers.drops);

  function settleWith(queued: { job: RefreshJob; delaySeconds?: number }[]) {
    return {
      ...env.deps.refreshSettle,
      queue: { enqueue: async (job: RefreshJob, options?: { delaySeconds?: number }) => void queued.push({ job, delaySeconds: options?.delaySeconds }) },
    };
  }

  async function putDrop(name: string): Promise<string> {
    const uploaded = await drops().getBlockBlobClient(name).upload("tenantId,tenantName\n", 20);
    return uploaded.etag!;
  }

  async function recordAs(partnerId: string, name: string, etag: string, status: "validating" | "loaded") {
    const [, dataset, fileName] = name.split("/");
    const now = new Date().toISOString();
    await env.deps.ingest.ingestions.create({
      id: ingestionIdFor(partnerId, name, etag),
      partnerId,
      type: "ingestion",
      blobPath: `drops/${name}`,
      etag,
      dataset,
      fileName,
      status,
      receivedAt: now,
      sizeBytes: 20,
      counts: { rows: 0, loaded: 0, rejected: 0, documents: 0 },
      errors: [],
      warnings: [],
      ...(status === "loaded" ? { finishedAt: now } : { heartbeatAt: now }),
    } as Parameters<typeof env.deps.ingest.ingestions.create>[0]);
  }

  const pointerOf = async (partnerId: string) => (await env.clients.containers.results.item(pointerId, partnerId).read()).resource;

  it("puts the job back on the queue, delayed, while another file of the partner is waiting or being ingested, then refreshes once it is done", async () => {
    await seedOneTenant("settle-batch");
    const waiting = "settle-batch/usage/usage_2024-06-01.csv";
    const etag = await putDrop(waiting);
    const queued: { job: RefreshJob; delaySeconds?: number }[] = [];
    const job = { partnerId: "settle-batch", reason: "drop" as const, requestedAt };

    const first = context();
    await makeRefreshPartnerHandler({ ...deps, settle: settleWith(queued), now: soon })(job, first.ctx);
    expect(queued).toEqual([{ job, delaySeconds: 3 }]);
    expect(first.logs.some((l) => l.text.includes("waits 3 s for 1 drop(s) still being ingested"))).toBe(true);
    expect(await pointerOf("settle-batch")).toBeUndefined();

    // Being ingested: still waits.
    await recordAs("settle-batch", waiting, etag, "validating");
    await makeRefreshPartnerHandler({ ...deps, settle: settleWith(queued), now: soon })(job, context().ctx);
    expect(queued).toHaveLength(2);

    // Committed (its blob not yet removed) or gone: the refresh runs.
    await env.deps.ingest.ingestions.replace(
      { ...(await env.deps.ingest.ingestions.read("settle-batch", ingestionIdFor("settle-batch", waiting, etag)))!.record, status: "loaded" },
      (await env.deps.ingest.ingestions.read("settle-batch", ingestionIdFor("settle-batch", waiting, etag)))!.etag,
    );
    await makeRefreshPartnerHandler({ ...deps, settle: settleWith(queued), now: soon })(job, context().ctx);
    expect(queued).toHaveLength(2);
    expect((await pointerOf("settle-batch"))?.resultSetId).toBeTruthy();
    await drops().deleteBlob(waiting);
  });

  it("never waits longer than REFRESH_SETTLE_SECONDS after the job was queued, nor for another partner's files", async () => {
    await seedOneTenant("settle-cap");
    await seedOneTenant("settle-neighbour");
    await putDrop("settle-cap/tenants/stuck.csv");
    await putDrop("settle-cap-other/tenants/theirs.csv");
    const queued: { job: RefreshJob; delaySeconds?: number }[] = [];

    // Past the longest wait (60 s by default): refreshes with what is committed.
    const late = () => new Date(Date.parse(requestedAt) + 61_000);
    await makeRefreshPartnerHandler({ ...deps, settle: settleWith(queued), now: late })({ partnerId: "settle-cap", reason: "drop", requestedAt }, context().ctx);
    expect(queued).toEqual([]);
    expect((await pointerOf("settle-cap"))?.resultSetId).toBeTruthy();

    // "settle-cap-other/…" shares the prefix text but is another partner's folder.
    await makeRefreshPartnerHandler({ ...deps, settle: settleWith(queued), now: soon })({ partnerId: "settle-neighbour", reason: "drop", requestedAt }, context().ctx);
    expect(queued).toEqual([]);
    expect((await pointerOf("settle-neighbour"))?.resultSetId).toBeTruthy();
    await drops().deleteBlob("settle-cap/tenants/stuck.csv");
    await drops().deleteBlob("settle-cap-other/tenants/theirs.csv");
  });

  it("never holds back a manual, scheduled or daily refresh", async () => {
    await seedOneTenant("settle-manual");
    await putDrop("settle-manual/tenants/waiting.csv");
    const queued: { job: RefreshJob; delaySeconds?: number }[] = [];
    await makeRefreshPartnerHandler({ ...deps, settle: settleWith(queued), now: soon })({ partnerId: "settle-manual", reason: "manual", requestedAt }, context().ctx);
    expect(queued).toEqual([]);
    expect((await pointerOf("settle-manual"))?.resultSetId).toBeTruthy();
    await drops().deleteBlob("settle-manual/tenants/waiting.csv");
  });
});
