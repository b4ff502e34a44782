import { HttpRequest, InvocationContext, type HttpHandler, type HttpResponseInit } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticate, issueApiKey, listApiKeys, revokeApiKey } from "../../shared/auth/apiKeys.js";
import { apiKeyHeader, readerRoles, administratorRoles, withAuth, ok } from "../../shared/http.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";

// The HTTP API against the real emulators: handlers called directly, as the Functions host would.

let env: TestEnvironment;
beforeAll(async () => {
  env = await startTestEnvironment();
});
afterAll(async () => {
  await env?.stop();
});

function request(method: string, path: string, init: { key?: string; headers?: Record<string, string>; body?: unknown; params?: Record<string, string> } = {}): HttpRequest {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.key) headers["x-api-key"] = init.key;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  return new HttpRequest({
    method,
    url: `http://localhost/api/${path}`,
    headers,
    params: init.params ?? {},
    ...(init.body !== undefined ? { body: { string: typeof init.body === "string" ? init.body : JSON.stringify(init.body) } } : {}),
  });
}

async function call(handler: HttpHandler, req: HttpRequest): Promise<HttpResponseInit> {
  return (await handler(req, new InvocationContext({ functionName: "test" }))) as HttpResponseInit;
}

describe("API keys", () => {
  it("issues a key bound to its partner and role, and stores only its hash", async () => {
    const { key, keyId } = await issueApiKey(env.clients.containers, { partnerId: "contoso", role: "reportViewer", name: "Power BI" });
    expect(key).toMatch(/^poi_contoso_[A-Za-z0-9_-]{43}$/);
    const caller = await authenticate(env.clients.containers, key);
    expect(caller).toEqual({ partnerId: "contoso", role: "reportViewer", keyId });
    const { resources } = await env.clients.containers.partners.items
      .query("SELECT * FROM c", { partitionKey: "contoso" })
      .fetchAll();
    const secret = key.split("_").slice(2).join("_");
    const stored = JSON.stringify(resources);
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(key);
  });

  it("answers the same 401 reason-less error for missing, malformed, unknown and revoked keys", async () => {
    const { key, keyId } = await issueApiKey(env.clients.containers, { partnerId: "contoso", role: "administrator", name: "ops" });
    const unknown = `poi_contoso_${"A".repeat(43)}`;
    await expect(authenticate(env.clients.containers, undefined)).rejects.toMatchObject({ code: "unauthorized", reason: "missing" });
    await expect(authenticate(env.clients.containers, "not-a-key")).rejects.toMatchObject({ code: "unauthorized", reason: "malformed" });
    await expect(authenticate(env.clients.containers, unknown)).rejects.toMatchObject({ code: "unauthorized", reason: "unknown" });
    await authenticate(env.clients.containers, key); // now cached
    expect(await revokeApiKey(env.clients.containers, "contoso", keyId)).toBe(true);
    await expect(authenticate(env.clients.containers, key)).rejects.toMatchObject({ code: "unauthorized", reason: "revoked" });
    const messages = new Set<string>();
    for (const value of [undefined, "not-a-key", unknown, key]) {
      await authenticate(env.clients.containers, value).catch((e: Error) => messages.add(e.message));
    }
    expect(messages.size).toBe(1);
  });

  it("cannot revoke or list another partner's keys", async () => {
    const { key, keyId } = await issueApiKey(env.clients.containers, { partnerId: "fabrikam", role: "reportViewer", name: "fabrikam viewer" });
    expect(await revokeApiKey(env.clients.containers, "contoso", keyId)).toBe(false);
    await expect(authenticate(env.clients.containers, key)).resolves.toMatchObject({ partnerId: "fabrikam" });
    const contosoKeys = await listApiKeys(env.clients.containers, "contoso");
    expect(contosoKeys.map((k) => k.keyId)).not.toContain(keyId);
    // A key claiming another partner id in its prefix is unknown there: the hash lives in the issuing partner's partition.
    const forged = key.replace("poi_fabrikam_", "poi_contoso_");
    await expect(authenticate(env.clients.containers, forged)).rejects.toMatchObject({ reason: "unknown" });
  });

  it("lists keys without hashes or secrets", async () => {
    const { key } = await issueApiKey(env.clients.containers, { partnerId: "listing", role: "executiveReportViewer", name: "exec" });
    const keys = await listApiKeys(env.clients.containers, "listing");
    expect(keys).toHaveLength(1);
    expect(Object.keys(keys[0]).sort()).toEqual(["createdAt", "keyId", "name", "role"]);
    expect(JSON.stringify(keys)).not.toContain(key.slice(-43));
    expect(JSON.stringify(keys)).not.toContain("key:");
  });
});

describe("withAuth", () => {
  const authenticateRequest = (req: HttpRequest) => authenticate(env.clients.containers, apiKeyHeader(req));
  const echo = withAuth(async (_req, _ctx, caller) => ok({ caller }), { roles: administratorRoles, authenticate: authenticateRequest });
  const read = withAuth(async (_req, _ctx, caller) => ok({ caller }), { roles: readerRoles, authenticate: authenticateRequest });

  it("passes the caller to the handler and accepts x-api-key or Authorization: Bearer", async () => {
    const { key, keyId } = await issueApiKey(env.clients.containers, { partnerId: "auth-a", role: "administrator", name: "a" });
    const viaHeader = await call(echo, request("GET", "x", { key }));
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.jsonBody).toEqual({ caller: { partnerId: "auth-a", role: "administrator", keyId } });
    const viaBearer = await call(echo, request("GET", "x", { headers: { authorization: `Bearer ${key}` } }));
    expect(viaBearer.status).toBe(200);
  });

  it("answers 401 without a key and 403 for a role that may not", async () => {
    const { key } = await issueApiKey(env.clients.containers, { partnerId: "auth-a", role: "reportViewer", name: "v" });
    const missing = await call(echo, request("GET", "x"));
    expect(missing.status).toBe(401);
    expect(missing.jsonBody).toMatchObject({ error: { code: "unauthorized" } });
    const wrongRole = await call(echo, request("GET", "x", { key }));
    expect(wrongRole.status).toBe(403);
    expect((await call(read, request("GET", "x", { key }))).status).toBe(200);
  });

  it("answers an unexpected failure with a generic 500 that leaks nothing", async () => {
    const { key } = await issueApiKey(env.clients.containers, { partnerId: "auth-a", role: "reportViewer", name: "v2" });
    const failing = withAuth(async () => {
      throw new Error("connection string AccountKey=secret leaked");
    }, { roles: readerRoles, authenticate: authenticateRequest });
    const ctx = new InvocationContext({ functionName: "failing", invocationId: "inv-123", logHandler: () => {} });
    const res = (await failing(request("GET", "x", { key }), ctx)) as HttpResponseInit;
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.jsonBody)).not.toContain("secret");
    expect(JSON.stringify(res.jsonBody)).toContain("inv-123");
  });
});
