import { HttpRequest, InvocationContext, type HttpHandler, type HttpResponseInit } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUpload } from "../../functions/httpUploads.js";
import { listIngestions } from "../../functions/httpIngestions.js";
import { createApiKeyStore } from "../../shared/adapters/cosmos/apiKeys.js";
import { routeHandler } from "../../shared/api/register.js";
import { routes } from "../../shared/api/routes.js";
import { createApiKeyAuth } from "../../shared/auth/apiKeys.js";
import { names } from "../../shared/config.js";
import type { ApiKeyStore } from "../../shared/ports/keys.js";
import type { ApiDeps } from "../../shared/wiring.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";

// Uploads that cannot cross partners, keys that are cheap to refuse and costly to abuse, logs that leak nothing.

let env: TestEnvironment;
let deps: ApiDeps;
beforeAll(async () => {
  env = await startTestEnvironment({ API_REQUESTS_PER_MINUTE: "30" });
  deps = env.deps.api;
});
afterAll(async () => {
  await env?.stop();
});

function request(method: string, url: string, init: { key?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  return new HttpRequest({
    method,
    url: `http://localhost/api/${url}`,
    headers: { ...(init.key ? { "x-api-key": init.key } : {}), ...(init.body !== undefined ? { "content-type": "application/json" } : {}), ...init.headers },
    ...(init.body !== undefined ? { body: { string: JSON.stringify(init.body) } } : {}),
  });
}

function capture() {
  const lines: string[] = [];
  const context = new InvocationContext({
    functionName: "test",
    invocationId: "inv",
    logHandler: (_level, ...args) => lines.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : String(a))).join(" ")),
  });
  return { context, lines };
}

async function call(handler: HttpHandler, req: HttpRequest, context = capture().context): Promise<HttpResponseInit> {
  return (await handler(req, context)) as HttpResponseInit;
}

const put = (url: string, body: string) =>
  fetch(url, { method: "PUT", headers: { "x-ms-blob-type": "BlockBlob", "content-type": "text/csv" }, body });

