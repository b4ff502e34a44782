import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalHost, type LocalHost } from "../../local/host/index.js";
import { guid, row, seedResultSet } from "../support/cloudEndpointsSeed.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";
import { openPage, startBrowser, type Browser } from "./browser.js";

// The interactive API reference (/api/docs) in a real browser, served by the functions on the local host: it
// renders every tab's routes from the served OpenAPI document under the strict Content-Security-Policy (a blocked
// script or style shows as a console error), loads nothing from another origin, and "Try it out" calls the API.

let env: TestEnvironment;
let host: LocalHost;
let browser: Browser;
let viewerKey: string;

beforeAll(async () => {
  env = await startTestEnvironment();
  await seedResultSet(env.clients.containers.results, "docs-partner", "rs-docs", [row("a", 1), row("a", 2)]);
  viewerKey = (await env.deps.api.auth.issue({ partnerId: "docs-partner", role: "reportViewer", name: "docs" })).key;
  host = await startLocalHost({ settings: env.emulators.settings, port: 0, log: () => undefined });
  browser = await startBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await env?.stop();
});

const patience = { timeout: 20_000 };

describe("the API reference page", () => {
  it("is served with the strict Content-Security-Policy, its assets compressed and cached by version", async () => {
    const index = await fetch(`${host.baseUrl}/api/docs`);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const csp = index.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain("unsafe");
    const html = await index.text();
    expect(html).not.toMatch(/<script>|<style|style=/);
    const bundle = html.match(/src="([^"]+swagger-ui-bundle\.js[^"]*)"/)![1];
    const asset = await fetch(`${host.baseUrl}${bundle}`, { headers: { "accept-encoding": "br" } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-encoding")).toBe("br");
    expect(asset.headers.get("cache-control")).toContain("immutable");
  });

  it("renders every tab's routes in Chromium with no blocked script or style and no request to another origin", async () => {
    const watched = await openPage(browser.context, `${host.baseUrl}/api/docs`);
    const { page } = watched;
    await expect.poll(() => page.locator(".opblock-tag").count(), patience).toBeGreaterThan(5);
    const tags = (await page.locator(".opblock-tag").allInnerTexts()).map((t) => t.split("\n")[0].trim());
    expect(tags).toEqual(expect.arrayContaining(["Cloud Endpoints", "Propensity", "Deal scoring", "Data", "Keys", "System"]));
    // One operation opened with its named response schema.
    await page.locator("#operations-Cloud_Endpoints-getCloudEndpoint").click();
    await expect.poll(() => page.locator("#operations-Cloud_Endpoints-getCloudEndpoint").innerText(), patience).toContain("tenantId");
    expect(watched.errors).toEqual([]);
    const origin = new URL(host.baseUrl).origin;
    expect(watched.requests.filter((r) => new URL(r.url).origin !== origin && !r.url.startsWith("data:"))).toEqual([]);
    await page.close();
  });

  it("calls the API with the key given to Authorize (Try it out), on this origin only", async () => {
    const watched = await openPage(browser.context, `${host.baseUrl}/api/docs#/Cloud%20Endpoints/getCloudEndpoint`);
    const { page } = watched;
    await page.locator(".scheme-container button.authorize").click();
    // The first scheme of the dialog is the x-api-key header.
    const apiKeyScheme = page.locator(".dialog-ux .auth-container").first();
    await apiKeyScheme.locator("input").fill(viewerKey);
    await apiKeyScheme.locator("button[type=submit]").click();
    await page.locator(".dialog-ux button.btn-done").first().click();
    const operation = page.locator("#operations-Cloud_Endpoints-getCloudEndpoint");
    await expect.poll(() => operation.locator(".try-out__btn").isVisible(), patience).toBe(true);
    await operation.locator(".try-out__btn").click();
    await operation.locator("input[placeholder='tenantId']").fill(guid(1, "a"));
    await operation.getByRole("button", { name: "Execute" }).click();
    const live = operation.locator(".live-responses-table tbody .response-col_status");
    await expect.poll(async () => ((await live.count()) > 0 ? live.first().innerText() : ""), patience).toContain("200");
    expect(await operation.locator(".live-responses-table").innerText()).toContain(guid(1, "a"));
    expect(watched.requests.find((r) => r.url.includes(`/api/cloud-endpoints/${guid(1, "a")}`))?.hasKey).toBe(true);
    expect(watched.errors).toEqual([]);
    await page.close();
  });
});
