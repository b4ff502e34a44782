import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { HttpRequest, InvocationContext, type HttpResponseInit } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appServiceLoginPath, contentSecurityPolicy, makePageServer, pageDirFor, pageHandler, pickEncoding, withWorkAccountMeta } from "../../functions/httpPage.js";

// How the function app serves the built page, without a host: which files, with which headers.

let dir: string;
const script = `console.log(${JSON.stringify("x".repeat(4000))});`;
const indexHtml = '<!doctype html><html><head><title>Page</title>\n  </head><body><script type="module" src="/assets/index-abc123.js"></script></body></html>';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "page-files-"));
  await mkdir(path.join(dir, "assets"));
  await writeFile(path.join(dir, "index.html"), indexHtml);
  await writeFile(path.join(dir, "assets", "index-abc123.js"), script);
  await writeFile(path.join(dir, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const get = (url: string, headers: Record<string, string> = {}) => new HttpRequest({ method: "GET", url, headers });
const header = (res: HttpResponseInit, name: string) => (res.headers as Record<string, string>)[name];

describe("serving the page", () => {
  it("finds the built page under dist/page from the TypeScript source and from the compiled output alike", () => {
    expect(pageDirFor("file:///app/functions/httpPage.ts")).toBe(path.join("/app", "dist", "page"));
    expect(pageDirFor("file:///app/dist/functions/httpPage.js")).toBe(path.join("/app", "dist", "page"));
  });

  it("answers index.html uncached, with a Content-Security-Policy that allows no inline script and no framing", async () => {
    const serve = makePageServer({ dir, uploadOrigins: () => ["https://acct.blob.core.windows.net"] });
    const res = await serve(get("http://site/"), new InvocationContext(), "index.html");
    expect(res.status).toBe(200);
    expect(header(res, "content-type")).toBe("text/html; charset=utf-8");
    expect(header(res, "cache-control")).toBe("no-store");
    expect(header(res, "x-content-type-options")).toBe("nosniff");
    const csp = header(res, "content-security-policy");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' https://acct.blob.core.windows.net");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
  });

  it("caches hashed assets for a year and compresses them with brotli or gzip as the client accepts", async () => {
    const serve = makePageServer({ dir });
    const context = new InvocationContext();
    const br = await serve(get("http://site/assets/index-abc123.js", { "accept-encoding": "gzip, deflate, br" }), context, "assets/index-abc123.js");
    expect(header(br, "cache-control")).toBe("public, max-age=31536000, immutable");
    expect(header(br, "content-type")).toBe("text/javascript; charset=utf-8");
    expect(header(br, "content-encoding")).toBe("br");
    expect(header(br, "vary")).toBe("Accept-Encoding");
    expect(brotliDecompressSync(br.body as Buffer).toString()).toBe(script);
    expect((br.body as Buffer).length).toBeLessThan(script.length / 10);

    const gzip = await serve(get("http://site/", { "accept-encoding": "gzip" }), context, "assets/index-abc123.js");
    expect(header(gzip, "content-encoding")).toBe("gzip");
    expect(gunzipSync(gzip.body as Buffer).toString()).toBe(script);

    const plain = await serve(get("http://site/"), context, "assets/index-abc123.js");
    expect(header(plain, "content-encoding")).toBeUndefined();
    expect((plain.body as Buffer).toString()).toBe(script);
  });

  it("serves only files of the built page: anything else, traversal included, is 404", async () => {
    const serve = makePageServer({ dir });
    const context = new InvocationContext();
    for (const file of ["assets/missing.js", "../package.json", "assets/../../etc/passwd", "favicon.svg/", ""]) {
      expect((await serve(get("http://site/"), context, file)).status, file).toBe(404);
    }
    const icon = await serve(get("http://site/"), context, "favicon.svg");
    expect(icon.status).toBe(200);
    expect(header(icon, "content-type")).toBe("image/svg+xml");
    expect(header(icon, "cache-control")).toBe("public, max-age=3600");
  });

  it("says the page is not built when its folder is missing, and answers 404 for any other file then", async () => {
    const serve = makePageServer({ dir: path.join(dir, "no-such-folder") });
    const logged: unknown[] = [];
    const context = new InvocationContext({ logHandler: (_level, ...args) => logged.push(args) });
    const index = await serve(get("http://site/"), context, "index.html");
    expect(index.status).toBe(503);
    expect(String(index.body)).toMatch(/not built/);
    expect(logged.length).toBe(1);
    expect((await serve(get("http://site/"), context, "cloud-endpoints")).status).toBe(404);
  });

  it("leaves /api to the API: the page's route answers it as not found", async () => {
    const res = await pageHandler(new HttpRequest({ method: "GET", url: "http://site/api", params: { file: "api" } }), new InvocationContext());
    expect(res.status).toBe(404);
    expect((res as HttpResponseInit).jsonBody).toMatchObject({ error: { code: "not_found" } });
  });

  it("picks brotli, else gzip, and honours q=0", () => {
    expect(pickEncoding("gzip, deflate, br, zstd")).toBe("br");
    expect(pickEncoding("gzip")).toBe("gzip");
    expect(pickEncoding("br;q=0, gzip;q=0.5")).toBe("gzip");
    expect(pickEncoding("*")).toBe("br");
    expect(pickEncoding("identity")).toBeUndefined();
    expect(pickEncoding(null)).toBeUndefined();
    expect(pickEncoding("gzip;q=0, br;q=0")).toBeUndefined();
  });

  it("allows connecting only to its own origin when no upload origin is known", () => {
    expect(contentSecurityPolicy()).toContain("connect-src 'self';");
  });

  it("tells the page about work-account sign-in only when the app trusts App Service authentication, with the same CSP", async () => {
    let trusted = false;
    const serve = makePageServer({ dir, workAccountLogin: () => (trusted ? appServiceLoginPath : undefined) });
    const context = new InvocationContext();
    const off = await serve(get("http://site/"), context, "index.html");
    expect((off.body as Buffer).toString()).toBe(indexHtml);

    trusted = true;
    const on = await serve(get("http://site/"), context, "index.html");
    const html = (on.body as Buffer).toString();
    expect(html).toContain('<meta name="poi-work-account" content="/.auth/login/aad">\n  </head>');
    expect(html.replace(/<meta name="poi-work-account"[^>]*>\n  /, "")).toBe(indexHtml);
    expect(header(on, "content-security-policy")).toBe(header(off, "content-security-policy"));
    expect(header(on, "cache-control")).toBe("no-store");
    // Compressed answers carry the meta too; other files are untouched.
    const br = await serve(get("http://site/", { "accept-encoding": "br" }), context, "index.html");
    expect(brotliDecompressSync(br.body as Buffer).toString()).toBe(html);
    const asset = await serve(get("http://site/"), context, "assets/index-abc123.js");
    expect((asset.body as Buffer).toString()).toBe(script);

    // The setting is read on each request: turned off again, index.html is as built.
    trusted = false;
    expect(((await serve(get("http://site/"), context, "index.html")).body as Buffer).toString()).toBe(indexHtml);
  });

  it("escapes the login path it puts in the meta, and adds the meta even to a page without a head", () => {
    expect(withWorkAccountMeta("<head></head>", '/x?a=1&b="<>"')).toBe('<head><meta name="poi-work-account" content="/x?a=1&amp;b=&quot;&lt;&gt;&quot;">\n  </head>');
    expect(withWorkAccountMeta("<p>bare</p>", "/.auth/login/aad")).toBe('<meta name="poi-work-account" content="/.auth/login/aad"><p>bare</p>');
  });
});
