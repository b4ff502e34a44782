import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import type { Demo } from "../../local/start.js";
import { csvRecords, inFront, patience, regionColumn, screenshot, seriousAccessibilityViolations, settled } from "./browser.js";
import type { PageSession } from "./propensityFlow.js";

// The Opportunities tab in the browser, against the demo partner: the overview and prioritised tiles, the
// category tabs (by keyboard too), search and the CSV export, a customer's flyout with insights, actions,
// resources, subscriptions and usage, and feedback that is saved and survives a reload.

const table = "Opportunities table";

interface Summary {
  overview: { opportunities: number; byCategory: { category: string; count: number }[] };
}

interface Models {
  models: { modelId: string; feedback?: { helpful: number; notHelpful: number } }[];
}

const get = async <T>(demo: Demo, path: string): Promise<T> => {
  const response = await fetch(`${demo.baseUrl}/api/${path}`, { headers: { "x-api-key": demo.apiKey } });
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
};

const feedbackTotals = (models: Models) =>
  models.models.reduce((t, m) => ({ helpful: t.helpful + (m.feedback?.helpful ?? 0), notHelpful: t.notHelpful + (m.feedback?.notHelpful ?? 0) }), { helpful: 0, notHelpful: 0 });

export function opportunitiesFlow(session: () => PageSession): void {
  it("opens Opportunities with the overview and prioritised tiles and the recommendations newest first", async () => {
    const { demo, admin } = session();
    const page = await inFront(admin);
    await page.getByRole("link", { name: "Opportunities" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).innerText(), patience).toBe("Opportunities");
    const summary = await get<Summary>(demo, "opportunities/summary");
    await expect.poll(() => page.getByRole("list", { name: "Overview" }).locator(".tile-value").nth(1).innerText(), patience).toBe(summary.overview.opportunities.toLocaleString("en-US"));
    expect(await page.locator(".category-tile .tile-label").allInnerTexts()).toEqual(["Acquisition", "Retention", "Growth"]);
    expect(await page.locator(".prioritised li").count()).toBe(3);
    expect(await page.getByRole("tab").allInnerTexts()).toEqual([
      `All${summary.overview.opportunities.toLocaleString("en-US")}`,
      ...summary.overview.byCategory.map((c) => `${c.category[0].toUpperCase()}${c.category.slice(1)}${c.count.toLocaleString("en-US")}`),
    ]);
    await expect.poll(() => page.getByRole("region", { name: table }).locator("tbody tr").count(), patience).toBe(Math.min(50, summary.overview.opportunities));
    await settled(page, table);
    const dates = (await regionColumn(page, table, "Date added")).map((d) => Date.parse(`${d} UTC`));
    expect(dates.every((d) => Number.isFinite(d))).toBe(true);
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, "opportunities");
  });

  it("shows each category in its tab (Retention without products) and moves between the tabs with the arrow keys", async () => {
    const { demo, admin } = session();
    const page = await inFront(admin);
    const summary = await get<Summary>(demo, "opportunities/summary");
    const expectedRows = (category: string) => Math.min(50, summary.overview.byCategory.find((c) => c.category === category)!.count);
    const types = async () => (await settled(page, table), new Set(await regionColumn(page, table, "Type")));

    await page.getByRole("tab", { name: /^Retention/ }).click();
    expect(await page.getByRole("tab", { name: /^Retention/ }).getAttribute("aria-selected")).toBe("true");
    await expect.poll(() => page.getByRole("region", { name: table }).locator("tbody tr").count(), patience).toBe(expectedRows("retention"));
    await expect.poll(async () => [...(await types())].every((t) => t === "Engagement" || t === "Retention"), patience).toBe(true);
    expect(new Set(await regionColumn(page, table, "Product"))).toEqual(new Set(["–"]));

    await page.keyboard.press("ArrowRight");
    await expect.poll(() => page.evaluate("document.activeElement.getAttribute('aria-selected') + ' ' + document.activeElement.textContent"), patience).toMatch(/^true Growth/);
    await expect.poll(async () => [...(await types())].every((t) => t === "Upsell" || t === "Expansion"), patience).toBe(true);
    expect((await regionColumn(page, table, "Product")).every((p) => p !== "–")).toBe(true);
    await page.keyboard.press("Home");
    await expect.poll(() => page.getByRole("tab", { name: /^All/ }).getAttribute("aria-selected"), patience).toBe("true");
    await expect.poll(() => page.getByRole("region", { name: table }).locator("tbody tr").count(), patience).toBe(Math.min(50, summary.overview.opportunities));
  });

  it("finds a customer by name and exports that view as a CSV with the Lighthouse columns that parses", async () => {
    const { admin } = session();
    const page = await inFront(admin);
    await settled(page, table);
    const wanted = (await page.getByRole("region", { name: table }).locator("tbody th button.row-open").allInnerTexts())[4];
    await page.getByLabel("Search customers").fill(wanted);
    await page.getByLabel("Search customers").press("Enter");
    const names = async () => (await settled(page, table), (await regionColumn(page, table, "Customer")).map((c) => c.split("\n")[0]));
    await expect.poll(async () => (await names()).every((n) => n.toLowerCase().includes(wanted.toLowerCase())), { timeout: 20_000 }).toBe(true);
    const shown = await names();
    expect(shown).toContain(wanted);
    expect(shown.length).toBeLessThan(50);

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^opportunities-contoso-demo-\d{4}-\d{2}-\d{2}\.csv$/);
    const [header, ...lines] = await csvRecords(await readFile(await download.path()));
    expect(header.slice(0, 12)).toEqual([
      "Customer ID",
      "TPID",
      "Name",
      "Opportunity Type",
      "Customer Insight",
      "Suggested Actions",
      "Related Resources",
      "Probability",
      "Recommended Product",
      "Seats",
      "Date added",
      "Link",
    ]);
    expect(lines.every((line) => line.length === header.length)).toBe(true);
    expect(lines.map((line) => line[2]).sort()).toEqual([...shown].sort());

    // A row's Link opens that customer on the page, and closing it leaves the tab as it was.
    const link = new URL(lines[0][11]);
    expect(link.hash).toBe(`#/opportunities/customers/${lines[0][0]}`);
    await page.goto(link.href);
    const flyout = page.getByRole("dialog", { name: lines[0][2] });
    await expect.poll(() => flyout.locator(".opportunity-cards > li").count(), patience).toBeGreaterThan(0);
    await page.keyboard.press("Escape");
    await expect.poll(() => flyout.count(), patience).toBe(0);
    expect(new URL(page.url()).hash).toBe("#/opportunities");
    expect(await page.getByLabel("Search customers").inputValue()).toBe(wanted);

    // A search that finds nobody says so, and clearing the filters brings the list back.
    await page.getByLabel("Search customers").fill("no customer is called this");
    await page.getByLabel("Search customers").press("Enter");
    await expect.poll(() => page.getByText("No opportunities match these filters.").count(), patience).toBe(1);
    await page.getByRole("button", { name: "Clear filters", exact: true }).click();
    await expect.poll(async () => (await names()).length, { timeout: 20_000 }).toBeGreaterThan(shown.length);
    // The customer found above again, for the flyout that follows.
    await page.getByLabel("Search customers").fill(wanted);
    await page.getByLabel("Search customers").press("Enter");
    await expect.poll(async () => (await names()).every((n) => n.toLowerCase().includes(wanted.toLowerCase())), { timeout: 20_000 }).toBe(true);
  });

  it("opens a customer with insights, suggested actions, resources, subscriptions and usage per user with the 3-month trend", async () => {
    const { admin } = session();
    const page = await inFront(admin);
    const row = page.getByRole("region", { name: table }).locator("tbody tr").first();
    const name = await row.locator("button.row-open").innerText();
    await row.locator("button.row-open").click();
    const flyout = page.getByRole("dialog", { name });
    await expect.poll(() => flyout.locator(".opportunity-cards > li").count(), patience).toBeGreaterThan(0);
    const card = flyout.locator(".opportunity-cards > li").first();
    expect(await card.locator(".factor-list li").count()).toBeGreaterThan(0);
    expect(await card.getByRole("heading", { name: "Suggested actions" }).count()).toBe(1);
    const links = await card.locator(".resources a").evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
    expect(links.length).toBeGreaterThan(0);
    expect(links.every((href) => href.startsWith("https://"))).toBe(true);
    expect(await flyout.getByRole("region", { name: "Subscriptions" }).locator("tbody tr").count()).toBeGreaterThan(0);
    expect(await flyout.locator('canvas[data-chart="Usage per user by workload"]').count()).toBe(1);
    expect(await flyout.locator('canvas[data-chart^="Monthly active users: "]').count()).toBe(1);
    expect(await flyout.locator("section.usage > p").first().innerText()).toMatch(/Monthly active users over the last three months: (↑ Positive|↓ Negative|→ No change|not known)/);
    const trends = await flyout.getByRole("region", { name: "Usage by workload" }).locator("tbody td:last-child").allInnerTexts();
    expect(trends.some((t) => /Positive|Negative|No change/.test(t))).toBe(true);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, "opportunities-customer");
    await page.keyboard.press("Escape");
    await expect.poll(() => flyout.count(), patience).toBe(0);
    // A link to a customer that is not in the partner's data says so in the flyout.
    const unknown = "00000000-0000-0000-0000-000000000000";
    const logged = admin.errors.length;
    await page.goto(`${new URL(page.url()).origin}/#/opportunities/customers/${unknown}`);
    const missing = page.getByRole("dialog", { name: unknown });
    await expect.poll(() => missing.getByText(/No customer tenant with this id in your data/).count(), patience).toBe(1);
    // The browser logs the API's 404 for it; nothing else may be logged.
    await expect.poll(() => admin.errors.length, patience).toBeGreaterThan(logged);
    expect(admin.errors.splice(logged)).toEqual([expect.stringMatching(/status of 404/)]);
    await page.keyboard.press("Escape");
    await expect.poll(() => missing.count(), patience).toBe(0);
    await page.getByRole("button", { name: "Clear all" }).click();
  });

  it("saves feedback: not helpful hides the opportunity, helpful is counted, and both survive a reload", async () => {
    const { demo, admin } = session();
    const page = await inFront(admin);
    const before = feedbackTotals(await get<Models>(demo, "opportunity-models"));
    await settled(page, table);
    const rows = page.getByRole("region", { name: table }).locator("tbody tr");
    const target = { tenant: await rows.nth(0).locator("th button").innerText(), type: (await regionColumn(page, table, "Type"))[0] };
    const other = { tenant: await rows.nth(1).locator("th button").innerText(), type: (await regionColumn(page, table, "Type"))[1] };

    await page.getByRole("button", { name: `Not helpful: ${target.tenant}, ${target.type}`, exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Not helpful" });
    await dialog.getByRole("button", { name: "Save feedback" }).click();
    await expect.poll(() => dialog.getByRole("alert").innerText(), patience).toMatch(/Choose why/);
    await dialog.getByLabel("Wrong timing").check();
    await dialog.getByRole("button", { name: "Save feedback" }).click();
    await expect.poll(() => page.getByText(/is hidden until its product or probability changes/).count(), patience).toBe(1);
    const gone = async () => (await settled(page, table), await page.getByRole("button", { name: `Not helpful: ${target.tenant}, ${target.type}`, exact: true }).count());
    await expect.poll(gone, patience).toBe(0);

    await page.getByRole("button", { name: `Helpful: ${other.tenant}, ${other.type}`, exact: true }).click();
    await expect.poll(() => page.getByText(/was helpful\./).count(), patience).toBe(1);

    // Kept by the service, not the page: after a reload the dismissed one stays gone and both answers are counted.
    await page.reload();
    await expect.poll(() => page.getByRole("region", { name: table }).locator("tbody tr").count(), { timeout: 20_000 }).toBeGreaterThan(0);
    // The customer's other opportunities may be listed; the dismissed one is not (the list may also be empty).
    const searched = page.waitForResponse((r) => r.url().includes("/api/opportunities?") && r.url().includes("search=") && r.status() === 200);
    await page.getByLabel("Search customers").fill(target.tenant);
    await page.getByLabel("Search customers").press("Enter");
    await searched;
    await expect.poll(() => page.locator(".pager-status").innerText(), patience).not.toBe("Loading…");
    expect(await page.getByRole("button", { name: `Not helpful: ${target.tenant}, ${target.type}`, exact: true }).count()).toBe(0);
    await page.getByText(/How these are predicted/).click();
    const models = page.getByRole("region", { name: "Opportunity models" });
    await expect.poll(() => models.locator("tbody tr").count(), patience).toBeGreaterThan(0);
    const sum = async (header: string) => (await regionColumn(page, "Opportunity models", header)).reduce((n, v) => n + Number(v.replace(/,/g, "")), 0);
    expect(await sum("Not helpful")).toBe(before.notHelpful + 1);
    expect(await sum("Helpful")).toBe(before.helpful + 1);
    await page.getByText(/How these are predicted/).click();
    await page.getByRole("button", { name: "Clear all" }).click();
  });
}
