import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloudEndpointsListQuerySchema, cloudEndpointsRowQuery, toApiRow } from "../../shared/api/cloudEndpoints.js";
import { readTabPage } from "../../shared/api/tabReads.js";
import { names } from "../../shared/config.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";
import { startHostChild, type HostChild } from "../support/hostChild.js";

// The host is killed (SIGKILL) in the middle of an ingest and in the middle of a refresh; a new host started
// against the same emulators finishes the work by itself, and the partner's results end equal to those of a
// partner that received the same files without a crash.

const tenants = 4_000;
const months = Array.from({ length: 12 }, (_, i) => `2025-${String(i + 1).padStart(2, "0")}`);
const t = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

const files = {
  tenants: (suffix: string) =>
    ["tenantId,tenantName,segment,industry,cspAssociation", ...Array.from({ length: tenants }, (_, i) => `${t(i + 1)},Tenant ${i + 1}${suffix},Enterprise,Retail,Yes`)].join("\n"),
  subscriptions: () =>
    ["tenantId,sku,quantity,status", ...Array.from({ length: tenants }, (_, i) => `${t(i + 1)},SPE_E5,${600 + (i % 50)},Active`)].join("\n"),
  usage: () => {
    const lines = ["tenantId,month,workload,assignedUsers,activeUsers"];
    for (let i = 0; i < tenants; i++) {
      for (const m of months) {
        for (const [w, share] of [["Intune", 0.1 + (i % 9) / 10], ["Windows365", (i % 3) / 4], ["EntraID", 0.9], ["Teams", 0.5]] as const) {
          lines.push(`${t(i + 1)},${m},${w},600,${Math.round(600 * share)}`);
        }
      }
    }
    return lines.join("\n");
  },
};

let env: TestEnvironment;
let host: HostChild | undefined;
const settings = () => ({ ...env.emulators.settings, INGEST_LEASE_SECONDS: "3", SWEEP_SCHEDULE: "*/2 * * * * *" });
// A killed host's queue message comes back after the function timeout's lease (30 s at least): keep it short.
const hostJson = { functionTimeout: "00:00:20" };

beforeAll(async () => {
  env = await startTestEnvironment();
}, 60_000);
afterAll(async () => {
  await host?.stop();
  await env?.stop();
});

