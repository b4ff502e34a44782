import type { IdentityMappingDoc } from "../domain/identityMappings.js";

// Sign-in mappings (Entra tenant or group → partner), in the partners container under the partner's partition.

export interface IdentityMappingStore {
  /** Every mapping of the partner. */
  listForPartner(partnerId: string): Promise<IdentityMappingDoc[]>;
  /** The mappings of any of these object ids, whichever partner holds them (the sign-in lookup). */
  findByObjectIds(objectIds: readonly string[]): Promise<IdentityMappingDoc[]>;
  /** Stores a new mapping; false when the partner already has it. */
  create(doc: IdentityMappingDoc): Promise<boolean>;
  /** Removes one of the partner's mappings; false when the partner has none with this id. */
  remove(partnerId: string, docId: string): Promise<boolean>;
}
