import { HttpRequest, InvocationContext, type HttpHandler, type HttpResponseInit } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getCloudEndpoint, listCloudEndpoints } from "../../functions/httpCloudEndpoints.js";
import { createIdentityMapping, deleteIdentityMapping, listIdentityMappings } from "../../functions/httpIdentity.js";
import { createKey } from "../../functions/httpKeys.js";
import { me } from "../../functions/httpMe.js";
import { routeHandler } from "../../shared/api/register.js";
import { routes } from "../../shared/api/routes.js";
import { createRequestBudgets } from "../../shared/auth/requestBudget.js";
import { createSignIn } from "../../shared/auth/signIn.js";
import type { ApiDeps } from "../../shared/wiring.js";
import { guid, row, seedResultSet } from "../support/cloudEndpointsSeed.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";
import { clientPrincipal, hmacToken, issuerOf, otherTenant, startTestIssuer, testAudience, testTenant, unsignedToken, type TestIssuer } from "../support/entraIssuer.js";
import { apiRequest as request } from "../support/apiRequest.js";

// Entra ID sign-in through the route pipeline on the real emulators: tokens signed in the test, keys published
// by a loopback JWKS server, the sign-in mappings in Cosmos DB managed over the API.

let issuer: TestIssuer;
let env: TestEnvironment;
let deps: ApiDeps;
let adminKeyA: string;
const partnerA = "entra-alpha";
const partnerB = "entra-bravo";
const userId = "0000aaaa-1111-4222-8333-444455556666";

beforeAll(async () => {
  issuer = await startTestIssuer();
  env = await startTestEnvironment(issuer.settings());
  deps = env.deps.api;
  await seedResultSet(env.clients.containers.results, partnerA, "rs-a", [row("a", 1), row("a", 2)]);
  await seedResultSet(env.clients.containers.results, partnerB, "rs-b", [row("b", 1)]);
  adminKeyA = (await deps.auth.issue({ partnerId: partnerA, role: "administrator", name: "alpha admin" })).key;
});
afterAll(async () => {
  await env?.stop();
  await issuer?.stop();
});

const quietContext = () => new InvocationContext({ functionName: "test", logHandler: () => {} });


