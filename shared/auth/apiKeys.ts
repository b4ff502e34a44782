import type { Container } from "@azure/cosmos";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { ContainerName } from "../adapters/cosmosLayout.js";
import { apiKeyDocSchema, partnerIdSchema, type ApiKeyDoc, type Role } from "../domain/documents.js";
import type { Caller } from "../http.js";

// API keys: "poi_{partnerId}_{secret}", the secret 32 random bytes in base64url.
// Only SHA-256(secret) is stored, as the document id "key:{hex}" in the partner's partition of
// the partners container, so authenticating is one point read in the right partition.
//
// Caching: a successful lookup is cached for 30 s per process. Revoking through this module
// clears the entry at once in this process; other instances honour a revocation within 30 s.

type Containers = Pick<Record<ContainerName, Container>, "partners">;

export const apiKeyPrefix = "poi";
const secretBytes = 32;
const keyPattern = /^poi_([a-z0-9][a-z0-9-]{1,61}[a-z0-9])_([A-Za-z0-9_-]{43})$/;
export const authCacheTtlMs = 30_000;

export type AuthFailureReason = "missing" | "malformed" | "unknown" | "revoked";

/** Any authentication failure. `reason` is for logs only; callers all see the same message. */
export class AuthenticationError extends Error {
  readonly code = "unauthorized";
  constructor(readonly reason: AuthFailureReason) {
    super("A valid API key is required.");
    this.name = "AuthenticationError";
  }
}

export class ApiKeyStoreError extends Error {
  readonly code = "unavailable";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ApiKeyStoreError";
  }
}

export const apiKeyNameSchema = z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters");

/** What listing shows: never the hash, never the secret. */
export interface ApiKeyInfo {
  keyId: string;
  name: string;
  role: Role;
  createdAt: string;
  createdBy?: string;
  revokedAt?: string;
}

function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

function docIdFor(hash: string): string {
  return `key:${hash}`;
}

interface CacheEntry {
  caller: Caller;
  docId: string;
  expiresAt: number;
}

// Per partners container (one per process in practice; tests may run several emulators).
const caches = new WeakMap<Container, Map<string, CacheEntry>>();

function cacheFor(containers: Containers): Map<string, CacheEntry> {
  let cache = caches.get(containers.partners);
  if (!cache) {
    cache = new Map();
    caches.set(containers.partners, cache);
  }
  return cache;
}

function wrapStoreError(action: string, err: unknown): ApiKeyStoreError {
  return new ApiKeyStoreError(`Could not ${action} API keys`, { cause: err });
}

export async function issueApiKey(
  containers: Containers,
  input: { partnerId: string; role: Role; name: string; createdBy?: string },
  now: Date = new Date(),
): Promise<{ key: string; keyId: string; info: ApiKeyInfo }> {
  const partnerId = partnerIdSchema.parse(input.partnerId);
  const name = apiKeyNameSchema.parse(input.name);
  const secret = randomBytes(secretBytes).toString("base64url");
  const key = `${apiKeyPrefix}_${partnerId}_${secret}`;
  const hash = hashSecret(secret);
  // A public handle for listing and revoking, unrelated to the secret.
  const keyId = `k_${randomBytes(9).toString("base64url")}`;
  const doc: ApiKeyDoc = apiKeyDocSchema.parse({
    id: docIdFor(hash),
    partnerId,
    type: "apiKey",
    keyId,
    role: input.role,
    name,
    createdAt: now.toISOString(),
    ...(input.createdBy ? { createdBy: input.createdBy } : {}),
  });
  try {
    await containers.partners.items.create(doc);
  } catch (err) {
    throw wrapStoreError("store", err);
  }
  return { key, keyId, info: toInfo(doc) };
}

function toInfo(doc: ApiKeyDoc): ApiKeyInfo {
  return {
    keyId: doc.keyId,
    name: doc.name,
    role: doc.role,
    createdAt: doc.createdAt,
    ...(doc.createdBy ? { createdBy: doc.createdBy } : {}),
    ...(doc.revokedAt ? { revokedAt: doc.revokedAt } : {}),
  };
}

