import { createHash } from "node:crypto";
import { tenantProfileSchema, type TenantHistory } from "../../domain/opportunities/index.js";
import type { TenantDoc } from "../../domain/documents.js";
import type { LiveSet } from "../../ingest/liveSet.js";
import type { PartnerDataReader } from "../../ports/partnerData.js";
import { readSubscriptionHistory, readTenants, readUsageMonths } from "../partnerHistory.js";

// The partner's live data as the opportunity models read it: one TenantHistory per customer tenant (its profile
// from the newest tenants drop, its subscription snapshots newest first, its usage months), and a fingerprint of
// which drops they came from, so a refresh can tell whether the models' data changed.

export interface PartnerHistories {
  histories: TenantHistory[];
  /** Customer tenants today: in the newest tenants drop, or in the newest subscriptions snapshot. */
  tenantCount: number;
}

const profileFields = Object.keys(tenantProfileSchema.shape) as (keyof TenantDoc)[];

function profileOf(tenantId: string, doc: TenantDoc | undefined): TenantHistory["tenant"] {
  if (!doc) return { tenantId, tenantName: tenantId };
  const out: Record<string, unknown> = {};
  for (const f of profileFields) if (doc[f] !== undefined) out[f] = doc[f];
  return out as TenantHistory["tenant"];
}

export async function readPartnerHistories(data: PartnerDataReader, partnerId: string, live: LiveSet): Promise<PartnerHistories> {
  // One after another: each read holds one kind of document, and the emulator answers one query at a time anyway.
  const tenants = await readTenants(data, partnerId, live);
  const subscriptions = await readSubscriptionHistory(data, partnerId, live);
  const usage = await readUsageMonths(data, partnerId, live);
  const newestSnapshot = live.snapshots.subscriptions?.[0]?.ingestionId;
  const current = new Set(tenants.keys());
  const ids = new Set<string>([...tenants.keys(), ...subscriptions.keys()]);
  const histories: TenantHistory[] = [];
  for (const tenantId of ids) {
    const snapshots = subscriptions.get(tenantId) ?? [];
    if (newestSnapshot !== undefined && snapshots[0]?.ingestionId === newestSnapshot) current.add(tenantId);
    histories.push({
      tenant: profileOf(tenantId, tenants.get(tenantId)),
      snapshots: snapshots.map((s) => ({ asOf: s.asOf, items: s.items })),
      usage: usage.get(tenantId) ?? {},
    });
  }
  return { histories, tenantCount: current.size };
}

/**
 * Which drops the models' inputs come from: the tenants drop (profiles), every live subscriptions snapshot and the
 * drop that supplies each usage month. Incentives are not an input: a new incentives drop retrains nothing.
 */
export function dataFingerprint(live: LiveSet): string {
  const inputs = {
    tenants: live.snapshots.tenants?.[0]?.ingestionId ?? null,
    subscriptions: (live.snapshots.subscriptions ?? []).map((s) => `${s.asOf}=${s.ingestionId}`),
    usage: [...live.usageMonths.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([m, id]) => `${m}=${id}`),
  };
  return createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 32);
}
