import { gzipSync } from "node:zlib";
import { InvocationContext } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { names } from "../../shared/config.js";
import { datasetNames } from "../../shared/domain/datasets.js";
import type { PartnerDoc, UsageDoc } from "../../shared/domain/documents.js";
import { ingestDrop, type IngestDeps, type IngestOutcome } from "../../shared/ingest/ingestDrop.js";
import { resolveLiveSet } from "../../shared/ingest/liveSet.js";
import { readIncentives, readSubscriptionHistory, readTenants, readUsageMonths } from "../../shared/refresh/partnerHistory.js";
import { makeIngestDropHandler } from "../../functions/ingest.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";

// Every test drops a real blob into Azurite and runs the ingest use case against the emulators.

// The ingest clock is fixed at the suite start; file dates and months below are in the past.
const now = new Date();
const t = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

let env: TestEnvironment;
let deps: IngestDeps;
let partnerSeq = 0;
const nextPartner = () => `partner-${++partnerSeq}-${Date.now().toString(36)}`;

beforeAll(async () => {
  env = await startTestEnvironment({ INGEST_MAX_BYTES: String(256 * 1024), INGEST_MAX_ERRORS_KEPT: "5" });
  deps = { ...env.deps.ingest, clock: () => now };
});

const getIngestion = (_: unknown, partnerId: string, id: string) => env.deps.api.ingestions.get(partnerId, id);
async function listIngestions(_: unknown, partnerId: string, options: { pageSize: number; continuationToken?: string }) {
  const page = await env.deps.api.ingestions.page(partnerId, options.pageSize, options.continuationToken);
  return { items: page.items, continuationToken: page.storeToken };
}

/** What a refresh sees of the partner's data: the live (committed, not replaced) drops, per tenant. */
async function view(partnerId: string) {
  const data = env.deps.refresh.data;
  const live = resolveLiveSet(await data.loadedIngestions(partnerId));
  return {
    live,
    tenants: await readTenants(data, partnerId, live),
    subscriptions: await readSubscriptionHistory(data, partnerId, live),
    usage: await readUsageMonths(data, partnerId, live),
    incentives: await readIncentives(data, partnerId, live),
  };
}
const tenantOf = async (partnerId: string, tenantId: string) => (await view(partnerId)).tenants.get(tenantId);
const subscriptionsOf = async (partnerId: string, tenantId: string) => {
  const snapshots = (await view(partnerId)).subscriptions.get(tenantId);
  return snapshots ? { snapshots } : undefined;
};
const usageOf = async (partnerId: string, tenantId: string) => {
  const { usage, live } = await view(partnerId);
  const months = usage.get(tenantId);
  return months ? { months, monthIngestion: Object.fromEntries(Object.keys(months).map((m) => [m, live.usageMonths.get(m)])) } : undefined;
};
const incentivesOf = async (partnerId: string, tenantId: string) => (await view(partnerId)).incentives.get(tenantId);
afterAll(async () => {
  await env?.stop();
});

async function upload(path: string, content: string | Buffer): Promise<{ etag: string; content: Buffer; lastModified: Date }> {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  const blob = env.clients.blobs.getContainerClient(names.blobContainers.drops).getBlockBlobClient(path);
  const res = await blob.uploadData(bytes);
  return { etag: res.etag!, content: bytes, lastModified: res.lastModified! };
}

async function drop(path: string, content: string | Buffer, d: IngestDeps = deps): Promise<IngestOutcome> {
  const up = await upload(path, content);
  return ingestDrop(d, { blobPath: `drops/${path}`, content: up.content, etag: up.etag, writtenAt: up.lastModified });
}


async function blobExists(container: string, name: string): Promise<boolean> {
  return env.clients.blobs.getContainerClient(container).getBlobClient(name).exists();
}

async function refreshJobs(partnerId: string): Promise<Array<{ partnerId: string; reason: string }>> {
  const queue = env.clients.queues.getQueueClient(names.queues.refresh);
  const { peekedMessageItems } = await queue.peekMessages({ numberOfMessages: 32 });
  return peekedMessageItems
    .map((m) => JSON.parse(Buffer.from(m.messageText, "base64").toString("utf8")))
    .filter((j) => j.partnerId === partnerId);
}

function loaded(outcome: IngestOutcome) {
  if (outcome.status !== "loaded") throw new Error(`expected loaded, got ${JSON.stringify(outcome)}`);
  return outcome.record;
}

