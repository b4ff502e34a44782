import { execFile } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The azd post-deploy hook run as azd runs it: plain node, the azd environment as environment variables, and an
// `azd` on the PATH (here a stand-in that records its arguments and can fail `provision`). The app's health
// endpoint is a loopback server. No Azure is involved: what Azure does with `azd provision` is not tested here.

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const hook = path.join(projectRoot, "scripts", "hooks", "postdeploy.mjs");

let dir: string;
let server: Server;
let appUrl: string;
let healthRequests = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "poi-hook-"));
  // The stand-in azd: appends its arguments to calls.jsonl; `provision` fails while fail-count says so.
  const fakeAzd = [
    "#!/usr/bin/env node",
    'const fs = require("node:fs"); const path = require("node:path");',
    "const dir = process.env.FAKE_AZD_DIR;",
    'fs.appendFileSync(path.join(dir, "calls.jsonl"), JSON.stringify(process.argv.slice(2)) + "\\n");',
    'if (process.argv[2] === "provision") {',
    '  const file = path.join(dir, "fail-count"); const left = fs.existsSync(file) ? Number(fs.readFileSync(file, "utf8")) : 0;',
    '  if (left > 0) { fs.writeFileSync(file, String(left - 1)); console.error("provision failed (fake)"); process.exit(1); }',
    "}",
  ].join("\n");
  await writeFile(path.join(dir, "azd"), fakeAzd);
  await chmod(path.join(dir, "azd"), 0o755);
  server = createServer((req, res) => {
    if (req.url === "/api/health") healthRequests++;
    res.writeHead(req.url === "/api/health" ? 200 : 404, { "content-type": "application/json" }).end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface HookRun {
  code: number;
  output: string;
  calls: string[][];
}

async function runHook(azdEnv: Record<string, string>, provisionFailures = 0): Promise<HookRun> {
  await rm(path.join(dir, "calls.jsonl"), { force: true });
  await writeFile(path.join(dir, "fail-count"), String(provisionFailures));
  const env = {
    PATH: `${dir}${path.delimiter}${process.env.PATH}`,
    FAKE_AZD_DIR: dir,
    POI_HOOK_WAKE_SECONDS: "5",
    POI_HOOK_RETRY_SECONDS: "0",
    ...azdEnv,
  };
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(process.execPath, [hook], { env, cwd: projectRoot }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr });
    });
  });
  const calls = (await readFile(path.join(dir, "calls.jsonl"), "utf8").catch(() => ""))
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as string[]);
  return { code, output, calls };
}

const outputs = () => ({
  AZURE_FUNCTION_APP_NAME: "poi-func-abc",
  AZURE_FUNCTION_APP_URL: appUrl,
  COSMOS_ENDPOINT: "https://poi-cosmos-abc.documents.azure.com:443/",
  AZURE_STORAGE_BLOB_ENDPOINT: "https://poistabc.blob.core.windows.net/",
});

describe("azd post-deploy hook", () => {
  it("wakes the app, then runs the second pass: DEPLOY_DROP_SUBSCRIPTION=true and azd provision", async () => {
    const before = healthRequests;
    const run = await runHook({ ...outputs(), DROP_SUBSCRIPTION_DEPLOYED: "false" });
    expect(run.code, run.output).toBe(0);
    expect(healthRequests - before).toBeGreaterThan(0);
    expect(run.calls).toEqual([
      ["env", "set", "DEPLOY_DROP_SUBSCRIPTION", "true"],
      ["provision", "--no-prompt"],
    ]);
  });

  it("does nothing more once the subscription is deployed", async () => {
    const run = await runHook({ ...outputs(), DROP_SUBSCRIPTION_DEPLOYED: "true" });
    expect(run.code).toBe(0);
    expect(run.calls).toEqual([]);
    expect(run.output).toContain("already reach the ingestDrop blob trigger");
  });

  it("prints how to issue the first administrator key, with this deployment's endpoints, for bash and PowerShell", async () => {
    const run = await runHook({ ...outputs(), DROP_SUBSCRIPTION_DEPLOYED: "true" });
    expect(run.output).toContain("export COSMOS_ENDPOINT='https://poi-cosmos-abc.documents.azure.com:443/'");
    expect(run.output).toContain("export AzureWebJobsStorage__blobServiceUri='https://poistabc.blob.core.windows.net/'");
    expect(run.output).toContain("$env:COSMOS_ENDPOINT = 'https://poi-cosmos-abc.documents.azure.com:443/'");
    expect(run.output).toContain('npm run keys -- issue --partner <partner-id> --role administrator --name "First administrator"');
  });

  it("retries a failed provision, and after the last failure resets the flag, says how to retry and fails", async () => {
    const retried = await runHook({ ...outputs() }, 1);
    expect(retried.code, retried.output).toBe(0);
    expect(retried.calls.filter((c) => c[0] === "provision")).toHaveLength(2);

    const failed = await runHook({ ...outputs(), POI_HOOK_PROVISION_ATTEMPTS: "2" }, 5);
    expect(failed.code).not.toBe(0);
    expect(failed.calls).toEqual([
      ["env", "set", "DEPLOY_DROP_SUBSCRIPTION", "true"],
      ["provision", "--no-prompt"],
      ["provision", "--no-prompt"],
      ["env", "set", "DEPLOY_DROP_SUBSCRIPTION", "false"],
    ]);
    expect(failed.output).toContain("azd env set DEPLOY_DROP_SUBSCRIPTION true && azd provision");
    expect(failed.output).toContain("the sweep finds them within a");
    // The key instructions are printed all the same.
    expect(failed.output).toContain("npm run keys -- issue");
  });

  it("stops with a clear message when the environment has no outputs yet", async () => {
    const run = await runHook({});
    expect(run.code).not.toBe(0);
    expect(run.output).toContain("run `azd provision` first");
    expect(run.calls).toEqual([]);
  });
});
