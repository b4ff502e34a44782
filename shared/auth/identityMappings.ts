import { identityMappingDocSchema, identityMappingIdFor, identityMappingSchema, type IdentityKind, type IdentityMapping } from "../domain/identityMappings.js";
import { ConflictError } from "../errors.js";
import type { IdentityMappingStore } from "../ports/identities.js";
import type { VerifiedIdentity } from "./entraTokens.js";

// The partner someone signed in with Entra ID works for, from the mappings administrators manage (tenant or group
// → partner); and the management of those mappings. A group mapping is more specific than a tenant mapping and
// wins over it. An object id maps to one partner: adding one another partner holds is a 409, and if two partners
// ever held the same one (a race), nobody is let in through it (403) until one is removed.
//
// Lookups are cached per object id for 30 s (unmapped ones too, in a bounded cache), like API keys: changing a
// mapping takes effect at once on the instance that changed it and within 30 s everywhere.

const cacheTtlMs = 30_000;
const maxCached = 10_000;

export type PartnerLookup =
  | { outcome: "mapped"; partnerId: string }
  | { outcome: "unmapped" }
  | { outcome: "ambiguous"; partnerIds: string[] };

export interface IdentityMappings {
  /** Which partner this signed-in identity works for. */
  partnerOf(identity: Pick<VerifiedIdentity, "tenantId" | "groups">, now?: number): Promise<PartnerLookup>;
  list(partnerId: string): Promise<IdentityMapping[]>;
  /** Maps a tenant or group to the partner; `created` is false when the partner already had it. Throws ConflictError when another partner holds it. */
  add(input: { partnerId: string; kind: IdentityKind; objectId: string; name?: string; createdBy?: string }, now?: Date): Promise<{ mapping: IdentityMapping; created: boolean }>;
  /** False when the partner has no such mapping. */
  remove(partnerId: string, kind: IdentityKind, objectId: string): Promise<boolean>;
  forget(): void;
}

export function createIdentityMappings(store: IdentityMappingStore, options: { cacheTtlMs?: number } = {}): IdentityMappings {
  const ttl = options.cacheTtlMs ?? cacheTtlMs;
  // "{kind}:{objectId}" → the partners holding it.
  const cache = new Map<string, { partnerIds: string[]; expiresAt: number }>();

  async function holders(keys: { kind: IdentityKind; objectId: string }[], now: number): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    const missing: typeof keys = [];
    for (const key of keys) {
      const cached = cache.get(`${key.kind}:${key.objectId}`);
      if (cached && cached.expiresAt > now) out.set(`${key.kind}:${key.objectId}`, cached.partnerIds);
      else missing.push(key);
    }
    if (missing.length > 0) {
      const docs = await store.findByObjectIds([...new Set(missing.map((k) => k.objectId))]);
      for (const key of missing) {
        const id = `${key.kind}:${key.objectId}`;
        const partnerIds = [...new Set(docs.filter((d) => d.kind === key.kind && d.objectId === key.objectId).map((d) => d.partnerId))];
        out.set(id, partnerIds);
        cache.delete(id);
        cache.set(id, { partnerIds, expiresAt: now + ttl });
      }
      while (cache.size > maxCached) cache.delete(cache.keys().next().value!);
    }
    return out;
  }

  function decide(partnerIds: string[]): PartnerLookup | undefined {
    const distinct = [...new Set(partnerIds)].sort();
    if (distinct.length === 1) return { outcome: "mapped", partnerId: distinct[0] };
    if (distinct.length > 1) return { outcome: "ambiguous", partnerIds: distinct };
    return undefined;
  }

  return {
    async partnerOf(identity, now = Date.now()) {
      const groups = [...new Set(identity.groups)].map((objectId) => ({ kind: "group" as const, objectId }));
      const tenant = { kind: "tenant" as const, objectId: identity.tenantId };
      const found = await holders([...groups, tenant], now);
      const byGroup = decide(groups.flatMap((g) => found.get(`group:${g.objectId}`) ?? []));
      return byGroup ?? decide(found.get(`tenant:${tenant.objectId}`) ?? []) ?? { outcome: "unmapped" };
    },

    async list(partnerId) {
      const docs = await store.listForPartner(partnerId);
      return docs.map((d) => identityMappingSchema.parse(d)).sort((a, b) => a.kind.localeCompare(b.kind) || a.objectId.localeCompare(b.objectId));
    },

    async add(input, now = new Date()) {
      const doc = identityMappingDocSchema.parse({
        id: identityMappingIdFor(input.kind, input.objectId),
        partnerId: input.partnerId,
        type: "identityMapping",
        kind: input.kind,
        objectId: input.objectId,
        ...(input.name ? { name: input.name } : {}),
        createdAt: now.toISOString(),
        ...(input.createdBy ? { createdBy: input.createdBy } : {}),
      });
      const existing = (await store.findByObjectIds([doc.objectId])).filter((d) => d.kind === doc.kind);
      const own = existing.find((d) => d.partnerId === input.partnerId);
      if (own) return { mapping: identityMappingSchema.parse(own), created: false };
      // Which partner holds it stays unsaid: only that it is taken.
      if (existing.length > 0) throw new ConflictError(`This ${doc.kind} is already mapped to a partner; ask support if it should be yours.`, "objectId");
      const created = await store.create(doc);
      cache.delete(`${doc.kind}:${doc.objectId}`);
      if (!created) throw new ConflictError(`This ${doc.kind} is already mapped to a partner; ask support if it should be yours.`, "objectId");
      return { mapping: identityMappingSchema.parse(doc), created: true };
    },

    async remove(partnerId, kind, objectId) {
      const id = identityMappingIdFor(kind, objectId);
      // Only one of the caller's own mappings can be removed: it is looked up in the caller's partition first.
      const own = (await store.listForPartner(partnerId)).find((d) => d.id === id);
      if (!own) return false;
      const removed = await store.remove(partnerId, id);
      cache.delete(`${kind}:${own.objectId}`);
      return removed;
    },

    forget() {
      cache.clear();
    },
  };
}
