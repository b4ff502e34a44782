import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from "jose";

// A stand-in for Entra ID in tests: an RSA key generated here, its public half published as a JWKS on loopback,
// and tokens signed with it the way Entra ID signs v2.0 access tokens (RS256, kid, iss naming the tenant).

export const testTenant = "11111111-2222-4333-8444-555555555555";
export const otherTenant = "99999999-8888-4777-8666-555555555555";
export const testAudience = "api://poi-test";
export const issuerOf = (tenantId: string) => `https://login.microsoftonline.com/${tenantId}/v2.0`;

export interface TokenOptions {
  /** Claims merged over the defaults (tid, oid, roles, aud, iss, iat, nbf, exp). Undefined values drop a claim. */
  claims?: Record<string, unknown>;
  /** Sign with this key instead of the published one (a forger's key). */
  key?: CryptoKey;
  /** The kid in the header (default: the published key's). */
  kid?: string;
  /** Signing time (default now). */
  now?: Date;
}

export interface TestIssuer {
  jwksUri: string;
  /** How many times the key set was fetched. */
  fetches(): number;
  sign(options?: TokenOptions): Promise<string>;
  /** A second key pair nobody published. */
  forgerKey(): Promise<CryptoKey>;
  /** The settings that point the app at this issuer. */
  settings(overrides?: Record<string, string>): Record<string, string>;
  stop(): Promise<void>;
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = "test-key-1";
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, use: "sig", alg: "RS256" }] };
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    fetches++;
    if (req.url !== "/discovery/v2.0/keys") {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/discovery/v2.0/keys`;

  return {
    jwksUri,
    fetches: () => fetches,
    async sign(options = {}) {
      const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
      const claims: Record<string, unknown> = {
        aud: testAudience,
        iss: issuerOf(testTenant),
        tid: testTenant,
        oid: "0000aaaa-1111-4222-8333-444455556666",
        roles: ["Reader"],
        iat: now,
        nbf: now,
        exp: now + 3600,
        ...options.claims,
      };
      const payload = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined)) as JWTPayload;
      return new SignJWT(payload).setProtectedHeader({ alg: "RS256", typ: "JWT", kid: options.kid ?? kid }).sign(options.key ?? privateKey);
    },
    async forgerKey() {
      return (await generateKeyPair("RS256")).privateKey;
    },
    settings(overrides = {}) {
      return { ENTRA_TENANT_ID: testTenant, ENTRA_AUDIENCE: testAudience, ENTRA_JWKS_URI: jwksUri, ...overrides };
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A token with `alg: none` (no signature), as an attacker would send it. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.`;
}

/** An HS256 token whose secret is the published public key's text: the classic algorithm-confusion forgery. */
export async function hmacToken(claims: Record<string, unknown>, secret: string): Promise<string> {
  const { createHmac } = await import("node:crypto");
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const body = `${part({ alg: "HS256", typ: "JWT", kid: "test-key-1" })}.${part(claims)}`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
}

/** The x-ms-client-principal header App Service authentication would send for these claims. */
export function clientPrincipal(claims: { tid?: string; oid?: string; roles?: string[]; groups?: string[] }, authType = "aad"): string {
  const list = [
    ...(claims.tid ? [{ typ: "http://schemas.microsoft.com/identity/claims/tenantid", val: claims.tid }] : []),
    ...(claims.oid ? [{ typ: "http://schemas.microsoft.com/identity/claims/objectidentifier", val: claims.oid }] : []),
    ...(claims.roles ?? []).map((val) => ({ typ: "roles", val })),
    ...(claims.groups ?? []).map((val) => ({ typ: "groups", val })),
  ];
  return Buffer.from(JSON.stringify({ auth_typ: authType, name_typ: "name", role_typ: "roles", claims: list })).toString("base64");
}
