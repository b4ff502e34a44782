import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { salesMotions } from "../../shared/domain/cloudEndpoints/index.js";
import { startDemo, type Demo } from "../../local/start.js";

// What `npm start` does, end to end: emulators, the functions on the local host, the demo partners' files
// ingested through the blob trigger and refreshed, a deal scoring model trained and published; then the curl
// calls it prints, run as printed.

const exec = promisify(execFile);

let demo: Demo;
let workDir: string;
const logs: string[] = [];

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), "npm-start-e2e-"));
  demo = await startDemo({ port: 0, host: "local", log: (line) => logs.push(line), readyTimeoutMs: 120_000 });
}, 180_000);

afterAll(async () => {
  await demo?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** Runs a printed example exactly as a user would paste it into a shell. */
async function runExample(index: number): Promise<string> {
  const { stdout } = await exec("sh", ["-c", demo.examples[index].command], { cwd: workDir, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

describe("npm start", () => {
  it("issues an administrator key for the demo partner and prints seven curl examples against its base URL", () => {
    expect(demo.partnerId).toBe("contoso-demo");
    expect(demo.apiKey).toMatch(/^poi_contoso-demo_/);
    expect(demo.secondPartner.apiKey).toMatch(/^poi_fabrikam-demo_/);
    expect(demo.examples).toHaveLength(7);
    for (const [i, example] of demo.examples.entries()) {
      expect(example.command).toMatch(/^curl /);
      expect(example.command).toContain(demo.baseUrl);
      // The last one is the second demo partner's, with its own key.
      expect(example.command).toContain(i === 6 ? demo.secondPartner.apiKey : demo.apiKey);
    }
  });

  it("ingested the demo drops through the blob trigger", () => {
    for (const dataset of ["tenants", "subscriptions", "usage", "incentives", "signals", "installbase"]) {
      expect(logs.some((l) => l.includes(`contoso-demo/${dataset}/demo-`) && l.includes("loaded")), dataset).toBe(true);
    }
    // Deals are monthly CRM snapshots, each a drop named with its date.
    expect(logs.filter((l) => /contoso-demo\/deals\/deals-\d{4}-\d{2}-\d{2}\.csv\): loaded/.test(l)).length).toBe(7);
  });

  it("example 1 lists Land W365 tenants", async () => {
    const page = JSON.parse(await runExample(0)) as { items: { salesMotion: string }[] };
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.length).toBeLessThanOrEqual(5);
    expect(page.items.every((row) => row.salesMotion === "Land W365")).toBe(true);
  });

  it("example 2 returns the KPI tiles, with tenants in every sales motion", async () => {
    const summary = JSON.parse(await runExample(1)) as { kpis: { tenants: number; salesMotions: Record<string, number> } };
    expect(summary.kpis.tenants).toBeGreaterThan(100);
    for (const motion of salesMotions) expect(summary.kpis.salesMotions[motion], motion).toBeGreaterThan(0);
  });

  it("example 3 writes an Excel-friendly CSV export of the Expand W365 tenants", async () => {
    await runExample(2);
    const csv = await readFile(path.join(workDir, "cloud-endpoints.csv"), "utf8");
    expect(csv.startsWith("\uFEFFTenant Name,Tenant ID,")).toBe(true);
    const lines = csv.trim().split(/\r?\n/);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.slice(1).every((line) => line.includes(",Expand W365,"))).toBe(true);
  });

  it("example 4 lists High-probability opportunities, newest first, learnt from the demo partner's 15 monthly snapshots", async () => {
    const page = JSON.parse(await runExample(3)) as { items: { status: string; basis: string; insights: string[]; recommendation: string }[] };
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.length).toBeLessThanOrEqual(5);
    for (const o of page.items) {
      expect(o.status).toBe("High");
      expect(o.insights.length).toBeGreaterThan(0);
    }
    expect(logs.filter((l) => /contoso-demo\/subscriptions\/demo-\d{4}-\d{2}-01\.csv/.test(l) && l.includes("loaded"))).toHaveLength(15);
    const models = (await (await fetch(`${demo.baseUrl}/api/opportunity-models`, { headers: { "x-api-key": demo.apiKey } })).json()) as { models: { modelId: string; basis: string }[] };
    expect(models.models.filter((m) => m.basis === "ml" || m.basis === "tree").map((m) => m.modelId).sort()).toEqual(
      ["bSkuUpsell", "churnRisk", "eSkuUpsell", "mdbGrowth", "mdoGrowth", "mfaEngagement"],
    );
  });

  it("the second demo partner has one snapshot: its learnt models fall back to their priors and say what they need", async () => {
    const headers = { "x-api-key": demo.secondPartner.apiKey };
    const models = (await (await fetch(`${demo.baseUrl}/api/opportunity-models`, { headers })).json()) as { models: { basis: string; dataNeeded?: { message: string } }[] };
    const priors = models.models.filter((m) => m.basis === "prior");
    expect(priors).toHaveLength(6);
    expect(priors.every((m) => m.dataNeeded?.message.includes("needs 40 more"))).toBe(true);
    const page = (await (await fetch(`${demo.baseUrl}/api/opportunities?pageSize=50`, { headers })).json()) as { items: { basis: string }[] };
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((o) => o.basis === "prior" || o.basis === "rule")).toBe(true);
  });

  it("example 5 lists Act now customers with their propensities and why", async () => {
    const page = JSON.parse(await runExample(4)) as {
      items: { cluster: string; customerType: string; fitFactors: string[]; products: unknown[] }[];
    };
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.length).toBeLessThanOrEqual(5);
    expect(page.items.every((row) => row.cluster === "Act now" && row.customerType === "Customer")).toBe(true);
    expect(page.items.some((row) => row.fitFactors.length > 0 && row.products.length > 0)).toBe(true);
  });

  it("example 6 lists the demo partner's scored open deals, highest first, with grade, trend and top factors in words", async () => {
    const page = JSON.parse(await runExample(5)) as {
      items: { score: number; grade: string; trend: string; topPositive: { text: string }[]; topNegative: { text: string }[] }[];
    };
    expect(page.items).toHaveLength(5);
    expect(page.items.map((d) => d.score)).toEqual([...page.items.map((d) => d.score)].sort((a, b) => b - a));
    for (const deal of page.items) {
      expect(["A", "B", "C", "D"]).toContain(deal.grade);
      expect(deal.trend).toBe("Not enough info");
      expect([...deal.topPositive, ...deal.topNegative].length).toBeGreaterThan(0);
    }
  });

  it("example 7 shows the second demo partner's training refused, with the counts it has and needs", async () => {
    const answer = JSON.parse(await runExample(6)) as { error: { field: string; details: { won: { have: number; need: number }; lost: { have: number; need: number } } } };
    expect(answer.error.field).toBe("trainingWindowMonths");
    expect(answer.error.details.won.need).toBe(40);
    expect(answer.error.details.won.have < 40 || answer.error.details.lost.have < 40).toBe(true);
  });

  it("the printed drop example asks POST /api/uploads for a URL and uploads a file of your own, which is ingested with its bad row reported", async () => {
    expect(demo.dropExample.command).toContain(`'${demo.baseUrl}/api/uploads'`);
    // The key travels in a header only; the storage URL comes from the API, valid for that one blob.
    expect(demo.dropExample.command).toContain(`-H 'x-api-key: ${demo.apiKey}'`);
    expect(demo.dropExample.command).not.toMatch(/devstoreaccount1\/drops\?/);
    await writeFile(
      path.join(workDir, "tenants.csv"),
      "tenantId,tenantName,segment\r\n" +
        "6f1c2a3b-0000-4000-8000-000000000001,Fabrikam Retail,Enterprise\r\n" +
        "not-a-guid,Broken Row,SMB\r\n",
    );
    await exec("sh", ["-c", demo.dropExample.command], { cwd: workDir });
    const headers = { "x-api-key": demo.apiKey };
    const deadline = Date.now() + 60_000;
    let record: { fileName: string; status: string; counts: { loaded: number; rejected: number }; errors: { line: number; column?: string }[] } | undefined;
    while (Date.now() < deadline) {
      const res = await fetch(`${demo.baseUrl}/api/ingestions?pageSize=20`, { headers });
      const page = (await res.json()) as { items: NonNullable<typeof record>[] };
      record = page.items.find((i) => i.fileName === "my-tenants.csv" && (i.status === "loaded" || i.status === "failed"));
      if (record) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(record?.status).toBe("loaded");
    expect(record?.counts).toMatchObject({ loaded: 1, rejected: 1 });
    expect(record?.errors[0]).toMatchObject({ line: 3, column: "tenantId" });
  });
});
