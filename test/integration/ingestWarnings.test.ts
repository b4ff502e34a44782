import { HttpRequest, InvocationContext, type HttpResponseInit } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getIngestion } from "../../functions/httpIngestions.js";
import { routeHandler } from "../../shared/api/register.js";
import { routes } from "../../shared/api/routes.js";
import { names } from "../../shared/config.js";
import { ingestDrop, type IngestOutcome } from "../../shared/ingest/ingestDrop.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";

// The ingestion record a partner reads (GET /api/ingestions/{id}) warns about loaded rows whose values no tab
// will use, on the real emulators through the real ingest.

const partnerId = "warn-partner";
const t1 = "0f8fad5b-d9cb-469f-a165-70867728950e";
const t2 = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
let env: TestEnvironment;
let key: string;

beforeAll(async () => {
  env = await startTestEnvironment();
  key = (await env.deps.api.auth.issue({ partnerId, role: "reportViewer", name: "viewer" })).key;
}, 120_000);
afterAll(async () => {
  await env?.stop();
});

async function drop(dataset: string, fileName: string, text: string): Promise<IngestOutcome> {
  const path = `${partnerId}/${dataset}/${fileName}`;
  const content = Buffer.from(text, "utf8");
  const res = await env.clients.blobs.getContainerClient(names.blobContainers.drops).getBlockBlobClient(path).uploadData(content);
  return ingestDrop(env.deps.ingest, { blobPath: `drops/${path}`, content, etag: res.etag!, writtenAt: res.lastModified! });
}

async function record(outcome: IngestOutcome): Promise<{ status: string; counts: { loaded: number }; warnings: string[] }> {
  expect(outcome.status).toBe("loaded");
  const id = outcome.status === "loaded" ? outcome.record.id : "";
  const handler = routeHandler(routes.getIngestion, env.deps.api, getIngestion(env.deps.api));
  const req = new HttpRequest({ method: "GET", url: `http://localhost/api/ingestions/${id}`, headers: { "x-api-key": key }, params: { id } });
  const res = (await handler(req, new InvocationContext({ functionName: "test", logHandler: () => {} }))) as HttpResponseInit & { jsonBody: any };
  expect(res.status).toBe(200);
  return res.jsonBody;
}

describe("the ingestion record's warnings", () => {
  it("name the usage rows with workloads no tab reads, and the rows are loaded", async () => {
    const csv = [
      "tenantId,month,workload,assignedUsers,activeUsers",
      `${t1},2026-05,Exchange,10,8`,
      `${t1},2026-05,Yammer,10,8`,
      `${t2},2026-05,yammer,10,8`,
      `${t2},2026-05,Viva,4,1`,
    ].join("\n");
    const ingestion = await record(await drop("usage", "usage_2026-06-01.csv", csv));
    expect(ingestion.counts.loaded).toBe(4);
    expect(ingestion.warnings).toEqual([expect.stringMatching(/^3 usage rows name a workload no tab reads \(3 distinct: Yammer, yammer, Viva\)/)]);
  });

  it("name install-base products no catalogue knows and signal types without a weight, beside unknown columns", async () => {
    const installBase = ["tenantId,product,version,quantity,notes", `${t1},Windows Server,2012 R2,4,x`, `${t1},Lotus Notes,9,12,y`].join("\n");
    const ib = await record(await drop("installbase", "installbase_2026-06-01.csv", installBase));
    expect(ib.warnings).toEqual([expect.stringContaining("unknown column ignored: notes"), expect.stringMatching(/^1 install-base row names a product no catalogue knows \(1 distinct: Lotus Notes 9\)/)]);
    const signals = ["tenantId,signalType,observedOn,strength", `${t1},Demo request,2026-06-01,0.9`, `${t2},Podcast mention,2026-06-01,0.5`].join("\n");
    const sig = await record(await drop("signals", "signals_2026-06-01.csv", signals));
    expect(sig.warnings).toEqual([expect.stringMatching(/^1 signal names a type without a default weight \(1 distinct: Podcast mention\)/)]);
  });

  it("stay empty for a clean file", async () => {
    const csv = ["tenantId,month,workload,assignedUsers,activeUsers", `${t1},2026-04,Teams,10,8`].join("\n");
    expect((await record(await drop("usage", "usage_2026-05-01.csv", csv))).warnings).toEqual([]);
  });
});
