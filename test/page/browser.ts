import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { build } from "vite";
import { expect } from "vitest";

// Debian's Chromium driven by playwright-core (no browser download): the flags ARCHITECTURE.md gives and a
// fresh profile per run. Each page records its console errors and the requests it sends.

const require = createRequire(import.meta.url);
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const screenshotsDir = path.join(projectRoot, "docs", "screenshots");
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function startBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`No Chromium at ${chromiumPath}: install Debian's (apt-get install -y chromium, as .ci/run does) or set CHROMIUM_PATH`);
  }
  const profile = await mkdtemp(path.join(tmpdir(), "page-test-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: flags,
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    locale: "en-US",
    timezoneId: "UTC",
    acceptDownloads: true,
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export interface WatchedPage {
  page: Page;
  /** Console errors and uncaught exceptions, in order. */
  errors: string[];
  /** Every request the page sent: its URL and whether it carried an API key. */
  requests: { url: string; hasKey: boolean }[];
}

export async function openPage(context: BrowserContext, url: string): Promise<WatchedPage> {
  const page = await context.newPage();
  const watched: WatchedPage = { page, errors: [], requests: [] };
  page.on("console", (message) => {
    if (message.type() === "error") watched.errors.push(message.text());
  });
  page.on("pageerror", (error) => watched.errors.push(`uncaught: ${error.message}`));
  page.on("request", (request) => watched.requests.push({ url: request.url(), hasKey: "x-api-key" in request.headers() }));
  await page.goto(url);
  return watched;
}

export async function signIn(page: Page, apiKey: string): Promise<void> {
  await page.getByLabel("API key").fill(apiKey);
  await page.getByRole("button", { name: "Sign in" }).click();
}

let axeSource: string | undefined;

/** axe-core's serious and critical violations on the page as it is now (injected the way DevTools would, not as a page script). */
export async function seriousAccessibilityViolations(page: Page): Promise<{ id: string; impact: string; help: string; nodes: string[] }[]> {
  axeSource ??= await readFile(require.resolve("axe-core/axe.min.js"), "utf8");
  if (!(await page.evaluate("typeof window.axe !== 'undefined'"))) await page.evaluate(axeSource);
  const violations = (await page.evaluate(
    `axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) })))`,
  )) as { id: string; impact: string; help: string; nodes: string[] }[];
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** The cells of one column of the page's data table, by its header. */
export async function columnValues(page: Page, header: string): Promise<string[]> {
  const headers = (await page.locator("table.data-table thead th").allInnerTexts()).map((h) => h.replace(/[▲▼↕]/g, "").trim());
  const index = headers.indexOf(header);
  expect(index, `column "${header}" in ${headers.join(", ")}`).toBeGreaterThanOrEqual(0);
  return page.locator(`table.data-table tbody tr > :nth-child(${index + 1})`).allInnerTexts();
}

/** How long a poll waits for the page to show something (vitest's default, 1 s, is short for a busy 2-core machine). */
export const patience = { timeout: 15_000 };

/** The page as the focused tab: the clipboard and keyboard focus only work there. */
export async function inFront(watched: WatchedPage): Promise<Page> {
  await watched.page.bringToFront();
  return watched.page;
}

/** Takes a screenshot of the viewport; with UPDATE_SCREENSHOTS=1 (npm run screenshots) also writes it for the README. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const image = await page.screenshot({ fullPage: false });
  expect(image.byteLength).toBeGreaterThan(10_000);
  if (process.env.UPDATE_SCREENSHOTS === "1") {
    await mkdir(screenshotsDir, { recursive: true });
    await page.screenshot({ path: path.join(screenshotsDir, `${name}.png`), fullPage: false });
  }
}

/** The cells of one column of a table inside the region named `region`, by its header (sort marks left out). */
export async function regionColumn(page: Page, region: string, header: string): Promise<string[]> {
  const scope = page.getByRole("region", { name: region, exact: true });
  const headers = (await scope.locator("thead th").allInnerTexts()).map((h) => h.replace(/[▲▼↕]/g, "").trim());
  const index = headers.indexOf(header);
  expect(index, `column "${header}" in ${headers.join(", ")}`).toBeGreaterThanOrEqual(0);
  return scope.locator(`tbody tr > :nth-child(${index + 1})`).allInnerTexts();
}

/** Waits until the table in `region` has settled (no request in flight). */
export async function settled(page: Page, region: string): Promise<void> {
  await expect.poll(() => page.getByRole("region", { name: region, exact: true }).locator("table").getAttribute("aria-busy"), { timeout: 20_000 }).toBe("false");
}

/** The records of a downloaded CSV (header first). */
export async function csvRecords(bytes: Buffer): Promise<string[][]> {
  const { parseCsv } = await import("../../shared/ingest/csv.js");
  const records: string[][] = [];
  for await (const record of parseCsv((async function* () { yield bytes; })())) records.push(record.fields);
  return records;
}

/**
 * Builds the page from the current source into a folder of its own, then moves each file into dist/page with a
 * rename (atomic), so a page test running beside this one never sees a half-written or emptied folder.
 */
export async function buildPage(): Promise<void> {
  const out = await mkdtemp(path.join(tmpdir(), "page-build-"));
  try {
    await build({ configFile: path.join(projectRoot, "web", "vite.config.ts"), logLevel: "warn", build: { outDir: out, emptyOutDir: true } });
    for (const entry of await readdir(out, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const target = path.join(projectRoot, "dist", "page", path.relative(out, path.join(entry.parentPath, entry.name)));
      await mkdir(path.dirname(target), { recursive: true });
      const staged = `${target}.${process.pid}.tmp`;
      await copyFile(path.join(entry.parentPath, entry.name), staged);
      await rename(staged, target);
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