async function findKeyDoc(containers: Containers, partnerId: string, keyId: string): Promise<ApiKeyDoc | undefined> {
  try {
    const { resources } = await containers.partners.items
      .query(
        {
          // partnerId in the filter too: the query must never leave the caller's partition.
          query: "SELECT * FROM c WHERE c.partnerId = @partnerId AND c.type = 'apiKey' AND c.keyId = @keyId",
          parameters: [
            { name: "@partnerId", value: partnerId },
            { name: "@keyId", value: keyId },
          ],
        },
        { partitionKey: partnerId },
      )
      .fetchAll();
    const doc = resources.find((r) => r.partnerId === partnerId);
    return doc ? apiKeyDocSchema.parse(doc) : undefined;
  } catch (err) {
    throw wrapStoreError("read", err);
  }
}

/** Revokes a key of this partner. Returns false when the partner has no such key (another partner's key included). */
export async function revokeApiKey(
  containers: Containers,
  partnerId: string,
  keyId: string,
  now: Date = new Date(),
): Promise<boolean> {
  const doc = await findKeyDoc(containers, partnerId, keyId);
  if (!doc) return false;
  // Drop any cached authentication for this key in this process before anything else.
  for (const [k, entry] of cacheFor(containers)) if (entry.docId === doc.id) cacheFor(containers).delete(k);
  if (doc.revokedAt) return true;
  try {
    await containers.partners.item(doc.id, partnerId).patch([{ op: "set", path: "/revokedAt", value: now.toISOString() }]);
  } catch (err) {
    throw wrapStoreError("revoke", err);
  }
  return true;
}

/** The partner's keys, newest first, without hashes or secrets. */
export async function listApiKeys(containers: Containers, partnerId: string): Promise<ApiKeyInfo[]> {
  try {
    const { resources } = await containers.partners.items
      .query(
        {
          query: "SELECT * FROM c WHERE c.partnerId = @partnerId AND c.type = 'apiKey'",
          parameters: [{ name: "@partnerId", value: partnerId }],
        },
        { partitionKey: partnerId },
      )
      .fetchAll();
    return resources
      .filter((r) => r.partnerId === partnerId)
      .map((r) => toInfo(apiKeyDocSchema.parse(r)))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  } catch (err) {
    throw wrapStoreError("list", err);
  }
}

/** Resolves the caller of an API key, or throws AuthenticationError (missing, malformed, unknown or revoked). */
export async function authenticate(
  containers: Containers,
  headerValue: string | null | undefined,
  now: number = Date.now(),
): Promise<Caller> {
  if (!headerValue) throw new AuthenticationError("missing");
  const match = keyPattern.exec(headerValue.trim());
  if (!match) throw new AuthenticationError("malformed");
  const [, partnerId, secret] = match;
  const hash = hashSecret(secret);
  const cacheKey = `${partnerId}:${hash}`;
  const cache = cacheFor(containers);
  const cached = cache.get(cacheKey);
  if (cached && cached.expiresAt > now) return cached.caller;
  if (cached) cache.delete(cacheKey);

  let resource: unknown;
  try {
    ({ resource } = await containers.partners.item(docIdFor(hash), partnerId).read());
  } catch (err) {
    if ((err as { code?: unknown }).code === 404) throw new AuthenticationError("unknown");
    throw wrapStoreError("read", err);
  }
  const parsed = apiKeyDocSchema.safeParse(resource);
  if (!parsed.success) throw new AuthenticationError("unknown");
  const doc = parsed.data;
  // The point read already matched the hash; compare again in constant time so a wrong document can never pass.
  const expected = Buffer.from(docIdFor(hash));
  const actual = Buffer.from(doc.id);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual) || doc.partnerId !== partnerId) {
    throw new AuthenticationError("unknown");
  }
  if (doc.revokedAt) throw new AuthenticationError("revoked");
  const caller: Caller = { partnerId, role: doc.role, keyId: doc.keyId };
  cache.set(cacheKey, { caller, docId: doc.id, expiresAt: now + authCacheTtlMs });
  return caller;
}

/** For tests and hosts that reuse a process: forget cached authentications. */
export function clearAuthCache(containers: Containers): void {
  cacheFor(containers).clear();
}
