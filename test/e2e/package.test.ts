import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isNeverLoaded, packageApp, type PackageSummary } from "../../scripts/package.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";

// The deployable package (`npm run package`, what azd and the manual path deploy) runs on its own: its functions
// are served from the package folder, outside the project, so they can only resolve the production dependencies
// installed in it. A function that imports a development dependency would fail here before it fails in Azure.

const exec = promisify(execFile);
const require = createRequire(import.meta.url);
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

let env: TestEnvironment;
let compiledDir: string;
let packageDir: string;
let summary: PackageSummary;
let host: ChildProcess;
let baseUrl: string;
let apiKey: string;

beforeAll(async () => {
  env = await startTestEnvironment();
  compiledDir = await mkdtemp(path.join(projectRoot, "node_modules", ".cache-package-"));
  await exec(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json", "--outDir", compiledDir], { cwd: projectRoot });
  packageDir = path.join(await mkdtemp(path.join(os.tmpdir(), "poi-package-")), "app");
  summary = await packageApp({ outDir: packageDir, distDir: compiledDir, build: false, requirePage: false, log: () => {} });
  ({ key: apiKey } = await env.deps.api.auth.issue({ partnerId: "package-partner", role: "administrator", name: "package test" }));

  // The local host comes from the project; the function files, and everything they import, from the package.
  const script = [
    `const { startLocalHost } = await import(${JSON.stringify(path.join(compiledDir, "local", "host", "index.js"))});`,
    `const host = await startLocalHost({ settings: JSON.parse(process.env.HOST_SETTINGS), port: 0,`,
    `  functionsDir: ${JSON.stringify(path.join(packageDir, "dist", "functions"))}, hostJsonPath: ${JSON.stringify(path.join(packageDir, "host.json"))},`,
    `  pollIntervalMs: 100, log: () => {} });`,
    `console.log("READY " + host.baseUrl);`,
    `process.on("SIGTERM", () => host.stop().then(() => process.exit(0)));`,
  ].join("\n");
  host = spawn(process.execPath, ["--input-type=module", "-e", script], {
    cwd: packageDir,
    env: { ...process.env, HOST_SETTINGS: JSON.stringify(env.emulators.settings) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  host.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  baseUrl = await new Promise<string>((resolve, reject) => {
    host.once("exit", (code) => reject(new Error(`host exited with ${code}: ${stderr.slice(0, 2000)}`)));
    createInterface({ input: host.stdout! }).on("line", (line) => {
      if (line.startsWith("READY ")) resolve(line.slice(6));
    });
  });
}, 300_000);

afterAll(async () => {
  if (host && host.exitCode === null) {
    await new Promise<void>((resolve) => {
      host.once("exit", () => resolve());
      host.kill("SIGTERM");
    });
  }
  await env?.stop();
  if (compiledDir) await rm(compiledDir, { recursive: true, force: true });
  if (packageDir) await rm(path.dirname(packageDir), { recursive: true, force: true });
});

describe("the deployable package", () => {
  it("holds the runtime only: no development dependency, no sources, maps or tests", async () => {
    const pkg = JSON.parse(await readFile(path.join(packageDir, "package.json"), "utf8"));
    const root = JSON.parse(await readFile(path.join(projectRoot, "package.json"), "utf8"));
    expect(pkg.dependencies).toEqual(root.dependencies);
    expect(pkg).not.toHaveProperty("devDependencies");
    expect(pkg).not.toHaveProperty("scripts");
    expect(pkg.main).toBe(root.main);
    for (const dev of [...Object.keys(root.devDependencies), ...Object.keys(root.optionalDependencies ?? {})]) {
      expect(existsSync(path.join(packageDir, "node_modules", dev)), `${dev} is a development dependency`).toBe(false);
    }
    const files = (await readdir(packageDir, { recursive: true })).map(String);
    expect(files.filter((f) => isNeverLoaded(f))).toEqual([]);
    expect(files.some((f) => f.startsWith("test") || f.startsWith("local") || f.startsWith(path.join("dist", "local")))).toBe(false);
    expect(files).toContain(path.join("dist", "functions", "httpCloudEndpoints.js"));
    expect(files).toContain("host.json");
    // Small enough to deploy quickly: the project's own node_modules is over half a gigabyte.
    expect(summary.bytes).toBeLessThan(100 * 1024 * 1024);
  });

  it("runs every function from the package alone: health, OpenAPI and authenticated routes answer", async () => {
    const health = await fetch(`${baseUrl}/api/health`);
    expect(health.status).toBe(200);
    const openApi = await fetch(`${baseUrl}/api/openapi.json`);
    expect(((await openApi.json()) as { info: { title: string } }).info.title).toBe("Partner opportunity insights API");
    const who = await fetch(`${baseUrl}/api/me`, { headers: { "x-api-key": apiKey } });
    expect(await who.json()).toMatchObject({ partnerId: "package-partner", role: "administrator" });
    const list = await fetch(`${baseUrl}/api/cloud-endpoints`, { headers: { "x-api-key": apiKey } });
    expect(list.status).toBe(200);
    const mappings = await fetch(`${baseUrl}/api/identity-mappings`, { headers: { "x-api-key": apiKey } });
    expect(mappings.status).toBe(200);
  });
});
