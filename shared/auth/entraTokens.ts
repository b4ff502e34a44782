import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { entraMultiTenant } from "../config.js";
import { guidPattern } from "../domain/common.js";
import { StoreUnavailableError } from "../errors.js";
import { AuthenticationError, type AuthFailureReason } from "./apiKeys.js";

// Entra ID access tokens, verified with jose: the signature against the keys the tenant publishes (JWKS, fetched
// and cached by jose, refetched when a token names an unknown key), RS256 only (so `alg: none` and HS256 with the
// public key as secret are refused), the issuer, the audience, expiry and not-before (a minute of clock skew),
// and a tenant id and object id in the token. What the token proves is who signed in and which app roles they
// hold; which partner they see comes from the sign-in mappings, never from the token.

export interface EntraSettings {
  /** The app registration's tenant (a GUID), or "organizations" to accept work accounts of any tenant. */
  tenantId: string;
  /** Accepted `aud` values: the app's client id (v2 tokens) and/or its Application ID URI. */
  audiences: readonly string[];
  /** The expected `iss`; "{tenantid}" stands for the token's own tenant (needed with "organizations"). */
  issuer: string;
  jwksUri: string;
}

/** Someone whose sign-in was verified (by this module, or by App Service authentication when trusted). */
export interface VerifiedIdentity {
  tenantId: string;
  objectId: string;
  /** App role values from the `roles` claim. */
  appRoles: string[];
  /** Group object ids from the `groups` claim (present when the app registration asks for them). */
  groups: string[];
}

export interface EntraTokenVerifier {
  /** The identity in a bearer token; throws AuthenticationError (401) or StoreUnavailableError (keys unreachable). */
  verify(token: string, now?: Date): Promise<VerifiedIdentity>;
}

const clockToleranceSeconds = 60;

export function createEntraTokenVerifier(settings: EntraSettings, keys: JWTVerifyGetKey = createRemoteJWKSet(new URL(settings.jwksUri), { timeoutDuration: 5_000 })): EntraTokenVerifier {
  const singleTenant = settings.tenantId.toLowerCase() !== entraMultiTenant;
  return {
    async verify(token, now = new Date()) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          algorithms: ["RS256"],
          audience: [...settings.audiences],
          requiredClaims: ["exp", "iss", "tid", "oid"],
          clockTolerance: clockToleranceSeconds,
          currentDate: now,
        }));
      } catch (err) {
        throw asAuthFailure(err);
      }
      const tenantId = String(payload.tid).toLowerCase();
      const objectId = String(payload.oid).toLowerCase();
      if (!guidPattern.test(tenantId) || !guidPattern.test(objectId)) throw new AuthenticationError("token_claims");
      if (singleTenant && tenantId !== settings.tenantId.toLowerCase()) throw new AuthenticationError("token_issuer");
      // Entra ID's multi-tenant issuer names the token's own tenant: it must agree with `tid`.
      if (payload.iss !== settings.issuer.replaceAll("{tenantid}", tenantId)) throw new AuthenticationError("token_issuer");
      return { tenantId, objectId, appRoles: stringsOf(payload.roles), groups: stringsOf(payload.groups).map((g) => g.toLowerCase()) };
    },
  };
}

function stringsOf(claim: unknown): string[] {
  return Array.isArray(claim) ? claim.filter((v): v is string => typeof v === "string") : [];
}

/** A token that fails any check is a 401; a key set that cannot be fetched or read is the service's problem (503). */
function asAuthFailure(err: unknown): Error {
  const reason: AuthFailureReason | undefined =
    err instanceof errors.JWTExpired
      ? "token_expired"
      : err instanceof errors.JWTClaimValidationFailed
        ? err.claim === "nbf"
          ? "token_not_yet_valid"
          : err.claim === "aud"
            ? "token_audience"
            : "token_claims"
        : err instanceof errors.JOSEAlgNotAllowed
          ? "token_algorithm"
          : err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys
            ? "token_signature"
            : err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid || err instanceof errors.JOSENotSupported
              ? "token_invalid"
              : undefined;
  if (reason) return new AuthenticationError(reason);
  // What remains is about the key set, not the token: a timeout, a failed fetch, an answer that is not a key set.
  return new StoreUnavailableError("The sign-in keys of Entra ID could not be fetched", { cause: err, retryAfterSeconds: 5 });
}
