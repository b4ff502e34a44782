import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemo, type Demo } from "../../local/start.js";
import { parseCsv } from "../../shared/ingest/csv.js";
import { dealScoringFlow } from "./dealScoringFlow.js";
import { opportunitiesFlow } from "./opportunitiesFlow.js";
import { propensityFlow } from "./propensityFlow.js";
import { buildPage, columnValues, inFront, openPage, patience, screenshot, seriousAccessibilityViolations, signIn, startBrowser, type Browser, type WatchedPage } from "./browser.js";

// The web page in a real browser (Debian's Chromium) against what `npm start` runs: the emulators, the
// functions on the local host and the demo partner's data. UPDATE_SCREENSHOTS=1 (npm run screenshots) also
// writes the screenshots the README shows into docs/screenshots/.


let demo: Demo;
let browser: Browser;
let viewerKey: string;
/** The administrator's session, used across the tests in order. */
let admin: WatchedPage;

beforeAll(async () => {
  // The page is built from the current source, exactly as `npm start` and `npm run build` build it.
  await buildPage();
  demo = await startDemo({ port: 0, host: "local", log: () => undefined, readyTimeoutMs: 150_000 });
  const created = await fetch(`${demo.baseUrl}/api/keys`, {
    method: "POST",
    headers: { "x-api-key": demo.apiKey, "content-type": "application/json" },
    body: JSON.stringify({ name: "page test viewer", role: "reportViewer" }),
  });
  viewerKey = ((await created.json()) as { key: string }).key;
  browser = await startBrowser();
  await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: demo.baseUrl });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

const table = (page: Page) => page.locator("table.data-table");
const rows = (page: Page) => page.locator("table.data-table tbody tr");

/** Waits until the tenants table has settled (no request in flight) and answers its rows' values of a column. */
async function settledColumn(page: Page, header: string): Promise<string[]> {
  await expect.poll(() => table(page).getAttribute("aria-busy"), { timeout: 20_000 }).toBe("false");
  return columnValues(page, header);
}

