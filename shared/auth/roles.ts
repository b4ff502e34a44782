import { roles, type Role } from "../domain/documents.js";

// The one role list: report viewer and executive report viewer read; administrator also configures (keys,
// refreshes, models). Routes name one of these lists.

export type { Role };

export const readerRoles: readonly Role[] = roles;
export const administratorRoles: readonly Role[] = ["administrator"];

/** The authenticated caller: bound to one partner and one role. */
export interface Caller {
  partnerId: string;
  role: Role;
  keyId: string;
}
