import { guidPattern } from "../domain/common.js";
import { AuthenticationError } from "./apiKeys.js";
import type { VerifiedIdentity } from "./entraTokens.js";

// App Service authentication ("Easy Auth") signs people in in front of the app and passes who they are in the
// x-ms-client-principal header (base64 JSON of the token's claims). Only the platform can be trusted to set it,
// so it is read only when ENTRA_TRUST_APP_SERVICE_AUTH=true; otherwise anyone could forge it and it is ignored.

export const clientPrincipalHeader = "x-ms-client-principal";

const claimTypes = {
  tenantId: ["http://schemas.microsoft.com/identity/claims/tenantid", "tid"],
  objectId: ["http://schemas.microsoft.com/identity/claims/objectidentifier", "oid"],
  groups: ["groups"],
};

interface ClientPrincipal {
  auth_typ?: unknown;
  role_typ?: unknown;
  claims?: unknown;
}

/** The identity App Service authentication passed on; throws AuthenticationError when it is not an Entra ID sign-in. */
export function identityFromClientPrincipal(header: string): VerifiedIdentity {
  let principal: ClientPrincipal;
  try {
    principal = JSON.parse(Buffer.from(header, "base64").toString("utf8")) as ClientPrincipal;
  } catch {
    throw new AuthenticationError("principal_invalid");
  }
  if (typeof principal !== "object" || principal === null || principal.auth_typ !== "aad" || !Array.isArray(principal.claims)) {
    throw new AuthenticationError("principal_invalid");
  }
  const claims = principal.claims.filter(
    (c): c is { typ: string; val: string } => typeof c === "object" && c !== null && typeof c.typ === "string" && typeof c.val === "string",
  );
  const values = (types: readonly string[]) => claims.filter((c) => types.includes(c.typ)).map((c) => c.val);
  const roleTypes = ["roles", "http://schemas.microsoft.com/ws/2008/06/identity/claims/role", ...(typeof principal.role_typ === "string" ? [principal.role_typ] : [])];
  const tenantId = values(claimTypes.tenantId)[0]?.toLowerCase() ?? "";
  const objectId = values(claimTypes.objectId)[0]?.toLowerCase() ?? "";
  if (!guidPattern.test(tenantId) || !guidPattern.test(objectId)) throw new AuthenticationError("principal_invalid");
  return { tenantId, objectId, appRoles: [...new Set(values(roleTypes))], groups: values(claimTypes.groups).map((g) => g.toLowerCase()) };
}
