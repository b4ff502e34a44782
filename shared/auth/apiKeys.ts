import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { apiKeyDocSchema, partnerIdSchema, type ApiKeyDoc, type Role } from "../domain/documents.js";
import type { ApiKeyStore } from "../ports/keys.js";
import { createRequestBudgets, type RequestBudgets } from "./requestBudget.js";
import type { Caller } from "./roles.js";

// API keys: "poi_{partnerId}_{secret}", the secret 32 random bytes in base64url. Only SHA-256(secret) is
// stored (document id "key:{hex}" in the partner's partition of the partners container).
//
// Cheap to attack, not to run: a malformed key costs no read at all; the first key seen for a partner loads
// that partner's key hashes once (one query) and every other key for it is checked in memory for 30 s, so a
// flood of unknown keys costs no database read per request after the first for the same partner id (partners
// that have no keys are remembered too, in a bounded cache). Concurrent first lookups share one read.
// Revoking through this module forgets the partner's keys at once in this process; other instances honour a
// revocation within 30 s. Each key has a request budget per instance; past it, 429 with Retry-After.

export const apiKeyPrefix = "poi";
const secretBytes = 32;
const keyPattern = /^poi_([a-z0-9][a-z0-9-]{1,61}[a-z0-9])_([A-Za-z0-9_-]{43})$/;
export const authCacheTtlMs = 30_000;
const maxCachedPartners = 10_000;

export type AuthFailureReason =
  | "missing"
  | "malformed"
  | "not_bearer"
  | "unknown"
  | "revoked"
  // Entra ID tokens (shared/auth/entraTokens.ts) and App Service principals (appServicePrincipal.ts): 401.
  | "token_invalid"
  | "token_expired"
  | "token_not_yet_valid"
  | "token_audience"
  | "token_issuer"
  | "token_claims"
  | "token_algorithm"
  | "token_signature"
  | "token_not_accepted"
  | "principal_invalid"
  // Signed in, but no app role of ours or no partner mapped to the tenant or groups (403, shared/auth/signIn.ts).
  | "no_role"
  | "unmapped"
  | "ambiguous";

/** Any authentication failure. `reason` is for logs only; callers all see the same message. */
export class AuthenticationError extends Error {
  readonly code = "unauthorized";
  constructor(
    readonly reason: AuthFailureReason,
    /** The partner id the key named, when it had a well-formed one (for aggregated logs). */
    readonly partnerId?: string,
  ) {
    super("A valid API key is required.");
    this.name = "AuthenticationError";
  }
}

export const apiKeyNameSchema = z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters");

/** What listing shows: never the hash, never the secret. */
export const apiKeyInfoSchema = apiKeyDocSchema.pick({ keyId: true, name: true, role: true, createdAt: true, createdBy: true, revokedAt: true });
export type ApiKeyInfo = z.infer<typeof apiKeyInfoSchema>;

export interface IssuedKey {
  key: string;
  keyId: string;
  info: ApiKeyInfo;
}

export interface ApiKeyAuth {
  /** The caller of an API key; throws AuthenticationError (401) or TooManyRequestsError (429). */
  authenticate(key: string | undefined, now?: number): Promise<Caller>;
  issue(input: { partnerId: string; role: Role; name: string; createdBy?: string }, now?: Date): Promise<IssuedKey>;
  /** The partner's keys, newest first. */
  list(partnerId: string): Promise<ApiKeyInfo[]>;
  /** False when the partner has no such key (another partner's key included). */
  revoke(partnerId: string, keyId: string, now?: Date): Promise<boolean>;
  /** Forgets cached keys (tests; hosts that reuse a process). */
  forget(): void;
}

export interface ApiKeyAuthOptions {
  /** Requests per minute one key may make to this instance. */
  requestsPerMinute?: number;
  /** Shared with the other ways of signing in, so every caller has one budget per instance. */
  budgets?: RequestBudgets;
  cacheTtlMs?: number;
}

interface PartnerKeys {
  byHash: Map<string, ApiKeyDoc>;
  expiresAt: number;
}

function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

const docIdFor = (hash: string) => `key:${hash}`;

function toInfo(doc: ApiKeyDoc): ApiKeyInfo {
  return apiKeyInfoSchema.parse(doc);
}