function failed(outcome: IngestOutcome) {
  if (outcome.status !== "failed") throw new Error(`expected failed, got ${JSON.stringify(outcome)}`);
  return outcome.record;
}

const tenantsCsv = [
  "TenantId,tenantName,segment,industry,employees,cspAssociation,mciEligibleWorkloads",
  `${t(1)},Contoso,Enterprise,Retail,1200,Yes,Windows365|Intune`,
  `${t(2)},"Fabrikam, Inc.",sme&c,Manufacturing,300,no,`,
].join("\r\n");

describe("ingest: happy paths", () => {
  it("loads a tenants file into one document per tenant and archives it to processed/", async () => {
    const partnerId = nextPartner();
    const record = loaded(await drop(`${partnerId}/tenants/tenants_2025-06-01.csv`, tenantsCsv));
    expect(record.counts).toEqual({ rows: 2, loaded: 2, rejected: 0, documents: 2 });
    expect(record.asOf).toBe("2025-06-01");
    expect(record.errors).toEqual([]);
    const contoso = await tenantOf(partnerId, t(1));
    expect(contoso).toMatchObject({
      type: "tenant",
      tenantId: t(1),
      tenantName: "Contoso",
      segment: "Enterprise",
      employees: 1200,
      cspAssociation: true,
      mciEligibleWorkloads: ["Windows365", "Intune"],
      asOf: "2025-06-01",
      ingestionId: record.id,
    });
    expect(await tenantOf(partnerId, t(2))).toMatchObject({ tenantName: "Fabrikam, Inc.", segment: "SME&C" });
    expect(record.archivedTo).toBe(`processed/${partnerId}/tenants/${record.id}-tenants_2025-06-01.csv`);
    const archived = env.clients.blobs.getContainerClient("processed").getBlobClient(`${partnerId}/tenants/${record.id}-tenants_2025-06-01.csv`);
    expect((await archived.downloadToBuffer()).toString("utf8")).toBe(tenantsCsv);
    expect((await archived.getProperties()).metadata).toMatchObject({ ingestionid: record.id, status: "loaded" });
    expect(await blobExists("drops", `${partnerId}/tenants/tenants_2025-06-01.csv`)).toBe(false);
    const stored = await getIngestion(env.clients.containers, partnerId, record.id);
    expect(stored).toMatchObject({ status: "loaded", counts: record.counts, archivedTo: record.archivedTo });
  });

  it("marks the partner's data changed and queues a refresh of that partner after a load", async () => {
    const partnerId = nextPartner();
    const record = loaded(await drop(`${partnerId}/tenants/t.csv`, tenantsCsv));
    const { resource } = await env.clients.containers.partners.item("partner", partnerId).read<PartnerDoc>();
    expect(resource?.datasets?.tenants).toEqual({ asOf: record.asOf, ingestionId: record.id, loadedAt: now.toISOString() });
    expect(resource?.dataVersion).toBe(now.toISOString());
    expect(await refreshJobs(partnerId)).toEqual([{ partnerId, reason: "drop", requestedAt: now.toISOString() }]);
  });

  it("loads a gzipped subscriptions file into the tenant's snapshot for the file's date", async () => {
    const partnerId = nextPartner();
    const csv = [
      "tenantId,sku,quantity,paidUnits,status,source,startDate",
      `${t(1)},spe_e5,500,480,Active,Partner,2025-07-01`,
      `${t(1)},SPE_F1,100,,Active,,`,
      `${t(2)},O365_BUSINESS_PREMIUM,20,20,trial,Direct,`,
    ].join("\n");
    const record = loaded(await drop(`${partnerId}/subscriptions/subs_2025-05-01.csv.gz`, gzipSync(csv)));
    expect(record.counts).toEqual({ rows: 3, loaded: 3, rejected: 0, documents: 2 });
    const subs = await subscriptionsOf(partnerId, t(1));
    expect(subs?.snapshots).toEqual([
      {
        asOf: "2025-05-01",
        ingestionId: record.id,
        items: [
          { sku: "SPE_E5", quantity: 500, paidUnits: 480, status: "Active", source: "Partner", startDate: "2025-07-01" },
          { sku: "SPE_F1", quantity: 100, status: "Active" },
        ],
      },
    ]);
    expect((await subscriptionsOf(partnerId, t(2)))?.snapshots[0].items[0]).toMatchObject({ status: "Trial", source: "Direct" });
  });

  it("keeps older subscription snapshots newest first when a later snapshot is dropped", async () => {
    const partnerId = nextPartner();
    const header = "tenantId,sku,quantity\n";
    const may = loaded(await drop(`${partnerId}/subscriptions/s_2025-05-01.csv`, `${header}${t(1)},SPE_E3,100\n`));
    const june = loaded(await drop(`${partnerId}/subscriptions/s_2025-06-01.csv`, `${header}${t(1)},SPE_E5,100\n`));
    const subs = await subscriptionsOf(partnerId, t(1));
    expect(subs?.snapshots.map((s) => [s.asOf, s.ingestionId, s.items.map((i) => i.sku)])).toEqual([
      ["2025-06-01", june.id, ["SPE_E5"]],
      ["2025-05-01", may.id, ["SPE_E3"]],
    ]);
    // A corrected file for the same date replaces that snapshot only.
    const fix = loaded(await drop(`${partnerId}/subscriptions/s_fix_2025-05-01.csv`, `${header}${t(1)},SPE_E3,90\n`));
    const after = await subscriptionsOf(partnerId, t(1));
    expect(after?.snapshots.map((s) => [s.asOf, s.ingestionId, s.items[0].quantity])).toEqual([
      ["2025-06-01", june.id, 100],
      ["2025-05-01", fix.id, 90],
    ]);
  });

  it("keeps usage history: a later drop replaces the months it carries and keeps the others", async () => {
    const partnerId = nextPartner();
    const header = "tenantId,month,workload,assignedUsers,activeUsers\n";
    const first = loaded(
      await drop(
        `${partnerId}/usage/usage-1.csv`,
        header +
          `${t(1)},2025-03,Intune,100,40\n${t(1)},2025-03,Windows365,10,12\n${t(1)},2025-04,intune,100,45\n${t(1)},2025-04,Teams,100,90\n`,
      ),
    );
    expect(first.counts).toEqual({ rows: 4, loaded: 4, rejected: 0, documents: 1 });
    // activeUsers above assignedUsers is allowed (the seed explains why MAU can exceed PAU).
    const second = loaded(await drop(`${partnerId}/usage/usage-2.csv`, header + `${t(1)},2025-04,Intune,100,60\n${t(1)},2025-05,Intune,110,70\n`));
    const usage = await usageOf(partnerId, t(1));
    expect(usage?.months).toEqual({
      "2025-03": { Intune: { assignedUsers: 100, activeUsers: 40 }, Windows365: { assignedUsers: 10, activeUsers: 12 } },
      // April is replaced whole: the Teams row of the first drop is gone.
      "2025-04": { Intune: { assignedUsers: 100, activeUsers: 60 } },
      "2025-05": { Intune: { assignedUsers: 110, activeUsers: 70 } },
    });
    expect(usage?.monthIngestion).toEqual({ "2025-03": first.id, "2025-04": second.id, "2025-05": second.id });
    // The refresh reads only this copy of the latest month.
    const staged = (await env.clients.containers.partnerData.item(`usage:${second.id}:${t(1)}`, partnerId).read<UsageDoc>()).resource;
    expect(staged?.latest).toEqual({ month: "2025-05", workloads: { Intune: { assignedUsers: 110, activeUsers: 70 } } });
  });

  it("merges a tenant's rows that arrive in different write batches of one file", async () => {
    const partnerId = nextPartner();
    const small: IngestDeps = { ...deps, batching: { maxTenants: 2, maxRows: 3 } };
    const lines = ["tenantId,month,workload,assignedUsers,activeUsers"];
    // Unsorted file: tenant 1's rows are interleaved with tenant 2's, so they land in several batches.
    for (const m of ["2025-01", "2025-02", "2025-03"]) {
      lines.push(`${t(1)},${m},Intune,10,5`, `${t(2)},${m},Intune,20,10`, `${t(1)},${m},Teams,10,9`);
    }
    const record = loaded(await drop(`${partnerId}/usage/u.csv`, lines.join("\n"), small));
    expect(record.counts).toMatchObject({ rows: 9, loaded: 9, documents: 2 });
    const usage = await usageOf(partnerId, t(1));
    expect(Object.keys(usage!.months).sort()).toEqual(["2025-01", "2025-02", "2025-03"]);
    expect(usage!.months["2025-02"]).toEqual({ Intune: { assignedUsers: 10, activeUsers: 5 }, Teams: { assignedUsers: 10, activeUsers: 9 } });
  });

  it("loads incentives as the tenant's engagements with their workloads and potential earnings", async () => {
    const partnerId = nextPartner();
    const csv = [
      "tenantId,engagement,workloads,potentialEarnings",
      `${t(1)},Windows 365 Workshop,Windows365|Intune,5000`,
      `${t(1)},Copilot Accelerator,CoreApps,2500.50`,
    ].join("\n");
    const record = loaded(await drop(`${partnerId}/incentives/mci.csv.gz`, gzipSync(csv)));
    const incentives = await incentivesOf(partnerId, t(1));
    expect(incentives).toMatchObject({
      asOf: now.toISOString().slice(0, 10),
      ingestionId: record.id,
      engagements: [
        { engagement: "Windows 365 Workshop", workloads: ["Windows365", "Intune"], potentialEarnings: 5000 },
        { engagement: "Copilot Accelerator", workloads: ["CoreApps"], potentialEarnings: 2500.5 },
      ],
    });
  });

  it("lists a partner's ingestions newest first, page by page", async () => {
    const partnerId = nextPartner();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const at = new Date(now.getTime() - (3 - i) * 60_000);
      const up = await upload(`${partnerId}/tenants/t${i}.csv`, tenantsCsv);
      const out = await ingestDrop(deps, { blobPath: `drops/${partnerId}/tenants/t${i}.csv`, content: up.content, etag: up.etag, writtenAt: at });
      ids.push(loaded(out).id);
    }
    const page1 = await listIngestions(env.clients.containers, partnerId, { pageSize: 2 });
    expect(page1.items.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    expect(page1.continuationToken).toBeTruthy();
    const page2 = await listIngestions(env.clients.containers, partnerId, { pageSize: 2, continuationToken: page1.continuationToken });
    expect(page2.items.map((r) => r.id)).toEqual([ids[0]]);
    expect(await getIngestion(env.clients.containers, "someone-else", ids[0])).toBeUndefined();
  });
});

