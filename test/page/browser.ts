import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { expect } from "vitest";

// Debian's Chromium driven by playwright-core (no browser download): the flags ARCHITECTURE.md gives and a
// fresh profile per run. Each page records its console errors and the requests it sends.

const require = createRequire(import.meta.url);
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
