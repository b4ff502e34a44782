import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalHost, type LocalHost } from "../../local/host/index.js";
import { row, seedResultSet } from "../support/cloudEndpointsSeed.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";
import { clientPrincipal, otherTenant, testTenant } from "../support/entraIssuer.js";
import { buildPage, openPage, patience, seriousAccessibilityViolations, signIn, startBrowser, type Browser, type WatchedPage } from "./browser.js";

// Work-account sign-in in a real browser (Debian's Chromium), against the functions on the local host with
// ENTRA_TRUST_APP_SERVICE_AUTH=true. In Azure, App Service authentication ("Easy Auth") stands in front of the app
// and adds x-ms-client-principal to every request of a signed-in session; here a route in the browser plays the
// platform: it adds that header while a session is on, and its /.auth/logout ends the session and redirects.

const partnerId = "work-account-partner";
const userId = "0000bbbb-1111-4222-8333-444455556666";
const principalHeader = "x-ms-client-principal";

let env: TestEnvironment;
let host: LocalHost;
let browser: Browser;
let viewerKey: string;
/** The platform's session: the headers it adds to each request, none when nobody is signed in. */
let session: Record<string, string> | undefined;
/** The logout addresses the page sent people to. */
const signOuts: string[] = [];

beforeAll(async () => {
  await buildPage();
  env = await startTestEnvironment();
  await env.deps.partners.register(partnerId, "Work Account Partner");
  await seedResultSet(env.clients.containers.results, partnerId, "rs-work", [row("a", 1), row("a", 2), row("a", 3)]);
  await env.deps.api.identities.add({ partnerId, kind: "tenant", objectId: testTenant, name: "Partner staff" });
  viewerKey = (await env.deps.api.auth.issue({ partnerId, role: "reportViewer", name: "work account test viewer" })).key;
  host = await startLocalHost({ settings: { ...env.emulators.settings, ENTRA_TRUST_APP_SERVICE_AUTH: "true" }, port: 0, log: () => undefined });
  browser = await startBrowser();
  await browser.context.route(`${host.baseUrl}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === "/.auth/logout") {
      signOuts.push(url.pathname + url.search);
      session = undefined;
      await route.fulfill({ status: 302, headers: { location: url.searchParams.get("post_logout_redirect_uri") ?? "/" } });
      return;
    }
    await route.continue({ headers: { ...(await route.request().allHeaders()), ...session } });
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await env?.stop();
});

/** What App Service authentication passes on for a signed-in session of this tenant with these app roles. */
const principalOf = (tenantId: string, roles: string[]) => ({ [principalHeader]: clientPrincipal({ tid: tenantId, oid: userId, roles }), "x-ms-client-principal-idp": "aad" });

/** Opens the page in a browser that has (or has no) App Service session. */
async function openWith(platformSession: Record<string, string> | undefined): Promise<WatchedPage> {
  session = platformSession;
  return openPage(browser.context, host.baseUrl);
}

const apiRequests = (watched: WatchedPage) => watched.requests.filter((r) => new URL(r.url).pathname.startsWith("/api/"));
/** Console errors other than the browser's own log of an answer with `status` (the sign-in probe's 401, a 403). */
const otherErrors = (watched: WatchedPage, status: number) => watched.errors.filter((e) => !new RegExp(`status of ${status}`).test(e));

describe("signing in with a work account on the page", () => {
  it("is announced to the page by index.html, under the same strict Content-Security-Policy", async () => {
    const index = await fetch(`${host.baseUrl}/`);
    expect(index.status).toBe(200);
    const csp = index.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    const html = await index.text();
    expect(html).toContain('<meta name="poi-work-account" content="/.auth/login/aad">');
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
  });

  it("offers the work account above the API key form when nobody is signed in, accessibly", async () => {
    const watched = await openWith(undefined);
    const { page } = watched;
    const link = page.getByRole("link", { name: "Sign in with your work account" });
    await expect.poll(() => link.isVisible(), patience).toBe(true);
    expect(await link.getAttribute("href")).toBe("/.auth/login/aad?post_login_redirect_uri=/");
    expect(await page.getByLabel("API key").isVisible()).toBe(true);
    const linkBox = (await link.boundingBox())!;
    const keyBox = (await page.getByLabel("API key").boundingBox())!;
    expect(linkBox.y).toBeLessThan(keyBox.y);
    // The page asked the API who the session is, without a key, and was told nobody (401).
    expect(apiRequests(watched)).toEqual([{ url: `${host.baseUrl}/api/me`, hasKey: false }]);
    expect(otherErrors(watched, 401)).toEqual([]);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.close();
  });

  it("opens signed in as the mapped partner's administrator without a key, and a session that ends returns to the sign-in in words", async () => {
    const watched = await openWith(principalOf(testTenant, ["Administrator"]));
    const { page } = watched;
    await expect.poll(() => page.locator(".top-bar .partner").innerText(), patience).toBe(partnerId);
    expect(await page.locator(".top-bar .role").innerText()).toBe("Administrator");
    await expect.poll(() => page.getByRole("link", { name: "Keys", exact: true }).isVisible(), patience).toBe(true);
    await expect.poll(() => page.getByText("Alpha Tenant 01").first().isVisible(), patience).toBe(true);
    expect(apiRequests(watched).length).toBeGreaterThan(1);
    expect(apiRequests(watched).filter((r) => r.hasKey)).toEqual([]);
    expect(await page.evaluate("sessionStorage.length")).toBe(0);
    expect(watched.errors).toEqual([]);

    // The platform's session ends (its cookie expired): the next call is 401 and the page says so.
    session = undefined;
    await page.getByRole("link", { name: "Data", exact: true }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "work-account sign-in has ended" }).isVisible(), patience).toBe(true);
    expect(await page.getByRole("link", { name: "Sign in with your work account" }).isVisible()).toBe(true);
    expect(otherErrors(watched, 401)).toEqual([]);
    await page.close();
  });

  it("signs out of the platform's session and comes back to the sign-in", async () => {
    const watched = await openWith(principalOf(testTenant, ["Reader"]));
    const { page } = watched;
    await expect.poll(() => page.locator(".top-bar .role").innerText(), patience).toBe("Report viewer");
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => page.getByRole("link", { name: "Sign in with your work account" }).isVisible(), patience).toBe(true);
    expect(signOuts).toEqual(["/.auth/logout?post_logout_redirect_uri=/"]);
    expect(otherErrors(watched, 401)).toEqual([]);
    await page.close();
  });

  it.each([
    ["a tenant no partner mapped", () => principalOf(otherTenant, ["Administrator"]), /organisation or group is not set up for a partner/],
    ["no app role of this API", () => principalOf(testTenant, []), /has no role in this API/],
  ])("says in words why a work account with %s cannot use the page, and offers to sign out", async (_what, session, message) => {
    const watched = await openWith(session());
    const { page } = watched;
    await expect.poll(() => page.getByRole("alert").innerText(), patience).toMatch(message);
    expect(await page.getByRole("heading", { name: /cannot use this page yet/ }).isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Sign out" }).isVisible()).toBe(true);
    expect(await page.locator(".top-bar").count()).toBe(0);
    expect(otherErrors(watched, 403)).toEqual([]);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.close();
  });

  it("still signs in with an API key, sent as today", async () => {
    const watched = await openWith(undefined);
    const { page } = watched;
    await expect.poll(() => page.getByLabel("API key").isVisible(), patience).toBe(true);
    await signIn(page, viewerKey);
    await expect.poll(() => page.locator(".top-bar .role").innerText(), patience).toBe("Report viewer");
    expect(await page.locator(".top-bar .partner").innerText()).toBe(partnerId);
    const [probe, ...afterKey] = apiRequests(watched);
    expect(probe).toEqual({ url: `${host.baseUrl}/api/me`, hasKey: false });
    expect(afterKey.length).toBeGreaterThan(0);
    expect(afterKey.filter((r) => !r.hasKey)).toEqual([]);
    expect(await page.evaluate("sessionStorage.length")).toBe(1);
    expect(otherErrors(watched, 401)).toEqual([]);
    await page.close();
  });
});