async function rejectedBlob(record: { archivedTo?: string }) {
  expect(record.archivedTo?.startsWith("rejected/")).toBe(true);
  const name = record.archivedTo!.slice("rejected/".length);
  const blob = env.clients.blobs.getContainerClient("rejected").getBlobClient(name);
  const props = await blob.getProperties();
  return { content: await blob.downloadToBuffer(), reason: decodeURIComponent(props.metadata?.reason ?? ""), status: props.metadata?.status };
}

describe("ingest: files rejected whole, with the original kept in rejected/", () => {
  async function expectRejected(path: string, content: string | Buffer, reason: string | RegExp) {
    const outcome = await drop(path, content);
    const record = failed(outcome);
    if (typeof reason === "string") expect(record.reason).toBe(reason);
    else expect(record.reason).toMatch(reason);
    const kept = await rejectedBlob(record);
    expect(kept.content.equals(typeof content === "string" ? Buffer.from(content) : content)).toBe(true);
    expect(kept.reason).toBe(record.reason);
    expect(kept.status).toBe("failed");
    expect(await blobExists("drops", path)).toBe(false);
    const stored = await getIngestion(env.clients.containers, record.partnerId, record.id);
    expect(stored).toMatchObject({ status: "failed", reason: record.reason, archivedTo: record.archivedTo });
    return record;
  }

  it("rejects an empty file", async () => {
    await expectRejected(`${nextPartner()}/tenants/empty.csv`, "", "file is empty");
  });

  it("rejects a file with a header and no data rows", async () => {
    const record = await expectRejected(`${nextPartner()}/tenants/h.csv`, "tenantId,tenantName\r\n", "no data rows: the file has a header only");
    expect(record.counts.rows).toBe(0);
  });

  it("rejects a file in an unknown dataset folder, listing the known datasets", async () => {
    const partnerId = nextPartner();
    const record = await expectRejected(
      `${partnerId}/licences/l.csv`,
      tenantsCsv,
      `unknown dataset folder "licences": known datasets are ${datasetNames.join(", ")}`,
    );
    expect(record.archivedTo).toBe(`rejected/${partnerId}/licences/${record.id}-l.csv`);
  });

  it("rejects a file name that is not .csv or .csv.gz", async () => {
    await expectRejected(`${nextPartner()}/tenants/t.xlsx`, tenantsCsv, 'file name "t.xlsx" must end in .csv or .csv.gz');
  });

  it("rejects a header missing a required column and names it", async () => {
    await expectRejected(
      `${nextPartner()}/usage/u.csv`,
      `tenantId,month,workload,activeUsers\n${t(1)},2025-01,Teams,3\n`,
      "bad header on line 1: missing required column assignedUsers for dataset usage (header has: tenantId, month, workload, activeUsers)",
    );
  });

  it("rejects a header with the same column twice", async () => {
    await expectRejected(`${nextPartner()}/tenants/t.csv`, `tenantId,tenantName,TenantName\n${t(1)},a,b\n`, /duplicate column "TenantName"/);
  });

  it("rejects an unterminated quote, naming the line where it opened, and stores nothing of the file", async () => {
    const partnerId = nextPartner();
    await expectRejected(
      `${partnerId}/tenants/q.csv`,
      `tenantId,tenantName\n${t(1)},Contoso\n${t(2)},"Fabrikam\n${t(3)},Litware\n`,
      "unterminated quote: the quoted field opened on line 3 is never closed",
    );
    expect(await tenantOf(partnerId, t(1))).toBeUndefined();
  });

  it("rejects bytes that are not UTF-8, naming the line", async () => {
    const latin1 = Buffer.concat([Buffer.from(`tenantId,tenantName\n${t(1)},Caf`), Buffer.from([0xe9]), Buffer.from("\n")]);
    await expectRejected(`${nextPartner()}/tenants/latin1.csv`, latin1, /^invalid UTF-8: bytes on line 2 are not valid UTF-8/);
  });

  it("rejects a .gz file that is not gzip", async () => {
    await expectRejected(`${nextPartner()}/tenants/t.csv.gz`, tenantsCsv, 'file "t.csv.gz" is named .gz but is not gzip-compressed (no gzip header)');
  });

  it("rejects a corrupt gzip", async () => {
    const gz = gzipSync(tenantsCsv);
    const broken = Buffer.concat([gz.subarray(0, 12), Buffer.alloc(20, 7)]);
    await expectRejected(`${nextPartner()}/tenants/t.csv.gz`, broken, /^gzip data is corrupt/);
  });

  it("rejects a file over the size limit with its size and the limit", async () => {
    const big = "tenantId,tenantName\n" + `${t(1)},${"x".repeat(300 * 1024)}\n`;
    await expectRejected(`${nextPartner()}/tenants/big.csv`, big, /^file is 300\.\d KiB \(\d+ bytes\), over the limit of 256\.0 KiB \(262144 bytes\)$/);
  });

  it("rejects a small gzip that expands beyond the size limit (gzip bomb)", async () => {
    const bomb = gzipSync("tenantId,tenantName\n" + `${t(1)},Contoso\n`.repeat(20_000));
    expect(bomb.length).toBeLessThan(10 * 1024);
    await expectRejected(`${nextPartner()}/tenants/bomb.csv.gz`, bomb, "decompressed content is over the limit of 256.0 KiB (262144 bytes)");
  });

  it("fails a file whose every row is bad with 'no valid rows', keeping the first errors and counting all", async () => {
    const rows = Array.from({ length: 8 }, (_, i) => `${t(i + 1)},2025-01,Teams,-1,0`);
    const record = await expectRejected(
      `${nextPartner()}/usage/bad.csv`,
      ["tenantId,month,workload,assignedUsers,activeUsers", ...rows].join("\n"),
      "no valid rows: all 8 data rows have errors",
    );
    expect(record.counts).toEqual({ rows: 8, loaded: 0, rejected: 8, documents: 0 });
    expect(record.errors).toHaveLength(5); // INGEST_MAX_ERRORS_KEPT
    expect(record.errors[0]).toEqual({ line: 2, column: "assignedUsers", reason: 'must be a whole number ≥ 0 (got "-1")' });
  });
});

