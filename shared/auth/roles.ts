import { roles, type Role } from "../domain/documents.js";

// The one role list: report viewer and executive report viewer read; administrator also configures (keys,
// refreshes, models, sign-in mappings). Routes name one of these lists.

export type { Role };

export const readerRoles: readonly Role[] = roles;
export const administratorRoles: readonly Role[] = ["administrator"];

/** The authenticated caller: bound to one partner and one role. */
export interface Caller {
  partnerId: string;
  role: Role;
  /** The API key's id, or "entra:{object id}" for someone signed in with Entra ID. */
  keyId: string;
}

/**
 * Entra ID app roles (the `value` of each app role of the app registration, sent in the token's `roles` claim)
 * and the role each grants. Values not listed here grant nothing.
 */
export const appRoleValues = {
  Reader: "reportViewer",
  ExecutiveReader: "executiveReportViewer",
  Administrator: "administrator",
} as const satisfies Record<string, Role>;

/** The most privileged role among a token's app roles, or undefined when none of them is ours. */
export function roleFromAppRoles(values: readonly string[]): Role | undefined {
  const granted = new Set<Role>(values.flatMap((v) => (Object.hasOwn(appRoleValues, v) ? [appRoleValues[v as keyof typeof appRoleValues]] : [])));
  // From most to least privileged: the role list reads least to most.
  return [...roles].reverse().find((role) => granted.has(role));
}
