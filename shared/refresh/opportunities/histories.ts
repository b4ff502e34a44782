import { createHash } from "node:crypto";
import { tenantProfileSchema, usagePacker, type TenantHistory, type UsagePacker } from "../../domain/opportunities/index.js";
import type { TenantDoc } from "../../domain/documents.js";
import type { LiveSet } from "../../ingest/liveSet.js";
import type { PartnerDataReader } from "../../ports/partnerData.js";
import { forEachSubscriptionSnapshot, forEachUsageMonth, readTenants } from "../partnerHistory.js";

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

/**
 * Readers for the history: `snapshots` for tenants and subscriptions (small documents, large pages: every page is one
 * query, on the emulator a scan of the partner's documents), `usage` for usage months (a year of a tenant's usage is
 * a few KB, so smaller pages keep a page's response, and the host's memory, small).
 */
export interface HistoryReaders {
  snapshots: PartnerDataReader;
  usage: PartnerDataReader;
}

export async function readPartnerHistories(data: HistoryReaders, partnerId: string, live: LiveSet): Promise<PartnerHistories> {
  // One after another: each read holds one kind of document, and the emulator answers one query at a time anyway.
  const tenants = await readTenants(data.snapshots, partnerId, live);
  // Snapshots newest first. A tenant's licences rarely change from one month to the next: an unchanged snapshot
  // shares the previous one's lines, so months of history cost little more memory than one.
  const subscriptions = new Map<string, TenantHistory["snapshots"]>();
  const previous = new Map<string, { key: string; items: TenantHistory["snapshots"][number]["items"] }>();
  const newestSnapshot = live.snapshots.subscriptions?.[0]?.ingestionId;
  const current = new Set(tenants.keys());
  await forEachSubscriptionSnapshot(data.snapshots, partnerId, live, (tenantId, snapshot) => {
    if (snapshot.ingestionId === newestSnapshot) current.add(tenantId);
    const key = JSON.stringify(snapshot.items);
    const last = previous.get(tenantId);
    const items = last?.key === key ? last.items : snapshot.items;
    if (last?.key !== key) previous.set(tenantId, { key, items });
    const list = subscriptions.get(tenantId);
    if (list) list.push({ asOf: snapshot.asOf, items });
    else subscriptions.set(tenantId, [{ asOf: snapshot.asOf, items }]);
  });
  previous.clear();
  // Usage is packed as it is read: a tenant's months become a few typed arrays, never a tree of objects.
  const packers = new Map<string, UsagePacker>();
  await forEachUsageMonth(data.usage, partnerId, live, (tenantId, month, workloads) => {
    let packer = packers.get(tenantId);
    if (!packer) packers.set(tenantId, (packer = usagePacker()));
    packer.add(month, workloads);
  });
  const ids = new Set<string>([...tenants.keys(), ...subscriptions.keys()]);
  const noUsage = usagePacker().finish();
  const histories: TenantHistory[] = [];
  for (const tenantId of ids) {
    histories.push({
      tenant: profileOf(tenantId, tenants.get(tenantId)),
      snapshots: subscriptions.get(tenantId) ?? [],
      usage: packers.get(tenantId)?.finish() ?? noUsage,
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