describe("ingest: bad rows are reported and never stop the good ones", () => {
  it("loads the good rows and reports each bad one with line, column and reason", async () => {
    const partnerId = nextPartner();
    const future = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 7);
    const csv = [
      "tenantId,month,workload,assignedUsers,activeUsers,notes",
      `${t(1)},2025-01,Teams,10,8,ok`,
      `${t(1)},2025-01,Intune,-5,1,negative`,
      `${t(1)},2025-01,Exchange,ten,1,non-numeric`,
      `${t(1)},${future},Teams,10,8,future`,
      `${t(1)},2025-01,OneDrive,10`,
      `${t(2)},2025-01,Teams,4,9,more active than assigned`,
    ].join("\n");
    const record = loaded(await drop(`${partnerId}/usage/u.csv`, csv));
    expect(record.counts).toEqual({ rows: 6, loaded: 2, rejected: 4, documents: 2 });
    expect(record.errors).toEqual([
      { line: 3, column: "assignedUsers", reason: 'must be a whole number ≥ 0 (got "-5")' },
      { line: 4, column: "assignedUsers", reason: 'must be a whole number ≥ 0 (got "ten")' },
      { line: 5, column: "month", reason: expect.stringContaining(`month ${future} is in the future`) },
      { line: 6, reason: "expected 6 columns as in the header, found 4" },
    ]);
    expect(record.warnings).toEqual([expect.stringContaining("unknown column ignored: notes")]);
    const usage = await usageOf(partnerId, t(1));
    expect(usage?.months).toEqual({ "2025-01": { Teams: { assignedUsers: 10, activeUsers: 8 } } });
    expect((await usageOf(partnerId, t(2)))?.months["2025-01"].Teams).toEqual({ assignedUsers: 4, activeUsers: 9 });
  });

  it("keeps the first row of a duplicated tenantId and reports the later one naming the first line", async () => {
    const partnerId = nextPartner();
    const csv = `tenantId,tenantName\n${t(1)},Contoso\n${t(2)},Fabrikam\n${t(1)},Contoso Two\n`;
    const record = loaded(await drop(`${partnerId}/tenants/t.csv`, csv));
    expect(record.counts).toEqual({ rows: 3, loaded: 2, rejected: 1, documents: 2 });
    expect(record.errors).toEqual([{ line: 4, column: "tenantId", reason: `duplicate tenantId ${t(1)}: already on line 2` }]);
    expect(await tenantOf(partnerId, t(1))).toMatchObject({ tenantName: "Contoso" });
  });
});

