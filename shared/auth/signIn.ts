import { DomainError } from "../errors.js";
import { AuthenticationError, type ApiKeyAuth, type AuthFailureReason } from "./apiKeys.js";
import { clientPrincipalHeader, identityFromClientPrincipal } from "./appServicePrincipal.js";
import type { EntraTokenVerifier, VerifiedIdentity } from "./entraTokens.js";
import type { IdentityMappings } from "./identityMappings.js";
import type { RequestBudgets } from "./requestBudget.js";
import { roleFromAppRoles, type Caller } from "./roles.js";

// Who is calling, from a request's headers: an API key (x-api-key, or Authorization: Bearer poi_…), an Entra ID
// access token (Authorization: Bearer eyJ…, when Entra ID sign-in is configured), or, only when explicitly trusted,
// the principal App Service authentication passes on. Every way ends in the same Caller: one partner, one role.
// A signed-in person's role comes from their app roles, their partner from the sign-in mappings.

export interface HeaderReader {
  get(name: string): string | null;
}

export type Credential =
  | { kind: "apiKey"; key: string }
  | { kind: "token"; token: string }
  | { kind: "principal"; header: string }
  | { kind: "none"; reason: Extract<AuthFailureReason, "missing" | "not_bearer"> };

/** A compact JWS: three base64url parts, the first a JSON header (so it starts "eyJ"). API keys start "poi_". */
const jwtShaped = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/**
 * The credential a request carries, in order: x-api-key, a trusted App Service principal, Authorization: Bearer.
 * A key is the caller's explicit choice for this request; the principal rides on a browser session's cookie.
 */
export function credentialOf(headers: HeaderReader, options: { trustAppServicePrincipal: boolean }): Credential {
  const direct = headers.get("x-api-key");
  if (direct) return { kind: "apiKey", key: direct };
  const principal = headers.get(clientPrincipalHeader);
  if (options.trustAppServicePrincipal && principal) return { kind: "principal", header: principal };
  const authorization = headers.get("authorization");
  if (!authorization) return { kind: "none", reason: "missing" };
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
  if (!bearer) return { kind: "none", reason: "not_bearer" };
  return jwtShaped.test(bearer[1]) ? { kind: "token", token: bearer[1] } : { kind: "apiKey", key: bearer[1] };
}

/** Signed in, but not allowed in: no app role of ours, or no partner mapped to the tenant or groups (403). */
export class SignInForbiddenError extends DomainError {
  constructor(readonly reason: Extract<AuthFailureReason, "no_role" | "unmapped" | "ambiguous">) {
    super(
      "forbidden",
      reason === "no_role"
        ? "You are signed in, but your account has no role in this API (Reader, ExecutiveReader or Administrator); ask your administrator."
        : "You are signed in, but your organisation or group is not set up for a partner here; ask your partner's administrator.",
    );
    this.name = "SignInForbiddenError";
  }
}

export interface SignIn {
  /**
   * The caller of a request. Throws AuthenticationError (401), SignInForbiddenError (403), TooManyRequestsError (429)
   * or StoreUnavailableError (503).
   */
  authenticate(headers: HeaderReader, now?: number): Promise<Caller>;
}

export interface SignInDeps {
  apiKeys: Pick<ApiKeyAuth, "authenticate">;
  /** Absent when Entra ID sign-in is not configured: bearer tokens are then refused (401). */
  entra?: EntraTokenVerifier;
  mappings: Pick<IdentityMappings, "partnerOf">;
  budgets: RequestBudgets;
  /** ENTRA_TRUST_APP_SERVICE_AUTH: read x-ms-client-principal (only behind App Service authentication). */
  trustAppServicePrincipal: boolean;
}

export function createSignIn(deps: SignInDeps): SignIn {
  async function callerOf(identity: VerifiedIdentity, now: number): Promise<Caller> {
    const role = roleFromAppRoles(identity.appRoles);
    if (!role) throw new SignInForbiddenError("no_role");
    const lookup = await deps.mappings.partnerOf(identity, now);
    if (lookup.outcome !== "mapped") throw new SignInForbiddenError(lookup.outcome);
    const keyId = `entra:${identity.objectId}`;
    deps.budgets.spend(keyId, now);
    return { partnerId: lookup.partnerId, role, keyId };
  }

  return {
    async authenticate(headers, now = Date.now()) {
      const credential = credentialOf(headers, { trustAppServicePrincipal: deps.trustAppServicePrincipal });
      switch (credential.kind) {
        case "none":
          throw new AuthenticationError(credential.reason);
        case "apiKey":
          return deps.apiKeys.authenticate(credential.key, now);
        case "principal":
          return callerOf(identityFromClientPrincipal(credential.header), now);
        case "token":
          if (!deps.entra) throw new AuthenticationError("token_not_accepted");
          return callerOf(await deps.entra.verify(credential.token, new Date(now)), now);
      }
    },
  };
}
