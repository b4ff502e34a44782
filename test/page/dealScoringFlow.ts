import { readFile } from "node:fs/promises";
import type { Browser } from "./browser.js";
import { expect, it } from "vitest";
import { csvRecords, inFront, openPage, patience, regionColumn, screenshot, seriousAccessibilityViolations, settled, signIn } from "./browser.js";
import type { PageSession } from "./propensityFlow.js";

// The Deal scoring tab in the browser, against the demo partner's published model: scored deals with score,
// grade, trend and the factors widget, a grade filter, the export, a deal with its score history chart; an
// administrator's models with performance and a refusal in words; the partner with too few deals refused with
// the counts; a report viewer without model controls.

const deals = "Scored deals table";

interface ModelView {
  versions: { version: number; performance?: { test: { deals: number }; confusion: Record<string, number> } }[];
}

export function dealScoringFlow(session: () => PageSession & { browser: Browser; viewerKey: string }): void {
  it("lists the scored deals highest first with score, grade, trend and the top factors in words", async () => {
    const { admin } = session();
    const page = await inFront(admin);
    await page.getByRole("link", { name: "Deal scoring" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).innerText(), patience).toBe("Deal scoring");
    await expect.poll(() => page.getByRole("list", { name: "Key figures" }).locator(".tile").count(), patience).toBe(4);
    expect(await page.getByRole("button", { name: "Scored deals" }).getAttribute("aria-pressed")).toBe("true");
    await expect.poll(() => page.getByRole("region", { name: deals }).locator("tbody tr").count(), patience).toBe(50);
    await settled(page, deals);
    const scores = (await regionColumn(page, deals, "Score")).map(Number);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(new Set(await regionColumn(page, deals, "Grade"))).not.toEqual(new Set());
    expect((await regionColumn(page, deals, "Trend")).every((t) => /^(↑ |↓ |→ )?(Improving|Steady|Declining|Not enough info)/.test(t))).toBe(true);
    const factors = await regionColumn(page, deals, "Top factors");
    expect(factors.every((f) => /▲ .+ \(raises the score\)/.test(f) || /▼ .+ \(lowers the score\)/.test(f))).toBe(true);
    expect(await page.locator('canvas[data-chart="Scored deals by grade"]').count()).toBe(1);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, "deal-scoring");
  });

  it("filters to the grade whose tile is clicked and exports that view as a CSV that parses", async () => {
    const { demo, admin } = session();
    const page = await inFront(admin);
    const summary = (await (await fetch(`${demo.baseUrl}/api/deal-scores/summary`, { headers: { "x-api-key": demo.apiKey } })).json()) as { grades: Record<string, number> };
    await page.locator(".grade-tiles button", { hasText: "Grade C" }).click();
    await expect.poll(() => page.getByRole("list", { name: "Filters in force" }).innerText(), patience).toMatch(/Grade C/);
    await expect.poll(async () => (await settled(page, deals), new Set(await regionColumn(page, deals, "Grade"))), { timeout: 20_000 }).toEqual(new Set(["C"]));

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^deal-scores-contoso-demo-\d{4}-\d{2}-\d{2}\.csv$/);
    const [header, ...lines] = await csvRecords(await readFile(await download.path()));
    expect(header.slice(0, 3)).toEqual(["Deal ID", "Name", "Score"]);
    const grade = header.indexOf("Grade");
    expect(lines.length).toBe(summary.grades.C);
    expect(lines.every((line) => line.length === header.length && line[grade] === "C")).toBe(true);
    await page.getByRole("button", { name: "Clear all" }).click();
    await expect.poll(() => page.getByRole("region", { name: deals }).locator("tbody tr").count(), patience).toBe(50);
  });

  it("opens a deal with its score history chart and every factor with the insight behind it", async () => {
    const { admin } = session();
    const page = await inFront(admin);
    await settled(page, deals);
    const first = page.getByRole("region", { name: deals }).locator("tbody tr").first();
    const name = await first.locator("button.row-open").innerText();
    await first.locator("button.row-open").click();
    const flyout = page.getByRole("dialog", { name });
    await expect.poll(() => flyout.locator('canvas[data-chart="Score history"]').count(), patience).toBe(1);
    expect(await flyout.locator('canvas[data-chart="Score history"]').getAttribute("aria-label")).toMatch(/^Score history\. [A-Z][a-z]{2} \d+, \d{4}: \d+/);
    expect(await flyout.getByRole("heading", { name: "What raises the score" }).count()).toBe(1);
    const insights = await flyout.locator(".factor-list .insight").allInnerTexts();
    expect(insights.length).toBeGreaterThan(0);
    expect(insights.every((i) => /^\d+ % of \d+ closed deals where .+ were won \(overall \d+ %\)$/.test(i))).toBe(true);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, "deal-scoring-deal");
    await flyout.getByRole("button", { name: "Close" }).click();
    await expect.poll(() => flyout.count(), patience).toBe(0);
  });

  it("shows an administrator the models and a model's performance: metrics, confusion matrix, insights, grade bands", async () => {
    const { demo, admin } = session();
    const page = await inFront(admin);
    await page.getByRole("button", { name: "Models" }).click();
    const models = page.getByRole("region", { name: "Models table" });
    await expect.poll(() => models.innerText(), patience).toMatch(/DemoScoring\s+Published\s+Version 1\s+Ready/);
    await models.getByRole("button", { name: "DemoScoring" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "Performance of version 1" }).count(), patience).toBe(1);

    const model = (await (await fetch(`${demo.baseUrl}/api/deal-models/${demo.dealModelId}`, { headers: { "x-api-key": demo.apiKey } })).json()) as ModelView;
    const performance = model.versions[0].performance!;
    const metrics = page.getByRole("list", { name: "Performance on the test deals" });
    expect(await metrics.locator(".tile-label").allInnerTexts()).toEqual(["AUC", "Accuracy", "Precision", "Recall", "F1 score", "Conversion rate"]);
    const confusion = (await page.locator("table.confusion td").allInnerTexts()).filter((t) => t.trim()).map((t) => Number(t.replace(/,/g, "")));
    expect(confusion).toEqual([performance.confusion.truePositive, performance.confusion.falseNegative, performance.confusion.falsePositive, performance.confusion.trueNegative]);
    expect(confusion.reduce((a, b) => a + b, 0)).toBe(performance.test.deals);
    expect(await page.locator('canvas[data-chart="Most influential inputs"]').count()).toBe(1);
    const insightRows = page.locator(".insights tbody tr");
    expect(await insightRows.count()).toBeGreaterThan(0);
    expect(await page.getByLabel("A from").inputValue()).toBe("80");
    expect(await page.getByRole("button", { name: "Train a new version" }).isEnabled()).toBe(true);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.evaluate("document.getElementById('model-title').scrollIntoView()");
    await screenshot(page, "deal-scoring-model");
  });

  it("lets an administrator train a new version, publish it and revert to the previous one, and move a grade band", async () => {
    const { demo, admin } = session();
    const page = await inFront(admin);
    const versions = page.getByRole("region", { name: "Model versions" });
    const stateOf = async (version: number) => (await versions.locator("tbody tr", { has: page.locator(`th:text-is("${version}")`) }).locator("td").first().innerText()).trim();
    const count = await versions.locator("tbody tr").count();
    const next = count + 1;
    await page.getByRole("button", { name: "Train a new version" }).click();
    await expect.poll(() => page.getByText(/Training queued/).count(), patience).toBe(1);
    // The page reads the model again by itself until the version is trained.
    await expect.poll(() => stateOf(next), { timeout: 120_000 }).toBe("Trained");
    await page.getByRole("button", { name: `Publish version ${next}` }).click();
    await expect.poll(() => stateOf(next), patience).toBe("Active");
    expect(await page.getByText(`Version ${next} published`).count()).toBe(1);
    expect(await stateOf(1)).toBe("Published before");

    await page.getByRole("button", { name: "Revert to the previous version" }).click();
    await page.getByRole("dialog", { name: "Revert to the previous version?" }).getByRole("button", { name: "Revert" }).click();
    await expect.poll(() => stateOf(1), patience).toBe("Active");
    expect(await stateOf(next)).toBe("Trained");
    expect(await page.getByText("Reverted to version 1").count()).toBe(1);

    // Moving where B starts moves where C ends; the API keeps what the page shows.
    await page.getByLabel("B from").fill("65");
    expect(await page.getByText("A 80–100 · B 65–79 · C 40–64 · D 0–39").count()).toBe(1);
    await page.getByRole("button", { name: "Save grade bands" }).click();
    await expect.poll(() => page.getByText(/Grade bands saved/).count(), patience).toBe(1);
    const saved = (await (await fetch(`${demo.baseUrl}/api/deal-models/${demo.dealModelId}`, { headers: { "x-api-key": demo.apiKey } })).json()) as { gradeBands: unknown };
    expect(saved.gradeBands).toEqual({ A: { min: 80, max: 100 }, B: { min: 65, max: 79 }, C: { min: 40, max: 64 }, D: { min: 0, max: 39 } });
    await page.getByLabel("B from").fill("60");
    await page.getByRole("button", { name: "Save grade bands" }).click();
    await expect.poll(() => page.getByText(/Grade bands saved/).count(), patience).toBe(1);
    await expect.poll(() => page.getByLabel("B from").inputValue(), patience).toBe("60");

    await page.getByRole("button", { name: "Scored deals" }).click();
    await expect.poll(() => page.getByRole("region", { name: deals }).isVisible(), patience).toBe(true);
  });

  it("refuses in words: reverting with no previous version, and training with too few deals (with the counts)", async () => {
    const { demo, browser } = session();
    const other = await openPage(browser.context, `${demo.baseUrl}/#/deal-scoring`);
    await signIn(other.page, demo.apiKey);
    await other.page.getByRole("button", { name: "Models" }).click();
    await other.page.getByRole("region", { name: "Models table" }).getByRole("button", { name: "DemoScoring" }).click();
    await other.page.getByRole("button", { name: "Revert to the previous version" }).click();
    await other.page.getByRole("dialog", { name: "Revert to the previous version?" }).getByRole("button", { name: "Revert" }).click();
    const refusal = other.page.locator(".refusal");
    await expect.poll(() => refusal.innerText(), patience).toMatch(/No previous version to revert to\s+Model DemoScoring has no previously published version to revert to\./);
    // The browser logs the refused answer itself; nothing else may be logged.
    expect(other.errors.filter((e) => !/status of 409/.test(e))).toEqual([]);
    await other.page.close();

    const { secondPartner: fewDeals } = demo;
    const answer = await fetch(`${demo.baseUrl}/api/deal-models/${fewDeals.modelId}/train`, { method: "POST", headers: { "x-api-key": fewDeals.apiKey } });
    expect(answer.status).toBe(400);
    const { won, lost } = ((await answer.json()) as { error: { details: Record<string, { have: number; need: number }> } }).error.details;
    expect(won.have).toBeLessThan(won.need);

    const few = await openPage(browser.context, `${demo.baseUrl}/#/deal-scoring`);
    await signIn(few.page, fewDeals.apiKey);
    await expect.poll(() => few.page.getByText("No scores yet").count(), { timeout: 20_000 }).toBe(1);
    await few.page.getByRole("button", { name: "Models" }).click();
    await few.page.getByRole("region", { name: "Models table" }).getByRole("button", { name: "FewDeals" }).click();
    await expect.poll(() => few.page.getByText("No version yet: train one.").count(), patience).toBe(1);
    await few.page.getByRole("button", { name: "Train a new version" }).click();
    const refused = few.page.locator(".refusal");
    await expect.poll(() => refused.innerText(), patience).toMatch(/Not enough deals to train/);
    const facts = await refused.locator("li").allInnerTexts();
    expect(facts).toContain(`Won deals: ${won.have} of the ${won.need} needed (${won.need - won.have} more)`);
    expect(facts.some((f) => f.startsWith(`Lost deals: ${lost.have} of the ${lost.need} needed`))).toBe(true);
    expect(await refused.innerText()).toMatch(/A model needs at least \d+ won and \d+ lost deals/);
    expect(await seriousAccessibilityViolations(few.page)).toEqual([]);
    expect(few.errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await few.page.close();
  });

  it("shows a report viewer the scored deals and the propensity results without any model or mapping control", async () => {
    const { demo, browser, viewerKey } = session();
    const viewer = await openPage(browser.context, `${demo.baseUrl}/#/deal-scoring`);
    await signIn(viewer.page, viewerKey);
    await expect.poll(() => viewer.page.getByRole("region", { name: deals }).locator("tbody tr").count(), { timeout: 20_000 }).toBe(50);
    expect(await viewer.page.getByRole("button", { name: "Models" }).count()).toBe(0);
    expect(await viewer.page.getByText(/Models \(administrators\)/).count()).toBe(0);
    await viewer.page.getByRole("link", { name: "Propensity" }).click();
    await expect.poll(() => viewer.page.locator("button.heat-cell").count(), { timeout: 20_000 }).toBe(16);
    expect(await viewer.page.getByText("Cluster mapping (administrators)").count()).toBe(0);
    expect(viewer.requests.some((r) => r.url.includes("/api/deal-models"))).toBe(false);
    expect(viewer.errors).toEqual([]);
    await viewer.page.close();
  });
}
