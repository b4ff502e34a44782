import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthenticationError } from "../../shared/auth/apiKeys.js";
import { createEntraTokenVerifier, type EntraTokenVerifier } from "../../shared/auth/entraTokens.js";
import { createIdentityMappings } from "../../shared/auth/identityMappings.js";
import { createRequestBudgets } from "../../shared/auth/requestBudget.js";
import { roleFromAppRoles } from "../../shared/auth/roles.js";
import { credentialOf, createSignIn, SignInForbiddenError } from "../../shared/auth/signIn.js";
import { defaultEntraEndpoints, loadConfig } from "../../shared/config.js";
import { redactSecrets } from "../../shared/logging.js";
import type { IdentityMappingDoc } from "../../shared/domain/identityMappings.js";
import type { IdentityMappingStore } from "../../shared/ports/identities.js";
import { clientPrincipal, hmacToken, issuerOf, otherTenant, startTestIssuer, testAudience, testTenant, unsignedToken, type TestIssuer } from "../support/entraIssuer.js";

// Entra ID sign-in without a database: tokens signed in the test with a key whose public half a loopback JWKS
// server publishes; mappings in memory.

let issuer: TestIssuer;
let verifier: EntraTokenVerifier;
const settings = () => ({ tenantId: testTenant, audiences: [testAudience], issuer: defaultEntraEndpoints(testTenant).issuer, jwksUri: issuer.jwksUri });

beforeAll(async () => {
  issuer = await startTestIssuer();
  verifier = createEntraTokenVerifier(settings());
});
afterAll(async () => {
  await issuer?.stop();
});

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, "expected a refusal").toBeInstanceOf(AuthenticationError);
  return (err as AuthenticationError).reason;
}

describe("Entra ID tokens", () => {
  it("accepts a token signed with the tenant's published key and reads tenant, object id, app roles and groups", async () => {
    const token = await issuer.sign({ claims: { roles: ["Administrator"], groups: ["AAAAAAAA-0000-4000-8000-000000000001"] } });
    await expect(verifier.verify(token)).resolves.toEqual({
      tenantId: testTenant,
      objectId: "0000aaaa-1111-4222-8333-444455556666",
      appRoles: ["Administrator"],
      groups: ["aaaaaaaa-0000-4000-8000-000000000001"],
    });
  });

  it("refuses an expired token, and one not yet valid (beyond a minute of clock skew)", async () => {
    const hourAgo = new Date(Date.now() - 2 * 3600_000);
    expect(await reasonOf(verifier.verify(await issuer.sign({ now: hourAgo })))).toBe("token_expired");
    const later = Math.floor(Date.now() / 1000) + 600;
    expect(await reasonOf(verifier.verify(await issuer.sign({ claims: { nbf: later } })))).toBe("token_not_yet_valid");
    // Thirty seconds of skew is tolerated.
    await expect(verifier.verify(await issuer.sign({ claims: { nbf: Math.floor(Date.now() / 1000) + 30 } }))).resolves.toBeDefined();
  });

  it("refuses a token without an expiry", async () => {
    expect(await reasonOf(verifier.verify(await issuer.sign({ claims: { exp: undefined } })))).toBe("token_claims");
  });

  it("refuses a token for another audience", async () => {
    expect(await reasonOf(verifier.verify(await issuer.sign({ claims: { aud: "api://someone-else" } })))).toBe("token_audience");
  });

  it("refuses a token from another issuer, or another tenant when the app is single-tenant", async () => {
    expect(await reasonOf(verifier.verify(await issuer.sign({ claims: { iss: "https://evil.example/v2.0" } })))).toBe("token_issuer");
    expect(await reasonOf(verifier.verify(await issuer.sign({ claims: { tid: otherTenant, iss: issuerOf(otherTenant) } })))).toBe("token_issuer");
    // v1.0 tokens name another issuer: the app registration must ask for v2.0 tokens.
    expect(await reasonOf(verifier.verify(await issuer.sign({ claims: { iss: `https://sts.windows.net/${testTenant}/` } })))).toBe("token_issuer");
  });

  it("accepts any tenant with 'organizations', but only with the issuer of the token's own tenant", async () => {
    const multi = createEntraTokenVerifier({ ...settings(), tenantId: "organizations", jwksUri: issuer.jwksUri });
    await expect(multi.verify(await issuer.sign({ claims: { tid: otherTenant, iss: issuerOf(otherTenant) } }))).resolves.toMatchObject({ tenantId: otherTenant });
    expect(await reasonOf(multi.verify(await issuer.sign({ claims: { tid: otherTenant, iss: issuerOf(testTenant) } })))).toBe("token_issuer");
  });

  it("refuses a token signed with a key the tenant did not publish (same kid)", async () => {
    expect(await reasonOf(verifier.verify(await issuer.sign({ key: await issuer.forgerKey() })))).toBe("token_signature");
  });

  it("refuses alg none and an HS256 token keyed with the public key (the algorithm is pinned to RS256)", async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { aud: testAudience, iss: issuerOf(testTenant), tid: testTenant, oid: "0000aaaa-1111-4222-8333-444455556666", roles: ["Administrator"], nbf: now, exp: now + 600 };
    expect(await reasonOf(verifier.verify(unsignedToken(claims)))).toMatch(/^token_/);
    const jwks = (await (await fetch(issuer.jwksUri)).json()) as { keys: { n: string }[] };
    expect(await reasonOf(verifier.verify(await hmacToken(claims, jwks.keys[0].n)))).toBe("token_algorithm");
  });

  it("refuses a token without a tenant or object id", async () => {
    expect(await reasonOf(verifier.verify(await issuer.sign({ claims: { oid: undefined } })))).toBe("token_claims");
    expect(await reasonOf(verifier.verify(await issuer.sign({ claims: { oid: "not-a-guid" } })))).toBe("token_claims");
  });

  it("answers 503, not 401, when the key set cannot be fetched", async () => {
    const unreachable = createEntraTokenVerifier({ ...settings(), jwksUri: "http://127.0.0.1:9/discovery/v2.0/keys" });
    await expect(unreachable.verify(await issuer.sign())).rejects.toMatchObject({ code: "unavailable" });
  });

  it("never reaches a log line: tokens are redacted like API keys", async () => {
    const token = await issuer.sign();
    const line = redactSecrets(`GET /api/me?access_token=${token} failed`);
    expect(line).not.toContain(token.split(".")[1]);
    expect(line).toBe("GET /api/me?access_token=eyJ[redacted] failed");
  });

  it("fetches the key set once and reuses it", async () => {
    const fresh = createEntraTokenVerifier(settings());
    const before = issuer.fetches();
    for (let i = 0; i < 5; i++) await fresh.verify(await issuer.sign());
    expect(issuer.fetches() - before).toBe(1);
  });
});

