import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import type { Demo } from "../../local/start.js";
import { csvRecords, inFront, patience, regionColumn, screenshot, seriousAccessibilityViolations, settled, type WatchedPage } from "./browser.js";

// The Propensity tab in the browser, against the demo partner: the dashboard and the report's messages, a
// heat-map cell filtering the table, search, the CSV export of the filtered view, a customer's explanations in
// words, and an administrator's cluster mapping applied by the refresh it queues.

export interface PageSession {
  demo: Demo;
  admin: WatchedPage;
}

interface CellCount {
  cell: string;
  count: number;
}

async function summary(demo: Demo): Promise<{ cells: CellCount[]; clusters: { cluster: string; count: number }[]; report: { messages: string[] } }> {
  const response = await fetch(`${demo.baseUrl}/api/propensity/summary`, { headers: { "x-api-key": demo.apiKey } });
  expect(response.status).toBe(200);
  return (await response.json()) as never;
}

const customers = "Customers table";

export function propensityFlow(session: () => PageSession): void {
  let chosen: CellCount;

  it("opens Propensity with the summary tiles, the report's messages, the 4×4 heat map, clusters and families", async () => {
    const { demo, admin } = session();
    const page = await inFront(admin);
    await page.getByRole("link", { name: "Propensity" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).innerText(), patience).toBe("Propensity (CloudAscent)");
    const tiles = page.getByRole("list", { name: "Key figures" });
    await expect.poll(() => tiles.locator(".tile").count(), patience).toBe(5);
    expect(await tiles.innerText()).toMatch(/Agreements expiring in FY\d\d/);
    expect(await tiles.innerText()).toMatch(/Open expiring revenue\s+\$[\d.]+[KMB]?/);

    const expected = await summary(demo);
    const report = page.getByRole("region", { name: "About these results" });
    expect(await report.locator("li").allInnerTexts()).toEqual(expected.report.messages);
    expect(await report.innerText()).toMatch(/Fit learned from \d+ best customers/);

    const cells = page.locator("button.heat-cell");
    expect(await cells.count()).toBe(16);
    for (const { cell, count } of expected.cells) {
      expect(await page.locator(`button[data-cell="${cell}"] .heat-count`).innerText(), cell).toBe(count.toLocaleString("en-US"));
    }
    const clusterTiles = await page.locator(".cluster-tiles .tile-label").allInnerTexts();
    expect(clusterTiles).toEqual(expected.clusters.map((c) => c.cluster));
    expect(await page.getByRole("region", { name: "Propensity families" }).locator("tbody tr").count()).toBe(4);
    expect(await page.locator("figure.chart-card figcaption").allInnerTexts()).toEqual(["Estimated annual revenue by family", "SMB customers and prospects by subsegment"]);
    await expect.poll(() => page.getByRole("region", { name: customers }).locator("tbody tr").count(), patience).toBe(50);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, "propensity");
  });

  it("filters the customers table to the heat-map cell that is clicked, and clicking it again clears it", async () => {
    const { demo, admin } = session();
    const page = await inFront(admin);
    // The fullest cell that fits on one page, so the table shows every tenant the cell counts.
    const { cells } = await summary(demo);
    chosen = cells.filter((c) => c.count > 0 && c.count <= 50).sort((a, b) => b.count - a.count)[0];
    expect(chosen).toBeDefined();
    const button = page.locator(`button[data-cell="${chosen.cell}"]`);
    await button.click();
    expect(await button.getAttribute("aria-pressed")).toBe("true");
    const chips = page.getByRole("list", { name: "Filters in force" });
    await expect.poll(() => chips.innerText(), patience).toMatch(new RegExp(`Cell: ${chosen.cell} \\(`));
    await expect.poll(async () => (await settled(page, customers), (await regionColumn(page, customers, "Cell")).length), { timeout: 20_000 }).toBe(chosen.count);
    expect(new Set(await regionColumn(page, customers, "Cell"))).toEqual(new Set([chosen.cell]));
    expect(await page.getByLabel("Cell", { exact: true }).inputValue()).toBe(chosen.cell);
  });

  it("exports the filtered propensity view as a CSV download that parses, one line per customer and propensity", async () => {
    const { admin } = session();
    const page = await inFront(admin);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^propensity-contoso-demo-\d{4}-\d{2}-\d{2}\.csv$/);
    const [header, ...lines] = await csvRecords(await readFile(await download.path()));
    expect(header.slice(0, 3)).toEqual(["Customer ID", "TPID", "Name"]);
    const cell = header.indexOf("Cell");
    const id = header.indexOf("Customer ID");
    expect(lines.every((line) => line.length === header.length && line[cell] === chosen.cell)).toBe(true);
    expect(new Set(lines.map((line) => line[id])).size).toBe(chosen.count);

    // The same cell again clears the filter, here from the keyboard.
    await page.locator(`button[data-cell="${chosen.cell}"]`).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("list", { name: "Filters in force" }).count(), patience).toBe(0);
    await expect.poll(() => page.getByRole("region", { name: customers }).locator("tbody tr").count(), patience).toBe(50);
  });

  it("finds a customer by name, and explains its fit and intent in words", async () => {
    const { admin } = session();
    const page = await inFront(admin);
    await settled(page, customers);
    const wanted = (await page.getByRole("region", { name: customers }).locator("tbody th button.row-open").allInnerTexts())[3];
    await page.getByLabel("Search customers").fill(wanted);
    await page.getByLabel("Search customers").press("Enter");
    await expect.poll(async () => (await settled(page, customers), await page.getByRole("region", { name: customers }).locator("tbody tr").count()), { timeout: 20_000 }).toBeLessThan(50);
    const row = page.getByRole("region", { name: customers }).locator("tbody tr", { hasText: wanted }).first();
    await row.locator("button.row-open").click();

    const flyout = page.getByRole("dialog", { name: wanted });
    await expect.poll(() => flyout.getByRole("heading", { name: "Why this fit" }).count(), patience).toBe(1);
    await expect.poll(() => flyout.locator(".factor-list li").count(), patience).toBeGreaterThan(0);
    const fitFactors = await flyout.getByRole("region", { name: "Why this fit" }).locator("li").allInnerTexts();
    expect(fitFactors.every((f) => /\((raises|lowers) the fit\)$/.test(f))).toBe(true);
    const signals = await flyout.getByRole("region", { name: "Why this intent" }).locator("li").allInnerTexts();
    expect(signals.every((s) => /^.+ on \d{4}-\d{2}-\d{2}, .+ \(strength [\d.]+\)$/.test(s))).toBe(true);
    expect(await flyout.getByRole("list", { name: "Propensities of this customer" }).locator("li").count()).toBeGreaterThan(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, "propensity-customer");
    await page.keyboard.press("Escape");
    await expect.poll(() => flyout.count(), patience).toBe(0);
    await page.getByRole("button", { name: "Clear all" }).click();
  });

  it("lets an administrator move a cell to another cluster; the heat map and clusters show it once the refresh is in", async () => {
    const { demo, admin } = session();
    const page = await inFront(admin);
    const before = await summary(demo);
    const b1 = before.cells.find((c) => c.cell === "B1")!.count;
    const actNow = before.clusters.find((c) => c.cluster === "Act now")!.count;
    await page.getByText("Cluster mapping (administrators)").click();
    await page.locator("#map-B1").selectOption("Act now");
    await page.getByRole("button", { name: "Save mapping" }).click();
    await expect.poll(() => page.getByText(/Saved\. The results are being refreshed/).count(), patience).toBe(1);
    const b1Label = page.locator('button[data-cell="B1"] .heat-label');
    await expect.poll(() => b1Label.innerText(), { timeout: 90_000 }).toBe("B1 · Act now");
    await expect.poll(() => page.locator(".cluster-tiles li", { hasText: "Act now" }).locator(".tile-value").innerText(), patience).toBe((actNow + b1).toLocaleString("en-US"));
    await expect.poll(() => page.getByText(/Refreshing the results with the new cluster mapping/).count(), patience).toBe(0);

    // Back to the default, the way an administrator would.
    await page.getByRole("button", { name: "Use the default" }).click();
    await page.getByRole("button", { name: "Save mapping" }).click();
    await expect.poll(() => b1Label.innerText(), { timeout: 90_000 }).toBe("B1 · Evaluate");
  });
}
