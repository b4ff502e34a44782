import { InvocationContext, type Timer } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTrainDealModelHandler } from "../../functions/dealScoring.js";
import { makeDeleteOffboardedPartnersHandler } from "../../functions/offboarding.js";
import { dealsSnapshotCsv, generateCrmHistory } from "../../local/demoData/deals.js";
import { executePartnersCommand, parsePartnersArgs, UsageError } from "../../scripts/partners.js";
import { cosmosContainers } from "../../shared/adapters/cosmos/layout.js";
import { names } from "../../shared/config.js";
import type { IngestDeps } from "../../shared/ingest/ingestDrop.js";
import { refreshPartner } from "../../shared/refresh/refreshPartner.js";
import { dealApi, drainQueue, dropDeals, type DealApi } from "../support/dealScoringHttp.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";

// Off-boarding on the real emulators: the operator command marks a partner; 30 days later the daily timer
// deletes every document and blob it owns, records the deletion, and leaves another partner untouched.

const now = new Date();
const DAY_MS = 86_400_000;
const at = (days: number) => new Date(now.getTime() + days * DAY_MS);
const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };
const quiet = () => new InvocationContext({ functionName: "test", logHandler: () => {} });

let env: TestEnvironment;
let ingest: IngestDeps;
let api: DealApi;

/** A partner with data everywhere: staged deals, ingestion records, processed, rejected and waiting drops, a key, a published model, scores. */
async function partnerWithEverything(partnerId: string, seed: number): Promise<void> {
  await env.deps.partners.register(partnerId, partnerId);
  const { key } = await env.deps.api.auth.issue({ partnerId, role: "administrator", name: "admin" });
  const crm = generateCrmHistory({ seed, now, closedDeals: 240, openDeals: 30, snapshots: 1 });
  for (const s of crm.snapshots) await dropDeals(env, ingest, partnerId, `deals-${s.takenAt.slice(0, 10)}.csv`, dealsSnapshotCsv(s));
  await dropDeals(env, ingest, partnerId, "broken.csv", "not,a,deals,header\n1,2,3,4\n");
  await env.clients.blobs.getContainerClient(names.blobContainers.drops).getBlockBlobClient(`${partnerId}/deals/waiting.csv`).uploadData(Buffer.from("dealId,status,createdOn\n"));
  const created = await api.call("createDealModel", { key, body: { name: "Everything" } });
  expect((await api.call("trainDealModel", { key, params: { modelId: created.body.modelId } })).status).toBe(202);
  for (const job of await drainQueue(env, names.queues.dealTraining)) await makeTrainDealModelHandler(env.deps.dealTraining)(job, quiet());
  expect((await api.call("publishDealModel", { key, params: { modelId: created.body.modelId }, query: "force=true" })).status).toBe(200);
  await refreshPartner(env.deps.refresh, partnerId, { now: () => now });
}

async function documentCounts(partnerId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, def] of Object.entries(cosmosContainers)) {
    const { resources } = await env.clients.database
      .container(def.id)
      .items.query<number>({ query: "SELECT VALUE COUNT(1) FROM c WHERE c.partnerId = @p", parameters: [{ name: "@p", value: partnerId }] }, { partitionKey: partnerId })
      .fetchAll();
    out[name] = resources[0] ?? 0;
  }
  return out;
}

async function blobCounts(partnerId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const container of ["drops", "processed", "rejected", "models"] as const) {
    let n = 0;
    for await (const _ of env.clients.blobs.getContainerClient(names.blobContainers[container]).listBlobsFlat({ prefix: `${partnerId}/` })) n++;
    out[container] = n;
  }
  return out;
}

beforeAll(async () => {
  env = await startTestEnvironment();
  ingest = { ...env.deps.ingest, clock: () => now };
  api = dealApi(env.deps.api);
  await partnerWithEverything("leaving", 11);
  await partnerWithEverything("leaving-2", 12);
}, 180_000);

afterAll(async () => {
  await env?.stop();
});

describe("off-boarding", () => {
  it("has data of both partners in every container to begin with", async () => {
    for (const partnerId of ["leaving", "leaving-2"]) {
      expect(Object.values(await documentCounts(partnerId)).every((n) => n > 0), partnerId).toBe(true);
      expect(Object.values(await blobCounts(partnerId)).every((n) => n > 0), partnerId).toBe(true);
    }
  });

  it("refuses a command without a partner, or for a partner that does not exist", async () => {
    expect(() => parsePartnersArgs(["offboard"])).toThrow(UsageError);
    expect(() => parsePartnersArgs(["offboard", "--partner", "Not A Partner"])).toThrow(UsageError);
    await expect(executePartnersCommand(parsePartnersArgs(["offboard", "--partner", "nobody-here"]), env.deps.offboarding)).rejects.toMatchObject({ code: "partner_not_found" });
  });

  it("marks the partner off-boarded, which stops its refreshes at once; marking it again keeps the first date", async () => {
    const marked = (await executePartnersCommand(parsePartnersArgs(["offboard", "--partner", "leaving"]), { ...env.deps.offboarding, now: () => now })) as {
      offboardedAt: string;
      deletionDueAt: string;
    };
    expect(marked.offboardedAt).toBe(now.toISOString());
    expect(marked.deletionDueAt).toBe(at(30).toISOString());
    const again = (await executePartnersCommand(parsePartnersArgs(["offboard", "--partner", "leaving"]), { ...env.deps.offboarding, now: () => at(3) })) as { offboardedAt: string };
    expect(again.offboardedAt).toBe(now.toISOString());
    expect(await refreshPartner(env.deps.refresh, "leaving", { now: () => now })).toEqual({ status: "skipped", reason: "offboarded" });
  });

  it("keeps everything for 30 days, then deletes all of the partner's documents and blobs, records it, and leaves the other partner untouched", async () => {
    const before = await documentCounts("leaving");
    const blobsBefore = await blobCounts("leaving");
    const otherBefore = { docs: await documentCounts("leaving-2"), blobs: await blobCounts("leaving-2") };

    await makeDeleteOffboardedPartnersHandler({ ...env.deps.offboarding, now: () => at(29.9) })(timer, quiet());
    expect(await documentCounts("leaving")).toEqual(before);

    await makeDeleteOffboardedPartnersHandler({ ...env.deps.offboarding, now: () => at(30) })(timer, quiet());
    expect(Object.values(await documentCounts("leaving"))).toEqual([0, 0, 0, 0]);
    expect(Object.values(await blobCounts("leaving"))).toEqual([0, 0, 0, 0]);
    expect({ docs: await documentCounts("leaving-2"), blobs: await blobCounts("leaving-2") }).toEqual(otherBefore);

    const { deletions } = (await executePartnersCommand({ command: "deletions" }, env.deps.offboarding)) as { deletions: unknown[] };
    expect(deletions).toEqual([{ partnerId: "leaving", offboardedAt: now.toISOString(), deletedAt: at(30).toISOString(), documents: before, blobs: blobsBefore }]);

    // A later run finds nothing more to do; the record stays.
    await makeDeleteOffboardedPartnersHandler({ ...env.deps.offboarding, now: () => at(31) })(timer, quiet());
    expect(((await executePartnersCommand({ command: "deletions" }, env.deps.offboarding)) as { deletions: unknown[] }).deletions).toHaveLength(1);
  });
});