describe("app roles", () => {
  it("maps Reader, ExecutiveReader and Administrator to the three roles, the most privileged winning", () => {
    expect(roleFromAppRoles(["Reader"])).toBe("reportViewer");
    expect(roleFromAppRoles(["ExecutiveReader"])).toBe("executiveReportViewer");
    expect(roleFromAppRoles(["Reader", "Administrator"])).toBe("administrator");
    expect(roleFromAppRoles(["Reader", "Unknown.Role"])).toBe("reportViewer");
  });

  it("grants nothing for unknown roles, role-list look-alikes and no roles", () => {
    expect(roleFromAppRoles([])).toBeUndefined();
    expect(roleFromAppRoles(["Owner", "reader", "administrator", "toString", "__proto__"])).toBeUndefined();
  });
});

function memoryStore(initial: IdentityMappingDoc[] = []): IdentityMappingStore & { lookups: number } {
  const docs = [...initial];
  const store = {
    lookups: 0,
    async listForPartner(partnerId: string) {
      return docs.filter((d) => d.partnerId === partnerId);
    },
    async findByObjectIds(ids: readonly string[]) {
      store.lookups++;
      return docs.filter((d) => ids.includes(d.objectId));
    },
    async create(doc: IdentityMappingDoc) {
      if (docs.some((d) => d.partnerId === doc.partnerId && d.id === doc.id)) return false;
      docs.push(doc);
      return true;
    },
    async remove(partnerId: string, id: string) {
      const i = docs.findIndex((d) => d.partnerId === partnerId && d.id === id);
      if (i < 0) return false;
      docs.splice(i, 1);
      return true;
    },
  };
  return store;
}

const mapping = (partnerId: string, kind: "tenant" | "group", objectId: string): IdentityMappingDoc => ({
  id: `identity:${kind}:${objectId}`,
  partnerId,
  type: "identityMapping",
  kind,
  objectId,
  createdAt: "2026-11-01T00:00:00.000Z",
});