describe("the web page", () => {
  it("is served at the site root with a strict Content-Security-Policy, and its hashed assets cached and compressed", async () => {
    const index = await fetch(`${demo.baseUrl}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(index.headers.get("cache-control")).toBe("no-store");
    expect(index.headers.get("x-content-type-options")).toBe("nosniff");
    const csp = index.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await index.text();
    // No inline script: the only script is a file of the page's own origin.
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();

    const compressed = await fetch(`${demo.baseUrl}${script}`, { headers: { "accept-encoding": "br, gzip" } });
    expect(compressed.status).toBe(200);
    expect(compressed.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(compressed.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(compressed.headers.get("content-encoding")).toBe("br");
    expect((await compressed.text()).length).toBeGreaterThan(1000);
    const gzip = await fetch(`${demo.baseUrl}${script}`, { headers: { "accept-encoding": "gzip" } });
    expect(gzip.headers.get("content-encoding")).toBe("gzip");
    await gzip.arrayBuffer();
  });

  it("leaves every /api path to the API: an unknown one is 404, a known route with a wrong method 405", async () => {
    for (const unknown of ["/api", "/api/", "/api/no-such-route", "/api/cloud-endpoints/summary/extra"]) {
      const res = await fetch(`${demo.baseUrl}${unknown}`, { headers: { "x-api-key": demo.apiKey } });
      expect(res.status, unknown).toBe(404);
      expect(res.headers.get("content-type"), unknown).not.toMatch(/text\/html/);
      await res.arrayBuffer();
    }
    const wrongMethod = await fetch(`${demo.baseUrl}/api/refresh`, { headers: { "x-api-key": demo.apiKey } });
    expect(wrongMethod.status).toBe(405);
    expect((await fetch(`${demo.baseUrl}/assets/no-such-file.js`)).status).toBe(404);
    expect((await fetch(`${demo.baseUrl}/cloud-endpoints`)).status).toBe(404);
  });

  it("tells the page who a key belongs to (GET /api/me), and refuses a wrong key with 401", async () => {
    const me = await fetch(`${demo.baseUrl}/api/me`, { headers: { "x-api-key": viewerKey } });
    expect(me.status).toBe(200);
    expect(me.headers.get("cache-control")).toBe("no-store");
    const body = (await me.json()) as { partnerId: string; role: string; keyId: string };
    expect(body).toEqual({ partnerId: "contoso-demo", role: "reportViewer", keyId: expect.stringMatching(/^k_/) });
    expect((await fetch(`${demo.baseUrl}/api/me`, { headers: { "x-api-key": "poi_contoso-demo_wrong" } })).status).toBe(401);
  });

  it("says clearly when a key is wrong, and stays on the sign-in", async () => {
    const { page, errors } = await openPage(browser.context, demo.baseUrl);
    await signIn(page, "poi_contoso-demo_not-a-real-key");
    await expect.poll(() => page.getByRole("alert").innerText(), patience).toMatch(/This API key was not accepted/);
    expect(await page.getByLabel("API key").isVisible()).toBe(true);
    expect(await page.evaluate("sessionStorage.length")).toBe(0);
    // The browser logs the 401 answer itself; nothing else may be logged.
    expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, "sign-in");
    await page.close();
  });

  it("signs in with the demo key, keeps it for this tab only and opens Cloud Endpoints with tiles, five charts and the table", async () => {
    admin = await openPage(browser.context, demo.baseUrl);
    const page = await inFront(admin);
    await signIn(page, demo.apiKey);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).innerText(), { timeout: 20_000 }).toBe("Cloud Endpoints (Windows 365)");
    expect(await page.evaluate("sessionStorage.getItem('poi.apiKey')")).toBe(demo.apiKey);
    expect(await page.evaluate("localStorage.length")).toBe(0);
    expect(await page.locator(".top-bar").innerText()).toMatch(/contoso-demo · Administrator/);

    const tiles = page.getByRole("list", { name: "Key figures" });
    await expect.poll(() => tiles.locator(".tile").count(), patience).toBe(5);
    expect(Number((await tiles.locator(".tile-value").first().innerText()).replace(/,/g, ""))).toBeGreaterThan(100);
    expect(await page.locator(".motion-tile").count()).toBe(7);
    expect(await page.locator("figure.chart-card canvas").count()).toBe(5);
    expect(await page.locator("figure.chart-card figcaption").allInnerTexts()).toEqual([
      "Tenants by segment",
      "W365 penetration (tenants)",
      "Tenants by sales motion",
      "Tenants by renewal period",
      "Potential earnings by workshop",
    ]);
    // The default columns in the portal's order; the hidden ones only on request.
    await expect.poll(() => rows(page).count(), patience).toBe(50);
    const headers = (await page.locator("table.data-table thead th").allInnerTexts()).map((h) => h.replace(/[▲▼↕]/g, "").trim());
    expect(headers.slice(0, 3)).toEqual(["Tenant Name", "Tenant ID", "Tenant Domain"]);
    expect(headers).toContain("Sales Motion");
    expect(headers).not.toContain("Industry/Vertical");
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, "cloud-endpoints");
  });

  it("sends the key only to its own origin, in a header", () => {
    const origin = new URL(demo.baseUrl).origin;
    const withKey = admin.requests.filter((r) => r.hasKey);
    expect(withKey.length).toBeGreaterThan(2);
    for (const request of withKey) expect(new URL(request.url).origin).toBe(origin);
    expect(admin.requests.every((r) => !r.url.includes(demo.apiKey))).toBe(true);
  });

  it("filters the table by the sales motion whose bar is clicked", async () => {
    const page = await inFront(admin);
    const chart = page.locator('canvas[data-chart="Tenants by sales motion"]');
    const box = (await chart.boundingBox())!;
    // Right of the axis labels, in the middle band: the bar of that band (a click anywhere in a band picks its bar).
    await chart.click({ position: { x: box.width * 0.8, y: box.height * 0.45 } });
    const chip = page.getByRole("list", { name: "Filters in force" });
    await expect.poll(() => chip.innerText(), patience).toMatch(/Sales motion: /);
    const motion = /Sales motion: ([^\n×]+)/.exec(await chip.innerText())![1].trim();
    expect(await page.getByLabel("Sales motion", { exact: true }).inputValue()).toBe(motion);
    const motions = await settledColumn(page, "Sales Motion");
    expect(motions.length).toBeGreaterThan(0);
    expect(new Set(motions)).toEqual(new Set([motion]));
    // The same filter from the motion's tile count.
    const tile = page.locator(".motion-tile", { hasText: motion });
    expect(await tile.getAttribute("aria-pressed")).toBe("true");
    await page.evaluate("document.getElementById('table-title').scrollIntoView()");
    await screenshot(page, "cloud-endpoints-table");
    await page.evaluate("window.scrollTo(0, 0)");
  });

  it("filters by segment from the segment chart, and removing the chips restores the whole list", async () => {
    const page = await inFront(admin);
    await page.getByRole("button", { name: "Clear all" }).click();
    const chart = page.locator('canvas[data-chart="Tenants by segment"]');
    const box = (await chart.boundingBox())!;
    await chart.click({ position: { x: box.width * 0.3, y: box.height * 0.5 } });
    const chips = page.getByRole("list", { name: "Filters in force" });
    await expect.poll(() => chips.innerText(), patience).toMatch(/Segment: /);
    const segment = /Segment: ([^\n×]+)/.exec(await chips.innerText())![1].trim();
    const segments = await settledColumn(page, "Tenant Segment");
    expect(new Set(segments)).toEqual(new Set([segment]));
    // The segment list shows the same filter, and choosing "All segments" there removes it.
    const segmentList = page.getByLabel("Segment", { exact: true });
    expect(await segmentList.inputValue()).toBe(segment);
    await segmentList.selectOption("");
    await expect.poll(() => chips.count(), patience).toBe(0);
    await segmentList.selectOption(segment);
    await expect.poll(() => chips.innerText(), patience).toMatch(/Segment: /);
    expect(new Set(await settledColumn(page, "Tenant Segment"))).toEqual(new Set([segment]));
    await page.getByRole("button", { name: `Remove filter Segment: ${segment}` }).click();
    await expect.poll(() => chips.count(), patience).toBe(0);
    expect((await settledColumn(page, "Tenant Segment")).length).toBe(50);
  });

  it("finds a tenant by a word of its name", async () => {
    const page = await inFront(admin);
    // A tenant from the second page, so finding it is the search's doing.
    await page.getByRole("button", { name: "Next" }).click();
    await expect.poll(() => page.locator(".pager-status").innerText(), patience).toMatch(/Page 2/);
    const wanted = (await settledColumn(page, "Tenant Name"))[7];
    await page.getByRole("button", { name: "Previous" }).click();
    await page.getByLabel("Search tenants").fill(wanted);
    await page.getByLabel("Search tenants").press("Enter");
    await expect.poll(async () => (await settledColumn(page, "Tenant Name")).includes(wanted), { timeout: 20_000 }).toBe(true);
    const names = await settledColumn(page, "Tenant Name");
    expect(names.length).toBeLessThan(50);
    await page.getByLabel("Search tenants").fill("no tenant is called this");
    await page.getByLabel("Search tenants").press("Enter");
    await expect.poll(() => page.getByText("No tenants match these filters.").count(), patience).toBe(1);
    await page.getByRole("button", { name: "Clear filters" }).click();
    await expect.poll(() => rows(page).count(), patience).toBe(50);
  });

  it("sorts by a column, pages with continuation tokens and shows a hidden column on request", async () => {
    const page = await inFront(admin);
    await page.getByRole("button", { name: /^W365 Whitespace/ }).click();
    await expect.poll(() => page.locator('th[aria-sort="descending"]').innerText(), patience).toMatch(/W365 Whitespace/);
    const whitespace = (await settledColumn(page, "W365 Whitespace")).map((v) => Number(v.replace(/,/g, "")));
    expect(whitespace).toEqual([...whitespace].sort((a, b) => b - a));
    await page.getByRole("button", { name: "Next" }).click();
    await expect.poll(() => page.locator(".pager-status").innerText(), patience).toMatch(/Page 2 · rows 51–/);
    const second = (await settledColumn(page, "W365 Whitespace")).map((v) => Number(v.replace(/,/g, "")));
    expect(second[0]).toBeLessThanOrEqual(whitespace[whitespace.length - 1]);

    await page.getByText("More columns").click();
    await page.getByLabel("Industry/Vertical").check();
    await expect.poll(async () => (await page.locator("table.data-table thead th").allInnerTexts()).some((h) => h.startsWith("Industry/Vertical")), patience).toBe(true);
    const industries = await settledColumn(page, "Industry/Vertical");
    expect(industries.filter((v) => v !== "–").length).toBeGreaterThan(0);
    await page.getByLabel("Industry/Vertical").uncheck();
    await page.getByText("More columns").click();
  });

  it("exports the filtered view as a CSV download (key in a header, not the URL) that parses", async () => {
    const page = await inFront(admin);
    await page.getByLabel("Sales motion", { exact: true }).selectOption("Expand W365");
    await settledColumn(page, "Sales Motion");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^cloud-endpoints-contoso-demo-\d{4}-\d{2}-\d{2}\.csv$/);
    const bytes = await readFile(await download.path());
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const records: string[][] = [];
    for await (const record of parseCsv((async function* () { yield bytes; })())) records.push(record.fields);
    const [header, ...data] = records;
    expect(header.slice(0, 2)).toEqual(["Tenant Name", "Tenant ID"]);
    const motion = header.indexOf("Sales Motion");
    expect(data.length).toBeGreaterThan(0);
    expect(data.every((row) => row.length === header.length && row[motion] === "Expand W365")).toBe(true);
    expect(admin.requests.filter((r) => r.url.includes("/export")).every((r) => r.hasKey && !r.url.includes("poi_"))).toBe(true);
    await page.getByRole("button", { name: "Clear all" }).click();
  });

  it("shows the recent ingestions with counts, and a dropped file's row errors by line, column and reason", async () => {
    // A file of one good and one bad row, uploaded the way the printed drop example does: POST /api/uploads, then PUT.
    const grant = await fetch(`${demo.baseUrl}/api/uploads`, {
      method: "POST",
      headers: { "x-api-key": demo.apiKey, "content-type": "application/json" },
      body: JSON.stringify({ dataset: "usage", fileName: "page-test-usage.csv" }),
    });
    expect(grant.status).toBe(201);
    const { uploadUrl: url } = (await grant.json()) as { uploadUrl: string };
    const csv = "tenantId,month,workload,assignedUsers,activeUsers\r\n" +
      "6f1c2a3b-0000-4000-8000-0000000000aa,2026-01,Teams,10,5\r\n" +
      "6f1c2a3b-0000-4000-8000-0000000000aa,2026-13,Teams,10,5\r\n";
    const put = await fetch(url, { method: "PUT", headers: { "x-ms-blob-type": "BlockBlob", "content-type": "text/csv" }, body: csv });
    expect(put.status).toBe(201);

    const page = await inFront(admin);
    await page.getByRole("link", { name: "Data" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).innerText(), patience).toBe("Data");
    const ingestions = page.getByRole("region", { name: "Ingestions table" });
    await expect.poll(() => ingestions.innerText(), { timeout: 20_000 }).toMatch(/demo-\d{4}-\d{2}-\d{2}\.csv/);
    expect(await ingestions.getByText("Loaded", { exact: true }).count()).toBeGreaterThanOrEqual(4);
    // The page looks again by itself while the drop is read and the results catch up.
    const row = ingestions.locator("tbody > tr", { hasText: "page-test-usage.csv" });
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => row.locator(".badge").innerText(), { timeout: 30_000 }).toBe("Loaded");
    await row.getByText("1 row error").click();
    const error = row.locator(".errors-table tbody tr");
    expect(await error.locator("td").allInnerTexts()).toEqual(["3", "month", expect.stringMatching(/month/i)]);
    await expect.poll(() => page.locator(".banner").innerText(), { timeout: 30_000 }).toMatch(/up to date/);
    expect(await page.getByLabel("Dataset", { exact: true }).inputValue()).toBe("tenants");
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, "data");
  });

  it("lets an administrator issue a key (shown once, copyable) and revoke it after confirming; its session then returns to the sign-in", async () => {
    const page = await inFront(admin);
    await page.getByRole("link", { name: "Keys" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).innerText(), patience).toBe("API keys");
    const keys = page.getByRole("region", { name: "Keys table" });
    await expect.poll(() => keys.innerText(), patience).toMatch(/npm start demo administrator \(this session\)/);
    await page.getByLabel("Name", { exact: true }).fill("Page test reporting");
    await page.getByLabel("Role", { exact: true }).selectOption("reportViewer");
    await page.getByRole("button", { name: "Issue key" }).click();
    const shown = page.getByLabel("New API key");
    await expect.poll(() => shown.inputValue(), patience).toMatch(/^poi_contoso-demo_/);
    const issued = await shown.inputValue();
    await page.getByRole("button", { name: "Copy" }).click();
    await expect.poll(() => page.getByText("Copied to the clipboard.").count(), patience).toBe(1);
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(issued);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, "keys");
    await page.getByRole("button", { name: "Done" }).click();
    await expect.poll(() => shown.count(), patience).toBe(0);
    await expect.poll(() => keys.innerText(), patience).toMatch(/Page test reporting/);

    // A second tab signed in with the new key, which is then revoked from the first.
    const other = await openPage(browser.context, demo.baseUrl);
    await signIn(other.page, issued);
    await expect.poll(() => other.page.locator(".top-bar").innerText(), { timeout: 20_000 }).toMatch(/Report viewer/);

    await page.getByRole("button", { name: /^Revoke Page test reporting/ }).click();
    const dialog = page.getByRole("dialog", { name: "Revoke this key?" });
    await expect.poll(() => dialog.isVisible(), patience).toBe(true);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => dialog.count(), patience).toBe(0);
    await page.getByRole("button", { name: /^Revoke Page test reporting/ }).click();
    await dialog.getByRole("button", { name: "Revoke key" }).click();
    const revokedRow = keys.locator("tbody tr", { hasText: "Page test reporting" });
    await expect.poll(() => revokedRow.innerText(), patience).toMatch(/Revoked/);
    expect((await fetch(`${demo.baseUrl}/api/me`, { headers: { "x-api-key": issued } })).status).toBe(401);

    await other.page.getByRole("link", { name: "Data" }).click();
    await expect.poll(() => other.page.getByText(/no longer accepted/).count(), { timeout: 20_000 }).toBe(1);
    expect(await other.page.getByLabel("API key").isVisible()).toBe(true);
    expect(await other.page.evaluate("sessionStorage.length")).toBe(0);
    expect(other.errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    await other.page.close();
  });

  it("shows a report viewer no Keys tab", async () => {
    const viewer = await openPage(browser.context, demo.baseUrl);
    await signIn(viewer.page, viewerKey);
    const nav = viewer.page.getByRole("navigation", { name: "Tabs" });
    await expect.poll(() => nav.getByRole("link").allInnerTexts(), { timeout: 20_000 }).toEqual(["Cloud Endpoints", "Opportunities", "Propensity", "Deal scoring", "Data"]);
    await viewer.page.goto(`${demo.baseUrl}/#/keys`);
    await expect.poll(() => viewer.page.getByRole("heading", { level: 1 }).innerText(), { timeout: 20_000 }).toBe("Not found");
    expect(viewer.requests.some((r) => r.url.includes("/api/keys"))).toBe(false);
    expect(viewer.errors).toEqual([]);
    await viewer.page.close();
  });

  it("is reachable by keyboard: Tab reaches the tabs, the motion tiles and the search; Enter on a tile filters", async () => {
    const page = await inFront(admin);
    await page.getByRole("link", { name: "Cloud Endpoints" }).click();
    await expect.poll(() => page.locator(".motion-tile").count(), { timeout: 20_000 }).toBe(7);
    await page.locator(".top-bar button").focus();
    const reached: string[] = [];
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press("Tab");
      const focused = (await page.evaluate(
        "(() => { const e = document.activeElement; return (e.getAttribute('aria-label') || e.textContent || e.id || e.tagName).trim(); })()",
      )) as string;
      reached.push(focused);
      if (focused.includes("Land W365")) break;
    }
    expect(reached).toEqual(expect.arrayContaining(["Cloud Endpoints", "Data", "Keys"]));
    expect(reached.at(-1)).toMatch(/Land W365/);
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("list", { name: "Filters in force" }).innerText(), patience).toMatch(/Sales motion: Land W365/);
    expect(new Set(await settledColumn(page, "Sales Motion"))).toEqual(new Set(["Land W365"]));
    await page.getByLabel("Search tenants").focus();
    expect(await page.evaluate("document.activeElement.id")).toBe("ce-search");
    await page.getByRole("button", { name: "Clear all" }).click();
  });

  it("fits a phone-sized screen: no sideways scrolling of the page, the wide table scrolls in its own region", async () => {
    const phone = await openPage(browser.context, "about:blank");
    await phone.page.setViewportSize({ width: 390, height: 844 });
    await phone.page.goto(demo.baseUrl);
    await signIn(phone.page, demo.apiKey);
    await expect.poll(() => phone.page.locator("figure.chart-card canvas").count(), { timeout: 20_000 }).toBe(5);
    await expect.poll(() => rows(phone.page).count(), { timeout: 20_000 }).toBe(50);
    expect(await phone.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).toBe(true);
    expect(await phone.page.evaluate("document.querySelector('.table-scroll').scrollWidth > document.querySelector('.table-scroll').clientWidth")).toBe(true);
    expect(await seriousAccessibilityViolations(phone.page)).toEqual([]);
    await screenshot(phone.page, "phone");
    for (const [tab, ready] of [
      ["Opportunities", "table.data-table tbody tr"],
      ["Propensity", "button.heat-cell"],
      ["Deal scoring", "table.data-table tbody tr"],
    ] as const) {
      await phone.page.getByRole("link", { name: tab }).click();
      await expect.poll(() => phone.page.locator(ready).count(), { timeout: 20_000 }).toBeGreaterThan(10);
      expect(await phone.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), tab).toBe(true);
      expect(await seriousAccessibilityViolations(phone.page)).toEqual([]);
      if (tab === "Opportunities") await screenshot(phone.page, "phone-opportunities");
    }
    expect(phone.errors).toEqual([]);
    await phone.page.close();
  });

  it("first loads under 300 KB compressed: sign-in, then Cloud Endpoints with its charts and first page", async () => {
    // A new tab with the cache off; the browser's own count of bytes on the wire (compressed, with headers).
    const fresh = await openPage(browser.context, "about:blank");
    const cdp = await browser.context.newCDPSession(fresh.page);
    const urls = new Map<string, string>();
    const transferred = new Map<string, number>();
    cdp.on("Network.responseReceived", (e) => urls.set(e.requestId, e.response.url));
    cdp.on("Network.loadingFinished", (e) => transferred.set(e.requestId, e.encodedDataLength));
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await fresh.page.goto(demo.baseUrl);
    await signIn(fresh.page, demo.apiKey);
    await expect.poll(() => rows(fresh.page).count(), { timeout: 20_000 }).toBe(50);
    await expect.poll(() => fresh.page.locator("figure.chart-card canvas").count(), patience).toBe(5);
    await fresh.page.waitForLoadState("networkidle");
    let page = 0;
    let api = 0;
    for (const [id, bytes] of transferred) {
      if ((urls.get(id) ?? "").includes("/api/")) api += bytes;
      else page += bytes;
    }
    console.log(`first load: ${((page + api) / 1024).toFixed(1)} KB on the wire (page files ${(page / 1024).toFixed(1)} KB, API answers ${(api / 1024).toFixed(1)} KB)`);
    expect(page).toBeGreaterThan(20 * 1024);
    expect(page + api).toBeLessThan(300 * 1024);
    expect(fresh.errors).toEqual([]);
    await cdp.detach();
    await fresh.page.close();
  });

  opportunitiesFlow(() => ({ demo, admin }));
  propensityFlow(() => ({ demo, admin }));
  dealScoringFlow(() => ({ demo, admin, browser, viewerKey }));

  it("paints every tab's first content soon after it is opened (measured and printed, not asserted)", async () => {
    // Each tab opened at its address in a signed-in browser tab: the time from navigation to the tab's first
    // figures (performance.now() in the page, so the test's own round trips are not counted).
    const timing = await openPage(browser.context, demo.baseUrl);
    await signIn(timing.page, demo.apiKey);
    await expect.poll(() => rows(timing.page).count(), { timeout: 20_000 }).toBe(50);
    const firstContent: Record<string, string> = {
      "cloud-endpoints": ".tiles .tile",
      opportunities: ".tiles .tile",
      propensity: "button.heat-cell",
      "deal-scoring": ".tiles .tile",
      data: ".ingestions tbody tr",
      keys: "table.data-table tbody tr",
    };
    const paints: Record<string, number> = {};
    for (const [tab, selector] of Object.entries(firstContent)) {
      await timing.page.goto(`${demo.baseUrl}/#/${tab}`);
      await timing.page.reload();
      await timing.page.locator(selector).first().waitFor({ timeout: 20_000 });
      paints[tab] = Math.round((await timing.page.evaluate("performance.now()")) as number);
    }
    console.log(`first paint after opening each tab (ms, reload included): ${JSON.stringify(paints)}`);
    expect(Object.keys(paints)).toHaveLength(6);
    expect(timing.errors).toEqual([]);
    await timing.page.close();
  });

  it("logged no console error and no uncaught exception in the administrator's session", () => {
    expect(admin.errors).toEqual([]);
  });
});
