import { execFileSync } from "node:child_process";
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

// `npm run package`: the deployable function app in one folder (default .deploy/), as small as it can be:
//   host.json, package.json (dependencies only), the compiled functions and shared code (no source maps),
//   the built page, and node_modules from `npm ci --omit=dev --omit=optional` (exact lockfile versions) without
//   the files Node never loads (source maps, TypeScript sources and declarations).
// azd deploys this folder (azure.yaml `dist: .deploy`); by hand, publish it (see the README). Nothing is built
// in Azure, and no development dependency (TypeScript, Vite, Azurite, the emulators, Core Tools) ships.

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface PackageSummary {
  outDir: string;
  files: number;
  bytes: number;
  /** Bytes per top-level part: code (dist), page, node_modules, the rest. */
  parts: Record<string, number>;
}

/** The package.json the app runs with: what the runtime reads, and the production dependencies. */
export function runtimePackageJson(pkg: Record<string, unknown>): Record<string, unknown> {
  const keep = ["name", "version", "description", "private", "type", "main", "engines", "dependencies"];
  return Object.fromEntries(keep.filter((k) => pkg[k] !== undefined).map((k) => [k, pkg[k]]));
}

/** Compiled files the app needs: JavaScript of functions/ and shared/ (source maps and declarations stay home). */
export const isRuntimeFile = (name: string) => name.endsWith(".js") || name.endsWith(".json");

/** Files in node_modules that Node never loads: source maps, TypeScript sources and declarations (about 60 % of the bytes). */
export const isNeverLoaded = (name: string) => /\.(map|ts|mts|cts)$/.test(name);

async function pruneNeverLoaded(dir: string): Promise<number> {
  let removed = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && isNeverLoaded(entry.name)) {
      await rm(path.join(entry.parentPath, entry.name));
      removed++;
    }
  }
  return removed;
}

async function sizeOf(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return { files, bytes };
}

const npm = process.platform === "win32" ? "npm.cmd" : "npm";

export interface PackageOptions {
  /** Where the package goes (emptied first). Default .deploy/. */
  outDir?: string;
  /** The compiled code and the built page. Default dist/. */
  distDir?: string;
  /** Run `npm run build` first. Default true. */
  build?: boolean;
  /** Fail without the built page. Default true (tests of the code alone turn it off). */
  requirePage?: boolean;
  log?: (line: string) => void;
}

export async function packageApp(options: PackageOptions = {}): Promise<PackageSummary> {
  const log = options.log ?? ((line: string) => console.error(line));
  const outDir = path.resolve(options.outDir ?? path.join(projectRoot, ".deploy"));
  const distDir = path.resolve(options.distDir ?? path.join(projectRoot, "dist"));
  const run = (command: string, args: string[], cwd: string) =>
    execFileSync(command, args, { cwd, stdio: ["ignore", "ignore", "inherit"], shell: process.platform === "win32" });
  if (options.build !== false) {
    log("Building (tsc and the page)…");
    run(npm, ["run", "build"], projectRoot);
  }
  log(`Staging the package in ${outDir}…`);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await cp(path.join(projectRoot, "host.json"), path.join(outDir, "host.json"));
  for (const part of ["functions", "shared"]) {
    await cp(path.join(distDir, part), path.join(outDir, "dist", part), {
      recursive: true,
      filter: async (source) => (await stat(source)).isDirectory() || isRuntimeFile(source),
    });
  }
  const page = path.join(distDir, "page");
  if (options.requirePage !== false || (await stat(page).catch(() => undefined))) {
    await cp(page, path.join(outDir, "dist", "page"), { recursive: true });
  }
  const pkg = JSON.parse(await readFile(path.join(projectRoot, "package.json"), "utf8")) as Record<string, unknown>;
  // npm ci against the real manifest and lockfile (exact versions), then the manifest is trimmed to what runs.
  await cp(path.join(projectRoot, "package.json"), path.join(outDir, "package.json"));
  await cp(path.join(projectRoot, "package-lock.json"), path.join(outDir, "package-lock.json"));
  log("Installing production dependencies (npm ci --omit=dev --omit=optional)…");
  run(npm, ["ci", "--omit=dev", "--omit=optional", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"], outDir);
  await writeFile(path.join(outDir, "package.json"), `${JSON.stringify(runtimePackageJson(pkg), null, 2)}\n`);
  await rm(path.join(outDir, "package-lock.json"));
  await rm(path.join(outDir, "node_modules", ".package-lock.json"), { force: true });
  log(`Removed ${await pruneNeverLoaded(path.join(outDir, "node_modules"))} source maps, TypeScript sources and declarations from node_modules.`);

  const parts: Record<string, number> = {};
  for (const [name, dir] of [
    ["code", path.join(outDir, "dist", "functions")],
    ["shared", path.join(outDir, "dist", "shared")],
    ["page", path.join(outDir, "dist", "page")],
    ["node_modules", path.join(outDir, "node_modules")],
  ] as const) {
    parts[name] = (await sizeOf(dir).catch(() => ({ bytes: 0 }))).bytes;
  }
  const total = await sizeOf(outDir);
  return { outDir, files: total.files, bytes: total.bytes, parts };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: "string" }, "no-build": { type: "boolean" } } });
  const summary = await packageApp({ outDir: values.out, build: !values["no-build"] });
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  console.error(
    `Package ready: ${summary.files} files, ${mb(summary.bytes)} unpacked ` +
      `(node_modules ${mb(summary.parts.node_modules)}, code ${mb(summary.parts.code + summary.parts.shared)}, page ${mb(summary.parts.page)}).`,
  );
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