const group1 = "aaaaaaaa-0000-4000-8000-000000000001";
const group2 = "aaaaaaaa-0000-4000-8000-000000000002";

function headers(values: Record<string, string>) {
  return new Headers(values);
}

describe("signing in with Entra ID", () => {
  const apiKeys = {
    authenticate: async (key: string | undefined) => {
      if (key === "poi_contoso_" + "k".repeat(43)) return { partnerId: "contoso", role: "reportViewer" as const, keyId: "k_1" };
      throw new AuthenticationError("unknown");
    },
  };
  const signInWith = (store: IdentityMappingStore, trustAppServicePrincipal = false, entraConfigured = true) =>
    createSignIn({ apiKeys, entra: entraConfigured ? verifier : undefined, mappings: createIdentityMappings(store), budgets: createRequestBudgets(600), trustAppServicePrincipal });

  it("makes a mapped tenant's user a caller of that partner, with the role of their app role and their object id", async () => {
    const signIn = signInWith(memoryStore([mapping("contoso", "tenant", testTenant)]));
    const token = await issuer.sign({ claims: { roles: ["ExecutiveReader"] } });
    await expect(signIn.authenticate(headers({ authorization: `Bearer ${token}` }))).resolves.toEqual({
      partnerId: "contoso",
      role: "executiveReportViewer",
      keyId: "entra:0000aaaa-1111-4222-8333-444455556666",
    });
  });

  it("refuses (403) a valid token with no app role of ours, before looking up any mapping", async () => {
    const store = memoryStore([mapping("contoso", "tenant", testTenant)]);
    const token = await issuer.sign({ claims: { roles: ["Contributor"] } });
    await expect(signInWith(store).authenticate(headers({ authorization: `Bearer ${token}` }))).rejects.toMatchObject({ code: "forbidden", reason: "no_role" });
    expect(store.lookups).toBe(0);
  });

  it("refuses (403) a valid token from a tenant no partner mapped, and remembers the answer", async () => {
    const store = memoryStore([mapping("contoso", "tenant", otherTenant)]);
    const signIn = signInWith(store);
    const token = await issuer.sign();
    for (let i = 0; i < 3; i++) {
      await expect(signIn.authenticate(headers({ authorization: `Bearer ${token}` }))).rejects.toBeInstanceOf(SignInForbiddenError);
    }
    expect(store.lookups).toBe(1);
  });

  it("prefers a group mapping over the tenant's, and lets nobody in through a group two partners hold", async () => {
    const store = memoryStore([mapping("contoso", "tenant", testTenant), mapping("fabrikam", "group", group1), mapping("litware", "group", group2), mapping("tailspin", "group", group2)]);
    const signIn = signInWith(store);
    const inGroup1 = await issuer.sign({ claims: { groups: [group1] } });
    await expect(signIn.authenticate(headers({ authorization: `Bearer ${inGroup1}` }))).resolves.toMatchObject({ partnerId: "fabrikam" });
    const inNoGroup = await issuer.sign({ claims: { groups: [] } });
    await expect(signIn.authenticate(headers({ authorization: `Bearer ${inNoGroup}` }))).resolves.toMatchObject({ partnerId: "contoso" });
    const inGroup2 = await issuer.sign({ claims: { groups: [group2] } });
    await expect(signIn.authenticate(headers({ authorization: `Bearer ${inGroup2}` }))).rejects.toMatchObject({ reason: "ambiguous" });
  });

  it("refuses (401) a bearer token when Entra ID sign-in is not configured", async () => {
    const signIn = signInWith(memoryStore([mapping("contoso", "tenant", testTenant)]), false, false);
    await expect(signIn.authenticate(headers({ authorization: `Bearer ${await issuer.sign()}` }))).rejects.toMatchObject({ code: "unauthorized", reason: "token_not_accepted" });
  });

  it("still takes API keys, in x-api-key or as a bearer token", async () => {
    const signIn = signInWith(memoryStore());
    const key = "poi_contoso_" + "k".repeat(43);
    await expect(signIn.authenticate(headers({ "x-api-key": key }))).resolves.toMatchObject({ keyId: "k_1" });
    await expect(signIn.authenticate(headers({ authorization: `Bearer ${key}` }))).resolves.toMatchObject({ keyId: "k_1" });
  });

  it("ignores a forged App Service principal header unless that mode is configured", async () => {
    const store = memoryStore([mapping("contoso", "tenant", testTenant)]);
    const forged = clientPrincipal({ tid: testTenant, oid: "0000aaaa-1111-4222-8333-444455556666", roles: ["Administrator"] });
    await expect(signInWith(store).authenticate(headers({ "x-ms-client-principal": forged }))).rejects.toMatchObject({ code: "unauthorized", reason: "missing" });
    // Beside a key, the header changes nothing.
    await expect(signInWith(store).authenticate(headers({ "x-ms-client-principal": forged, "x-api-key": "poi_contoso_" + "k".repeat(43) }))).resolves.toMatchObject({ keyId: "k_1" });
    // Behind App Service authentication (ENTRA_TRUST_APP_SERVICE_AUTH=true) it is who signed in.
    await expect(signInWith(store, true).authenticate(headers({ "x-ms-client-principal": forged }))).resolves.toMatchObject({ partnerId: "contoso", role: "administrator" });
    // A key sent explicitly wins over a session's principal: signing in with a key on the page acts as that key.
    await expect(signInWith(store, true).authenticate(headers({ "x-ms-client-principal": forged, "x-api-key": "poi_contoso_" + "k".repeat(43) }))).resolves.toMatchObject({ keyId: "k_1" });
    await expect(signInWith(store, true).authenticate(headers({ "x-ms-client-principal": clientPrincipal({ tid: testTenant, oid: "0000aaaa-1111-4222-8333-444455556666", roles: ["Reader"] }, "google") }))).rejects.toMatchObject({ reason: "principal_invalid" });
    await expect(signInWith(store, true).authenticate(headers({ "x-ms-client-principal": "not base64 json" }))).rejects.toMatchObject({ reason: "principal_invalid" });
  });

  it("tells tokens from keys by shape and refuses other schemes", () => {
    const opts = { trustAppServicePrincipal: false };
    expect(credentialOf(headers({ authorization: "Bearer eyJhbGciOiJSUzI1NiJ9.eyJ4IjoxfQ.c2ln" }), opts).kind).toBe("token");
    expect(credentialOf(headers({ authorization: "Bearer poi_contoso_secret" }), opts).kind).toBe("apiKey");
    expect(credentialOf(headers({ authorization: "Basic abc" }), opts)).toEqual({ kind: "none", reason: "not_bearer" });
    expect(credentialOf(headers({}), opts)).toEqual({ kind: "none", reason: "missing" });
  });
});