describe("upload URLs", () => {
  let upload: HttpHandler;
  let adminA: string;
  let viewerA: string;
  beforeAll(async () => {
    upload = routeHandler(routes.createUpload, deps, createUpload(deps));
    adminA = (await deps.auth.issue({ partnerId: "upload-alpha", role: "administrator", name: "a" })).key;
    viewerA = (await deps.auth.issue({ partnerId: "upload-alpha", role: "reportViewer", name: "v" })).key;
    await deps.auth.issue({ partnerId: "upload-bravo", role: "administrator", name: "b" });
  });

  it("gives a URL that creates one blob in the caller's own drops folder, once, and nothing else", async () => {
    const res = await call(upload, request("POST", "uploads", { key: adminA, body: { dataset: "tenants", fileName: "tenants_2025-06-01.csv" } }));
    expect(res.status).toBe(201);
    expect(res.jsonBody).toMatchObject({ method: "PUT", headers: { "x-ms-blob-type": "BlockBlob" }, blobPath: "drops/upload-alpha/tenants/tenants_2025-06-01.csv" });
    const { uploadUrl, expiresAt } = res.jsonBody as { uploadUrl: string; expiresAt: string };
    // Minutes, not hours.
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(15 * 60_000 + 5_000);
    expect(new URL(uploadUrl).searchParams.get("sp")).toBe("c");
    expect((await put(uploadUrl, "tenantId,tenantName\n")).status).toBe(201);
    // Create-only: the same URL cannot overwrite it, read it, or write next to it (another partner's folder).
    expect((await put(uploadUrl, "overwritten")).status).toBe(403);
    expect((await fetch(uploadUrl)).status).toBe(403);
    const elsewhere = uploadUrl.replace("/upload-alpha/", "/upload-bravo/");
    expect((await put(elsewhere, "x")).status).toBe(403);
    expect(await env.clients.blobs.getContainerClient(names.blobContainers.drops).getBlobClient("upload-bravo/tenants/tenants_2025-06-01.csv").exists()).toBe(false);
  });

  it("answers 409 while a file of that name is still waiting to be ingested", async () => {
    const body = { dataset: "usage", fileName: "usage.csv" };
    const first = await call(upload, request("POST", "uploads", { key: adminA, body }));
    expect((await put((first.jsonBody as { uploadUrl: string }).uploadUrl, "x")).status).toBe(201);
    const again = await call(upload, request("POST", "uploads", { key: adminA, body }));
    expect(again.status).toBe(409);
    expect(again.jsonBody).toMatchObject({ error: { code: "conflict", field: "fileName" } });
  });

  it("refuses path tricks, other partners' prefixes and unknown datasets with 400 naming the field", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ dataset: "tenants", fileName: "../upload-bravo/tenants/t.csv" }, "fileName"],
      [{ dataset: "tenants", fileName: "upload-bravo/tenants/t.csv" }, "fileName"],
      [{ dataset: "tenants", fileName: "a%2Fb.csv" }, "fileName"],
      [{ dataset: "tenants", fileName: "..csv" }, "fileName"],
      [{ dataset: "tenants", fileName: "t\u202Egsv.csv" }, "fileName"],
      [{ dataset: "tenants", fileName: "t\u0000.csv" }, "fileName"],
      [{ dataset: "tenants", fileName: "tenants.xlsx" }, "fileName"],
      [{ dataset: "../tenants", fileName: "t.csv" }, "dataset"],
      [{ dataset: "tenants", fileName: "t.csv", partnerId: "upload-bravo" }, "partnerId"],
    ];
    for (const [body, field] of cases) {
      const res = await call(upload, request("POST", "uploads", { key: adminA, body }));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.jsonBody).toMatchObject({ error: { field } });
    }
  });

  it("is for administrators: a viewer gets 403, no key 401", async () => {
    const body = { dataset: "tenants", fileName: "t.csv" };
    expect((await call(upload, request("POST", "uploads", { key: viewerA, body }))).status).toBe(403);
    expect((await call(upload, request("POST", "uploads", { body }))).status).toBe(401);
  });
});