describe("ingest: redelivery, parallel delivery and overwrites", () => {
  async function partnerDocs(partnerId: string) {
    const { resources } = await env.clients.containers.partnerData.items
      .query({ query: "SELECT c.id, c.months, c.monthIngestion FROM c WHERE c.partnerId = @p", parameters: [{ name: "@p", value: partnerId }] })
      .fetchAll();
    return resources.sort((a, b) => (a.id < b.id ? -1 : 1));
  }
  async function records(partnerId: string) {
    return (await listIngestions(env.clients.containers, partnerId, { pageSize: 50 })).items;
  }
  const usageCsv = (n: number) =>
    ["tenantId,month,workload,assignedUsers,activeUsers", `${t(1)},2025-01,Teams,${n},1`, `${t(2)},2025-01,Teams,${n},2`].join("\n");

  it("processes the same blob version once when it is delivered twice", async () => {
    const partnerId = nextPartner();
    const path = `${partnerId}/usage/u.csv`;
    const up = await upload(path, usageCsv(10));
    const blob = { blobPath: `drops/${path}`, content: up.content, etag: up.etag, writtenAt: up.lastModified };
    const first = await ingestDrop(deps, blob);
    const state = await partnerDocs(partnerId);
    const second = await ingestDrop(deps, blob);
    expect(first.status).toBe("loaded");
    expect(second).toEqual({ status: "skipped", ingestionId: first.ingestionId, reason: "already loaded" });
    expect(await partnerDocs(partnerId)).toEqual(state);
    expect((await records(partnerId)).map((r) => [r.id, r.status])).toEqual([[first.ingestionId, "loaded"]]);
    expect(await refreshJobs(partnerId)).toHaveLength(1);
  });

  it("processes the same blob version once when it is delivered twice at the same time", async () => {
    const partnerId = nextPartner();
    const path = `${partnerId}/usage/u.csv`;
    const up = await upload(path, usageCsv(10));
    const blob = { blobPath: `drops/${path}`, content: up.content, etag: up.etag, writtenAt: up.lastModified };
    const outcomes = await Promise.all([ingestDrop(deps, blob), ingestDrop(deps, blob), ingestDrop(deps, blob)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["loaded", "skipped", "skipped"]);
    const all = await records(partnerId);
    expect(all.map((r) => r.status)).toEqual(["loaded"]);
    expect(all[0].counts).toEqual({ rows: 2, loaded: 2, rejected: 0, documents: 2 });
    expect((await partnerDocs(partnerId)).map((d) => d.months["2025-01"].Teams.assignedUsers)).toEqual([10, 10]);
  });

  it("treats a blob overwritten with new content as a new ingestion that replaces the data", async () => {
    const partnerId = nextPartner();
    const path = `${partnerId}/usage/u.csv`;
    const first = loaded(await drop(path, usageCsv(10)));
    const second = loaded(await drop(path, usageCsv(20)));
    expect(second.id).not.toBe(first.id);
    for (const tenantId of [t(1), t(2)]) {
      expect(await usageOf(partnerId, tenantId), tenantId).toEqual({
        months: { "2025-01": { Teams: { assignedUsers: 20, activeUsers: tenantId === t(1) ? 1 : 2 } } },
        monthIngestion: { "2025-01": second.id },
      });
    }
    expect((await records(partnerId)).map((r) => r.id).sort()).toEqual([first.id, second.id].sort());
    // Both versions are kept.
    expect(first.archivedTo).not.toBe(second.archivedTo);
    expect(await blobExists("processed", first.archivedTo!.slice("processed/".length))).toBe(true);
  });

  it("keeps both files' rows when two usage files for one tenant are ingested at the same time", async () => {
    const partnerId = nextPartner();
    const header = "tenantId,month,workload,assignedUsers,activeUsers\n";
    const files = ["2025-01", "2025-02", "2025-03", "2025-04"].map((m) => [`${partnerId}/usage/u-${m}.csv`, `${header}${t(1)},${m},Teams,10,5\n${t(2)},${m},Teams,20,5\n`]);
    const uploaded = await Promise.all(files.map(([path, csv]) => upload(path, csv)));
    const outcomes = await Promise.all(
      uploaded.map((up, i) => ingestDrop(deps, { blobPath: `drops/${files[i][0]}`, content: up.content, etag: up.etag, writtenAt: up.lastModified })),
    );
    expect(outcomes.map((o) => o.status)).toEqual(["loaded", "loaded", "loaded", "loaded"]);
    const { usage } = await view(partnerId);
    expect([...usage.keys()].sort()).toEqual([t(1), t(2)]);
    for (const months of usage.values()) expect(Object.keys(months).sort()).toEqual(["2025-01", "2025-02", "2025-03", "2025-04"]);
  });

  it("records every dataset in the partner document when drops of several datasets finish at once", async () => {
    const partnerId = nextPartner();
    const outcomes = await Promise.all([
      drop(`${partnerId}/tenants/t_2025-09-01.csv`, tenantsCsv),
      drop(`${partnerId}/usage/u_2025-09-01.csv`, usageCsv(3)),
      drop(`${partnerId}/subscriptions/s_2025-09-01.csv`, `tenantId,sku,quantity\n${t(1)},SPE_E5,10\n`),
      drop(`${partnerId}/incentives/i_2025-09-01.csv`, `tenantId,engagement,workloads,potentialEarnings\n${t(1)},W365,Windows365,100\n`),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["loaded", "loaded", "loaded", "loaded"]);
    const { resource } = await env.clients.containers.partners.item("partner", partnerId).read<PartnerDoc>();
    expect(Object.keys(resource!.datasets).sort()).toEqual(["incentives", "subscriptions", "tenants", "usage"]);
    for (const o of outcomes) {
      if (o.status === "skipped") continue;
      expect(resource!.datasets[o.record.dataset as keyof PartnerDoc["datasets"]]).toMatchObject({ asOf: "2025-09-01", ingestionId: o.ingestionId });
    }
    expect(await refreshJobs(partnerId)).toHaveLength(4);
  });

  it("finishes the work after a failure midway: the retry reaches the same state with one record", async () => {
    const partnerId = nextPartner();
    const path = `${partnerId}/usage/u.csv`;
    const up = await upload(path, usageCsv(10));
    const blob = { blobPath: `drops/${path}`, content: up.content, etag: up.etag, writtenAt: up.lastModified };
    let writes = 0;
    const flaky: IngestDeps = {
      ...deps,
      batching: { maxTenants: 1, maxRows: 1 },
      staging: {
        ...deps.staging,
        writeDocs: async (p, docs) => {
          // The first tenant is written, then the database "fails".
          if (++writes === 2) throw new Error("simulated outage");
          return deps.staging.writeDocs(p, docs);
        },
      },
    };
    await expect(ingestDrop(flaky, blob)).rejects.toThrow("simulated outage");
    expect((await records(partnerId)).map((r) => r.status)).toEqual(["validating"]);
    expect(await blobExists("drops", path)).toBe(true);
    const retry = await ingestDrop(deps, blob);
    expect(retry.status).toBe("loaded");
    expect((await records(partnerId)).map((r) => r.status)).toEqual(["loaded"]);
    expect((await partnerDocs(partnerId)).map((d) => d.months["2025-01"].Teams.assignedUsers)).toEqual([10, 10]);
  });

  it("takes over an ingestion whose worker went silent longer than the function timeout", async () => {
    const partnerId = nextPartner();
    const path = `${partnerId}/tenants/t.csv`;
    const up = await upload(path, tenantsCsv);
    const blob = { blobPath: `drops/${path}`, content: up.content, etag: up.etag, writtenAt: up.lastModified };
    // A worker claimed it an hour ago and then went silent in the middle of a write.
    const anHourAgo = new Date(now.getTime() - 60 * 60 * 1000);
    let wakeUp!: () => void;
    const stuck = new Promise<void>((resolve) => (wakeUp = resolve));
    const silent = ingestDrop(
      { ...deps, clock: () => anHourAgo, staging: { ...deps.staging, writeDocs: () => stuck.then(() => []) } },
      blob,
    );
    await expect.poll(async () => (await records(partnerId))[0]?.status).toBe("validating");
    const outcome = await ingestDrop(deps, blob);
    expect(outcome.status).toBe("loaded");
    // When the silent worker wakes up it notices it lost the claim and stops.
    wakeUp();
    expect(await silent).toEqual({ status: "skipped", ingestionId: outcome.ingestionId, reason: "taken over by another delivery" });
    expect((await records(partnerId)).map((r) => r.status)).toEqual(["loaded"]);
  });
});

describe("ingest: the blob-trigger function", () => {
  function context(triggerMetadata: Record<string, unknown>) {
    const logs: string[] = [];
    const errors: unknown[] = [];
    const ctx = new InvocationContext({
      functionName: "ingestDrop",
      invocationId: "test",
      triggerMetadata,
      logHandler: (level, ...args) => {
        if (level === "error") errors.push(args[0]);
        else logs.push(args.map(String).join(" "));
      },
    });
    return { ctx, logs, errors };
  }

  it("ingests the blob it is handed, with the ETag and time from the trigger metadata", async () => {
    const partnerId = nextPartner();
    const up = await upload(`${partnerId}/tenants/t.csv`, tenantsCsv);
    const { ctx, logs } = context({
      partnerId,
      dataset: "tenants",
      fileName: "t.csv",
      blobTrigger: `drops/${partnerId}/tenants/t.csv`,
      properties: { eTag: up.etag, lastModified: up.lastModified.toISOString(), contentLength: up.content.length },
    });
    await makeIngestDropHandler(deps)(up.content, ctx);
    const [record] = (await listIngestions(env.clients.containers, partnerId, { pageSize: 5 })).items;
    expect(record).toMatchObject({ status: "loaded", etag: up.etag.replace(/"/g, ""), counts: { rows: 2, loaded: 2 } });
    expect(logs.join("\n")).toContain(`(drops/${partnerId}/tenants/t.csv): loaded 2 of 2 rows into 2 documents (0 rejected)`);
  });

  it("reads the blob's ETag itself when the trigger passes none, and completes normally for a rejected file", async () => {
    const partnerId = nextPartner();
    const up = await upload(`${partnerId}/tenants/empty.csv`, "");
    const { ctx, errors } = context({ partnerId, dataset: "tenants", fileName: "empty.csv" });
    await makeIngestDropHandler(deps)(up.content, ctx);
    expect(errors).toEqual([]);
    const [record] = (await listIngestions(env.clients.containers, partnerId, { pageSize: 5 })).items;
    expect(record).toMatchObject({ status: "failed", reason: "file is empty", etag: up.etag.replace(/"/g, "") });
  });

  it("fails the invocation on an unexpected error so the platform retries it", async () => {
    const partnerId = nextPartner();
    const up = await upload(`${partnerId}/tenants/t.csv`, tenantsCsv);
    const broken: IngestDeps = {
      ...deps,
      ingestions: { ...deps.ingestions, create: () => Promise.reject(new Error("database unavailable")) },
    };
    const { ctx, errors } = context({ blobTrigger: `drops/${partnerId}/tenants/t.csv`, properties: { eTag: up.etag } });
    await expect(makeIngestDropHandler(broken)(up.content, ctx)).rejects.toThrow("database unavailable");
    expect(errors).toHaveLength(1);
    expect(await blobExists("drops", `${partnerId}/tenants/t.csv`)).toBe(true);
  });
});