describe("Entra ID settings", () => {
  const base = { COSMOS_ENDPOINT: "http://127.0.0.1:1", AzureWebJobsStorage: "local" };

  it("is off unless an audience is set; infra's empty values count as unset", () => {
    expect(loadConfig(base).entra).toBeUndefined();
    expect(loadConfig({ ...base, ENTRA_TENANT_ID: testTenant, ENTRA_AUDIENCE: "", ENTRA_ISSUER: "", ENTRA_JWKS_URI: "", ENTRA_TRUST_APP_SERVICE_AUTH: "" })).toMatchObject({ entra: undefined, trustAppServiceAuth: false });
  });

  it("defaults the issuer and key set to Entra ID's v2.0 endpoints of the tenant", () => {
    expect(loadConfig({ ...base, ENTRA_TENANT_ID: testTenant, ENTRA_AUDIENCE: "api://poi, 00000000-1111-4222-8333-444444444444" }).entra).toEqual({
      tenantId: testTenant,
      audiences: ["api://poi", "00000000-1111-4222-8333-444444444444"],
      issuer: "https://login.microsoftonline.com/{tenantid}/v2.0",
      jwksUri: `https://login.microsoftonline.com/${testTenant}/discovery/v2.0/keys`,
    });
  });

  it("names the setting at fault: an audience without a tenant, a tenant that is not a GUID, a mode that is not true/false", () => {
    expect(() => loadConfig({ ...base, ENTRA_AUDIENCE: "api://poi" })).toThrow(/ENTRA_TENANT_ID/);
    expect(() => loadConfig({ ...base, ENTRA_TENANT_ID: "common", ENTRA_AUDIENCE: "api://poi" })).toThrow(/ENTRA_TENANT_ID/);
    expect(() => loadConfig({ ...base, ENTRA_TRUST_APP_SERVICE_AUTH: "yes" })).toThrow(/ENTRA_TRUST_APP_SERVICE_AUTH/);
    expect(loadConfig({ ...base, ENTRA_TRUST_APP_SERVICE_AUTH: "true" }).trustAppServiceAuth).toBe(true);
  });
});
