import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";

// The compiled output, as `func` would load it: `tsc` to JavaScript, then the function files imported by
// plain Node (no tsx, no vitest transform), served by the local host. Catches what only breaks once built,
// such as a named import that @azure/functions does not export under Node's ESM loader.

const exec = promisify(execFile);
const require = createRequire(import.meta.url);
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

let env: TestEnvironment;
let outDir: string;
let host: ChildProcess;
let baseUrl: string;
let apiKey: string;

beforeAll(async () => {
  env = await startTestEnvironment();
  // Inside node_modules so the compiled files resolve the project's packages as dist/ would.
  outDir = await mkdtemp(path.join(projectRoot, "node_modules", ".cache-compiled-"));
  await exec(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json", "--outDir", outDir], { cwd: projectRoot });
  ({ key: apiKey } = await env.deps.api.auth.issue({ partnerId: "compiled-partner", role: "reportViewer", name: "compiled test" }));

  const script = [
    `const { startLocalHost } = await import(${JSON.stringify(path.join(outDir, "local", "host", "index.js"))});`,
    `const host = await startLocalHost({ settings: JSON.parse(process.env.HOST_SETTINGS), port: 0,`,
    `  functionsDir: ${JSON.stringify(path.join(outDir, "functions"))}, hostJsonPath: ${JSON.stringify(path.join(projectRoot, "host.json"))},`,
    `  pollIntervalMs: 100, log: () => {} });`,
    `console.log("READY " + host.baseUrl);`,
    `process.on("SIGTERM", () => host.stop().then(() => process.exit(0)));`,
  ].join("\n");
  host = spawn(process.execPath, ["--input-type=module", "-e", script], {
    cwd: projectRoot,
    env: { ...process.env, HOST_SETTINGS: JSON.stringify(env.emulators.settings) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  host.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  baseUrl = await new Promise<string>((resolve, reject) => {
    host.once("exit", (code) => reject(new Error(`compiled host exited with ${code}: ${stderr.slice(0, 2000)}`)));
    createInterface({ input: host.stdout! }).on("line", (line) => {
      if (line.startsWith("READY ")) resolve(line.slice(6));
    });
  });
}, 240_000);

afterAll(async () => {
  if (host && host.exitCode === null) {
    await new Promise<void>((resolve) => {
      host.once("exit", () => resolve());
      host.kill("SIGTERM");
    });
  }
  await env?.stop();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe("compiled functions under plain Node", () => {
  it("serve health and the OpenAPI document", async () => {
    expect((await fetch(`${baseUrl}/api/health`)).status).toBe(200);
    const openapi = (await (await fetch(`${baseUrl}/api/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(openapi.openapi).toMatch(/^3\.1/);
    expect(Object.keys(openapi.paths)).toContain("/cloud-endpoints");
  });

  it("authenticate and answer a partner's list before its first refresh", async () => {
    expect((await fetch(`${baseUrl}/api/cloud-endpoints`)).status).toBe(401);
    const res = await fetch(`${baseUrl}/api/cloud-endpoints`, { headers: { "x-api-key": apiKey } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe("notRefreshedYet");
  });

  it("ingest a dropped file through the compiled blob trigger and refresh the partner", async () => {
    const csv =
      "tenantId,tenantName,segment,cspAssociation\r\n" +
      "0b6c1e52-5f7a-4c1e-9d7b-3a2f4e5d6c7b,Northwind Traders,Enterprise,Yes\r\n";
    await env.clients.blobs
      .getContainerClient("drops")
      .getBlockBlobClient("compiled-partner/tenants/compiled.csv")
      .upload(csv, Buffer.byteLength(csv));
    const deadline = Date.now() + 60_000;
    let status: string | undefined;
    let refreshed = false;
    while (Date.now() < deadline && !(status === "loaded" && refreshed)) {
      await new Promise((r) => setTimeout(r, 200));
      const ingestions = (await (await fetch(`${baseUrl}/api/ingestions`, { headers: { "x-api-key": apiKey } })).json()) as {
        items: { fileName: string; status: string }[];
      };
      status = ingestions.items.find((i) => i.fileName === "compiled.csv")?.status;
      const list = (await (await fetch(`${baseUrl}/api/cloud-endpoints`, { headers: { "x-api-key": apiKey } })).json()) as { status: string };
      refreshed = list.status === "ready";
    }
    expect(status).toBe("loaded");
    expect(refreshed).toBe(true);
  });
});