async function drop(partnerId: string, dataset: string, fileName: string, csv: string): Promise<void> {
  await env.clients.blobs.getContainerClient(names.blobContainers.drops).getBlockBlobClient(`${partnerId}/${dataset}/${fileName}`).upload(csv, Buffer.byteLength(csv));
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 150_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const interesting = (host?.logs ?? []).filter((l) => !l.includes("timer ran")).slice(-40);
      throw new Error(`timed out waiting for ${what}\n${interesting.join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every drop of the partner loaded and a refresh covering them switched. */
async function settled(partnerId: string, files: number): Promise<void> {
  await waitFor(`${partnerId} to settle`, async () => {
    const page = await env.deps.api.ingestions.page(partnerId, 50);
    if (page.items.length < files || page.items.some((r) => r.status !== "loaded")) return undefined;
    const partner = await env.deps.partners.read(partnerId);
    const pointer = await env.deps.api.results.pointer(partnerId, "cloudEndpoints");
    return partner?.dataVersion !== undefined && pointer?.dataVersion !== undefined && pointer.dataVersion >= partner.dataVersion ? true : undefined;
  });
}

/** The partner's Cloud Endpoints rows as the API shows them. */
async function rows(partnerId: string): Promise<unknown[]> {
  const out: unknown[] = [];
  let continuationToken: string | undefined;
  do {
    const query = cloudEndpointsListQuerySchema.parse({ pageSize: "500", sort: "tenantId", ...(continuationToken ? { continuationToken } : {}) });
    const page = await readTabPage(env.deps.api, partnerId, cloudEndpointsRowQuery(query), query);
    out.push(...page.docs.map((d) => toApiRow(d, "all")));
    continuationToken = page.status === "ready" ? page.continuationToken : undefined;
  } while (continuationToken);
  return out;
}

describe("a host killed mid-work", () => {
  it("finishes an ingest and a refresh interrupted by SIGKILL, ending where an uninterrupted run ends", async () => {
    host = await startHostChild(settings(), hostJson);
    // The reference partner gets the same files with nothing interrupted.
    for (const [dataset, csv] of [["tenants", files.tenants("")], ["subscriptions", files.subscriptions()], ["usage", files.usage()]] as const) {
      await drop("crash-ref", dataset, `${dataset}_2025-12-01.csv`, csv);
      // The partner that will see crashes gets its usage later.
      if (dataset !== "usage") await drop("crash-hit", dataset, `${dataset}_2025-12-01.csv`, csv);
    }
    await settled("crash-ref", 3);
    await settled("crash-hit", 2);
    const before = await rows("crash-hit");

    // ---- killed mid-ingest: the usage file is being staged when the host dies.
    await drop("crash-hit", "usage", "usage_2025-12-01.csv", files.usage());
    // Killed as soon as the first rows are staged (the record still says validating).
    for (const deadline = Date.now() + 120_000; ; ) {
      const { resources } = await env.clients.containers.partnerData.items
        .query("SELECT VALUE COUNT(1) FROM c WHERE c.partnerId = 'crash-hit' AND c.type = 'usage'", { partitionKey: "crash-hit" })
        .fetchAll();
      if ((resources[0] as number) > 0) break;
      if (Date.now() > deadline) throw new Error("the usage ingest never started staging rows");
      await new Promise((r) => setTimeout(r, 25));
    }
    await host.kill();
    const halfway = (await env.deps.api.ingestions.page("crash-hit", 10)).items.find((r) => r.dataset === "usage");
    if (halfway?.status === "loaded") throw new Error("the usage ingest finished before the kill: use a larger file");
    expect(halfway?.status).toBe("validating");
    // Nothing of the half-staged file is visible.
    expect(await rows("crash-hit")).toEqual(before);

    host = await startHostChild(settings(), hostJson);
    await settled("crash-hit", 3);
    expect(await rows("crash-hit")).toEqual(await rows("crash-ref"));

    // ---- killed mid-refresh: a new tenants snapshot is committed and its refresh is writing when the host dies.
    await drop("crash-ref", "tenants", "tenants_2025-12-02.csv", files.tenants(" renamed"));
    await settled("crash-ref", 4);
    const pointerBefore = await env.deps.api.results.pointer("crash-hit", "cloudEndpoints");
    await drop("crash-hit", "tenants", "tenants_2025-12-02.csv", files.tenants(" renamed"));
    await waitFor("a refresh of crash-hit to be writing its set", async () => {
      const { resources } = await env.clients.containers.results.items
        .query({ query: "SELECT c.resultSetId FROM c WHERE c.partnerId = 'crash-hit' AND c.type = 'resultSet' AND c.resultSetId > @rs", parameters: [{ name: "@rs", value: pointerBefore!.resultSetId }] }, { partitionKey: "crash-hit" })
        .fetchAll();
      return resources.length > 0 ? true : undefined;
    });
    await host.kill();
    // Readers still see one whole set: the one before the kill.
    const pointerAtKill = await env.deps.api.results.pointer("crash-hit", "cloudEndpoints");
    expect(pointerAtKill?.resultSetId).toBe(pointerBefore?.resultSetId);

    host = await startHostChild(settings(), hostJson);
    await waitFor("crash-hit's new tenants to be refreshed after the restart", async () => {
      const partner = await env.deps.partners.read("crash-hit");
      const pointer = await env.deps.api.results.pointer("crash-hit", "cloudEndpoints");
      return pointer?.dataVersion && partner?.dataVersion && pointer.dataVersion >= partner.dataVersion && pointer.resultSetId !== pointerBefore?.resultSetId ? true : undefined;
    });
    const after = await rows("crash-hit");
    expect(after).toEqual(await rows("crash-ref"));
    expect((after[0] as { tenantName: string }).tenantName).toMatch(/renamed$/);
  }, 600_000);
});
