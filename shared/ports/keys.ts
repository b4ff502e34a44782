import type { ApiKeyDoc } from "../domain/documents.js";

// API key documents (partners container, id "key:{sha256 of the secret}", in the partner's partition).

export interface ApiKeyStore {
  create(doc: ApiKeyDoc): Promise<void>;
  /** Every key document of the partner (revoked ones included). */
  listForPartner(partnerId: string): Promise<ApiKeyDoc[]>;
  /** Marks one key revoked at `at` (a no-op when it already is). */
  revoke(partnerId: string, docId: string, at: string): Promise<void>;
}

/** A random key that seals continuation tokens, the same for every instance (created on first use). */
export interface SealingKeyStore {
  sealingKey(): Promise<Buffer>;
}