describe("keys: cheap to refuse, costly to abuse", () => {
  /** A key store that counts reads, in front of the real one. */
  function countingStore(): ApiKeyStore & { reads: () => number } {
    const inner = createApiKeyStore(env.clients.containers.partners);
    let reads = 0;
    return {
      ...inner,
      listForPartner: (partnerId) => {
        reads++;
        return inner.listForPartner(partnerId);
      },
      reads: () => reads,
    };
  }

  it("reads the store once per partner id however many unknown or malformed keys arrive", async () => {
    const store = countingStore();
    const auth = createApiKeyAuth(store);
    await auth.issue({ partnerId: "flood-alpha", role: "reportViewer", name: "real" });
    const random = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
    const tries = Array.from({ length: 2_000 }, (_, i) => (i % 4 === 0 ? `garbage-${i}` : `poi_flood-alpha_${random()}`));
    const before = store.reads();
    await Promise.all(tries.map((key) => auth.authenticate(key).catch(() => undefined)));
    expect(store.reads() - before).toBe(1);
    // Unknown partner ids are remembered too: the same made-up partner costs one read.
    const unknown = Array.from({ length: 200 }, () => `poi_nobody-here_${random()}`);
    const mid = store.reads();
    await Promise.all(unknown.map((key) => auth.authenticate(key).catch(() => undefined)));
    expect(store.reads() - mid).toBe(1);
  });

  it("answers 429 with Retry-After once a key has spent its budget, and other keys are unaffected", async () => {
    const list = routeHandler(routes.listIngestions, deps, listIngestions(deps));
    const busy = (await deps.auth.issue({ partnerId: "budget-alpha", role: "reportViewer", name: "busy" })).key;
    const calm = (await deps.auth.issue({ partnerId: "budget-alpha", role: "reportViewer", name: "calm" })).key;
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await call(list, request("GET", "ingestions", { key: busy }))).status ?? 0);
    expect(statuses.filter((s) => s === 200).length).toBe(30);
    const limited = await call(list, request("GET", "ingestions", { key: busy }));
    expect(limited.status).toBe(429);
    expect(limited.headers).toMatchObject({ "retry-after": expect.stringMatching(/^\d+$/) });
    expect(limited.jsonBody).toMatchObject({ error: { code: "too_many_requests" } });
    expect((await call(list, request("GET", "ingestions", { key: calm }))).status).toBe(200);
  });

  it("logs a flood of bad keys as a few counted lines, never one line per request", async () => {
    const list = routeHandler(routes.listIngestions, deps, listIngestions(deps));
    const { context, lines } = capture();
    for (let i = 0; i < 2_000; i++) {
      const res = await call(list, request("GET", "ingestions", { key: `poi_flood-bravo_${"A".repeat(42)}${i % 10}` }), context);
      expect(res.status).toBe(401);
    }
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(lines.join("\n")).toContain("flood-bravo");
  });

  it("refuses an Authorization header of another scheme with the same 401", async () => {
    const list = routeHandler(routes.listIngestions, deps, listIngestions(deps));
    const key = (await deps.auth.issue({ partnerId: "scheme-alpha", role: "reportViewer", name: "s" })).key;
    for (const authorization of [`Basic ${key}`, key, `Token ${key}`, `Bearer ${key} extra`]) {
      const res = await call(list, request("GET", "ingestions", { headers: { authorization } }));
      expect(res.status, authorization.slice(0, 12)).toBe(401);
    }
    expect((await call(list, request("GET", "ingestions", { headers: { authorization: `Bearer ${key}` } }))).status).toBe(200);
  });
});

describe("logs and tokens leak nothing", () => {
  it("refuses a key in the URL (path or query, encoded or not) and logs none of it", async () => {
    const list = routeHandler(routes.listIngestions, deps, listIngestions(deps));
    const key = (await deps.auth.issue({ partnerId: "url-alpha", role: "reportViewer", name: "u" })).key;
    const secret = key.split("_").at(-1)!;
    for (const url of [`ingestions?key=${key}`, `ingestions?k=${encodeURIComponent(key).replace(/_/g, "%5F")}`, `ingestions/${key}`]) {
      const { context, lines } = capture();
      const res = await call(list, request("GET", url, { key }), context);
      expect(res.status, url).toBe(400);
      expect(res.jsonBody).toMatchObject({ error: { field: "url" } });
      expect(JSON.stringify(res) + lines.join("\n")).not.toContain(secret);
    }
  });

  it("hands out continuation tokens that show nothing readable of the partner or its data", async () => {
    const list = routeHandler(routes.listIngestions, deps, listIngestions(deps));
    const partnerId = "token-alpha";
    const key = (await deps.auth.issue({ partnerId, role: "reportViewer", name: "t" })).key;
    for (let n = 0; n < 3; n++) {
      await env.clients.containers.ingestions.items.create({
        id: `tok-${n}`, partnerId, type: "ingestion", blobPath: `drops/${partnerId}/tenants/SecretFile${n}.csv`, etag: "e", dataset: "tenants",
        fileName: `SecretFile${n}.csv`, status: "loaded", receivedAt: `2025-06-0${n + 1}T00:00:00Z`, sizeBytes: 1,
        counts: { rows: 1, loaded: 1, rejected: 0, documents: 1 }, errors: [], warnings: [],
      });
    }
    const res = await call(list, request("GET", "ingestions?pageSize=1", { key }));
    const token = (res.jsonBody as { continuationToken: string }).continuationToken;
    const decoded = Buffer.from(token, "base64url").toString("latin1");
    expect(decoded).not.toMatch(/token-alpha|SecretFile|2025-06|receivedAt|ingestions/);
  });
});