export function createApiKeyAuth(store: ApiKeyStore, options: ApiKeyAuthOptions = {}): ApiKeyAuth {
  const ttl = options.cacheTtlMs ?? authCacheTtlMs;
  const budgets = options.budgets ?? createRequestBudgets(options.requestsPerMinute ?? 600);
  const cache = new Map<string, PartnerKeys>();
  const loading = new Map<string, Promise<PartnerKeys>>();

  async function keysOf(partnerId: string, now: number): Promise<PartnerKeys> {
    const cached = cache.get(partnerId);
    if (cached && cached.expiresAt > now) return cached;
    let pending = loading.get(partnerId);
    if (!pending) {
      pending = store
        .listForPartner(partnerId)
        .then((docs) => {
          const entry = { byHash: new Map(docs.map((d) => [d.id, d])), expiresAt: now + ttl };
          cache.delete(partnerId);
          cache.set(partnerId, entry);
          // Bounded: the oldest entries go first (a flood of made-up partner ids cannot grow it without end).
          while (cache.size > maxCachedPartners) cache.delete(cache.keys().next().value!);
          return entry;
        })
        .finally(() => loading.delete(partnerId));
      loading.set(partnerId, pending);
    }
    return pending;
  }

  return {
    async authenticate(key, now = Date.now()) {
      if (!key) throw new AuthenticationError("missing");
      const match = keyPattern.exec(key.trim());
      if (!match) throw new AuthenticationError("malformed");
      const [, partnerId, secret] = match;
      const doc = (await keysOf(partnerId, now)).byHash.get(docIdFor(hashSecret(secret)));
      if (!doc || doc.partnerId !== partnerId) throw new AuthenticationError("unknown", partnerId);
      if (doc.revokedAt) throw new AuthenticationError("revoked", partnerId);
      budgets.spend(doc.keyId, now);
      return { partnerId, role: doc.role, keyId: doc.keyId };
    },

    async issue(input, now = new Date()) {
      const partnerId = partnerIdSchema.parse(input.partnerId);
      const name = apiKeyNameSchema.parse(input.name);
      const secret = randomBytes(secretBytes).toString("base64url");
      const key = `${apiKeyPrefix}_${partnerId}_${secret}`;
      // A public handle for listing and revoking, unrelated to the secret.
      const keyId = `k_${randomBytes(9).toString("base64url")}`;
      const doc = apiKeyDocSchema.parse({
        id: docIdFor(hashSecret(secret)),
        partnerId,
        type: "apiKey",
        keyId,
        role: input.role,
        name,
        createdAt: now.toISOString(),
        ...(input.createdBy ? { createdBy: input.createdBy } : {}),
      });
      await store.create(doc);
      cache.delete(partnerId);
      return { key, keyId, info: toInfo(doc) };
    },

    async list(partnerId) {
      const docs = await store.listForPartner(partnerId);
      return docs.map(toInfo).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    },

    async revoke(partnerId, keyId, now = new Date()) {
      const doc = (await store.listForPartner(partnerId)).find((d) => d.keyId === keyId);
      if (!doc) return false;
      // Forget this partner's cached keys in this process before anything else.
      cache.delete(partnerId);
      if (!doc.revokedAt) await store.revoke(partnerId, doc.id, now.toISOString());
      cache.delete(partnerId);
      return true;
    },

    forget() {
      cache.clear();
      budgets.clear();
    },
  };
}

/**
 * Rejected keys are logged as counts per partner and window, not one line per request (a flood of bad keys
 * would otherwise write a line each, which costs money in Application Insights). The first rejection for a
 * partner in a window is logged at once; the window's count when the next window starts.
 */
export function createRejectionLog(windowMs = 60_000) {
  // Bounded: a flood of made-up partner ids is logged as a few lines, whatever its size.
  const maxImmediate = 10;
  const maxPartnersListed = 20;
  const maxPartnersCounted = 10_000;
  let windowStart = 0;
  let immediate = 0;
  let others = 0;
  let counts = new Map<string, Map<AuthFailureReason, number>>();
  function summary(): string | undefined {
    if (counts.size === 0 && others === 0) return undefined;
    const parts = [...counts].slice(0, maxPartnersListed).map(([partner, reasons]) => {
      const total = [...reasons.values()].reduce((a, b) => a + b, 0);
      return `${partner}: ${total} (${[...reasons].map(([r, n]) => `${r} ${n}`).join(", ")})`;
    });
    const more = counts.size - parts.length;
    return (
      `Rejected sign-ins (API keys, tokens) in the last ${Math.round(windowMs / 1000)} s: ${parts.join("; ")}` +
      (more > 0 ? `; and ${more} more partner id(s)` : "") +
      (others > 0 ? `; ${others} more for partner ids beyond the first ${maxPartnersCounted}` : "")
    );
  }
  return {
    /** Counts one rejection; returns the lines to log now (none for most requests in a flood). */
    record(partnerId: string | undefined, reason: AuthFailureReason, now = Date.now()): string[] {
      const lines: string[] = [];
      if (now - windowStart >= windowMs) {
        const previous = summary();
        if (previous) lines.push(previous);
        counts = new Map();
        windowStart = now;
        immediate = 0;
        others = 0;
      }
      const partner = partnerId ?? "(no partner)";
      let reasons = counts.get(partner);
      if (!reasons) {
        if (counts.size >= maxPartnersCounted) {
          others++;
          return lines;
        }
        counts.set(partner, (reasons = new Map()));
        if (immediate++ < maxImmediate) {
          lines.push(`Rejected sign-in (${reason}) for ${partner}; further rejections in this window are counted, not logged one by one`);
        }
      }
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      return lines;
    },
    /** The current window's counts, if any (logged when the host stops or the window closes). */
    flush(): string | undefined {
      const line = summary();
      counts = new Map();
      windowStart = 0;
      immediate = 0;
      others = 0;
      return line;
    },
  };
}