async function call(handler: HttpHandler, req: HttpRequest): Promise<HttpResponseInit & { jsonBody?: any }> {
  return (await handler(req, quietContext())) as HttpResponseInit & { jsonBody?: any };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("signing in with an Entra ID token", () => {
  let whoAmI: HttpHandler, list: HttpHandler, one: HttpHandler, addMapping: HttpHandler, listMappings: HttpHandler, removeMapping: HttpHandler;

  beforeAll(async () => {
    whoAmI = routeHandler(routes.me, deps, me(deps));
    list = routeHandler(routes.listCloudEndpoints, deps, listCloudEndpoints(deps));
    one = routeHandler(routes.getCloudEndpoint, deps, getCloudEndpoint(deps));
    addMapping = routeHandler(routes.createIdentityMapping, deps, createIdentityMapping(deps));
    listMappings = routeHandler(routes.listIdentityMappings, deps, listIdentityMappings(deps));
    removeMapping = routeHandler(routes.deleteIdentityMapping, deps, deleteIdentityMapping(deps));
    const added = await call(addMapping, request("POST", "identity-mappings", { headers: { "x-api-key": adminKeyA }, body: { kind: "tenant", objectId: testTenant.toUpperCase(), name: "Alpha staff" } }));
    expect(added.status, JSON.stringify(added.jsonBody)).toBe(201);
  });

  it("reads only the partner its tenant is mapped to, with the role of its app role", async () => {
    const token = await issuer.sign({ claims: { roles: ["Reader"] } });
    const who = await call(whoAmI, request("GET", "me", { headers: bearer(token) }));
    expect(who.status).toBe(200);
    expect(who.jsonBody).toEqual({ partnerId: partnerA, role: "reportViewer", keyId: `entra:${userId}` });
    const rows = await call(list, request("GET", "cloud-endpoints", { headers: bearer(token) }));
    expect(rows.status).toBe(200);
    expect(rows.jsonBody.items.map((r: { tenantId: string }) => r.tenantId).sort()).toEqual([guid(1, "a"), guid(2, "a")]);
    expect(JSON.stringify(rows.jsonBody)).not.toContain("BRAVO");
    // Another partner's tenant is not found, exactly like an unknown one.
    const foreign = await call(one, request("GET", `cloud-endpoints/${guid(1, "b")}`, { headers: bearer(token), params: { tenantId: guid(1, "b") } }));
    expect(foreign.status).toBe(404);
    const own = await call(one, request("GET", `cloud-endpoints/${guid(1, "a")}`, { headers: bearer(token), params: { tenantId: guid(1, "a") } }));
    expect(own.status).toBe(200);
  });

  it("keeps a reader out of administrator routes (403) and lets an Administrator app role in", async () => {
    const reader = await issuer.sign({ claims: { roles: ["Reader"] } });
    expect((await call(listMappings, request("GET", "identity-mappings", { headers: bearer(reader) }))).status).toBe(403);
    const admin = await issuer.sign({ claims: { roles: ["Administrator"] } });
    const mappings = await call(listMappings, request("GET", "identity-mappings", { headers: bearer(admin) }));
    expect(mappings.status).toBe(200);
    expect(mappings.jsonBody.items).toEqual([{ kind: "tenant", objectId: testTenant, name: "Alpha staff", createdAt: expect.any(String), createdBy: expect.stringMatching(/^k_/) }]);
    // A key issued by a signed-in administrator records who issued it.
    const issued = await call(routeHandler(routes.createKey, deps, createKey(deps)), request("POST", "keys", { headers: bearer(admin), body: { name: "Power BI", role: "reportViewer" } }));
    expect(issued.status).toBe(201);
    expect(issued.jsonBody).toMatchObject({ createdBy: `entra:${userId}` });
  });

  it.each([
    ["expired", async () => issuer.sign({ now: new Date(Date.now() - 2 * 3600_000) }), 401],
    ["not yet valid", async () => issuer.sign({ claims: { nbf: Math.floor(Date.now() / 1000) + 600 } }), 401],
    ["for another audience", async () => issuer.sign({ claims: { aud: "api://another-app" } }), 401],
    ["from another issuer", async () => issuer.sign({ claims: { iss: "https://login.example.net/v2.0" } }), 401],
    ["signed with an unpublished key", async () => issuer.sign({ key: await issuer.forgerKey() }), 401],
    ["with alg none", async () => unsignedToken({ aud: testAudience, iss: issuerOf(testTenant), tid: testTenant, oid: userId, roles: ["Administrator"], exp: Math.floor(Date.now() / 1000) + 600 }), 401],
    ["HS256 keyed with the public key", async () => hmacToken({ aud: testAudience, iss: issuerOf(testTenant), tid: testTenant, oid: userId, roles: ["Administrator"], exp: Math.floor(Date.now() / 1000) + 600 }, "secret"), 401],
    ["with an unknown app role", async () => issuer.sign({ claims: { roles: ["Owner"] } }), 403],
    ["from another tenant when the app is single-tenant", async () => issuer.sign({ claims: { tid: otherTenant, iss: issuerOf(otherTenant) } }), 401],
  ])("refuses a token %s", async (_what, token, status) => {
    const res = await call(list, request("GET", "cloud-endpoints", { headers: bearer(await token()) }));
    expect(res.status).toBe(status);
    expect(JSON.stringify(res.jsonBody)).not.toContain("Alpha");
  });

  it("refuses (403) a valid token of a tenant no partner mapped, when any tenant may sign in", async () => {
    const multi = await startTestEnvironment(issuer.settings({ ENTRA_TENANT_ID: "organizations" }));
    try {
      const handler = routeHandler(routes.listCloudEndpoints, multi.deps.api, listCloudEndpoints(multi.deps.api));
      const token = await issuer.sign({ claims: { tid: otherTenant, iss: issuerOf(otherTenant) } });
      const res = await call(handler, request("GET", "cloud-endpoints", { headers: bearer(token) }));
      expect(res.status).toBe(403);
      expect(res.jsonBody.error.code).toBe("forbidden");
    } finally {
      await multi.stop();
    }
  });

  it("lets administrators map and unmap only for their own partner; a tenant maps to one partner", async () => {
    const adminKeyB = (await deps.auth.issue({ partnerId: partnerB, role: "administrator", name: "bravo admin" })).key;
    // The same tenant again: already yours (200); by another partner: taken (409), and who holds it stays unsaid.
    const again = await call(addMapping, request("POST", "identity-mappings", { headers: { "x-api-key": adminKeyA }, body: { kind: "tenant", objectId: testTenant } }));
    expect(again.status).toBe(200);
    const taken = await call(addMapping, request("POST", "identity-mappings", { headers: { "x-api-key": adminKeyB }, body: { kind: "tenant", objectId: testTenant } }));
    expect(taken.status).toBe(409);
    expect(JSON.stringify(taken.jsonBody)).not.toContain(partnerA);
    // B cannot remove A's mapping, and sees none of it.
    const params = { kind: "tenant", objectId: testTenant };
    expect((await call(removeMapping, request("DELETE", `identity-mappings/tenant/${testTenant}`, { headers: { "x-api-key": adminKeyB }, params }))).status).toBe(404);
    expect((await call(listMappings, request("GET", "identity-mappings", { headers: { "x-api-key": adminKeyB } }))).jsonBody.items).toEqual([]);
    // Bad input names the field.
    const bad = await call(addMapping, request("POST", "identity-mappings", { headers: { "x-api-key": adminKeyA }, body: { kind: "user", objectId: "x" } }));
    expect(bad.status).toBe(400);
    expect(bad.jsonBody.error.field).toMatch(/kind|objectId/);

    // A group mapping of B wins over A's tenant mapping for the group's members.
    const group = "cccccccc-0000-4000-8000-000000000001";
    expect((await call(addMapping, request("POST", "identity-mappings", { headers: { "x-api-key": adminKeyB }, body: { kind: "group", objectId: group } }))).status).toBe(201);
    const member = await issuer.sign({ claims: { groups: [group] } });
    expect((await call(whoAmI, request("GET", "me", { headers: bearer(member) }))).jsonBody.partnerId).toBe(partnerB);

    // Removed by its own administrator: the tenant's users are out at once on this instance.
    const token = await issuer.sign();
    expect((await call(whoAmI, request("GET", "me", { headers: bearer(token) }))).status).toBe(200);
    expect((await call(removeMapping, request("DELETE", `identity-mappings/tenant/${testTenant}`, { headers: { "x-api-key": adminKeyA }, params }))).status).toBe(204);
    expect((await call(whoAmI, request("GET", "me", { headers: bearer(token) }))).status).toBe(403);
    expect((await call(addMapping, request("POST", "identity-mappings", { headers: { "x-api-key": adminKeyA }, body: { kind: "tenant", objectId: testTenant } }))).status).toBe(201);
  });
});

describe("App Service authentication header", () => {
  it("is ignored (401) unless ENTRA_TRUST_APP_SERVICE_AUTH is set, and then maps like a token", async () => {
    const whoAmI = routeHandler(routes.me, deps, me(deps));
    const forged = clientPrincipal({ tid: testTenant, oid: userId, roles: ["Administrator"] });
    const res = await call(whoAmI, request("GET", "me", { headers: { "x-ms-client-principal": forged, "x-ms-client-principal-idp": "aad" } }));
    expect(res.status).toBe(401);

    const trusting: ApiDeps = {
      ...deps,
      signIn: createSignIn({ apiKeys: deps.auth, mappings: deps.identities, budgets: createRequestBudgets(600), trustAppServicePrincipal: true }),
    };
    const behindEasyAuth = routeHandler(routes.me, trusting, me(trusting));
    const signedIn = await call(behindEasyAuth, request("GET", "me", { headers: { "x-ms-client-principal": forged } }));
    expect(signedIn.status).toBe(200);
    expect(signedIn.jsonBody).toMatchObject({ partnerId: partnerA, role: "administrator" });
  });
});
