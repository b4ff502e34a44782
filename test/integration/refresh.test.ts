import type { Container } from "@azure/cosmos";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createResultSetStore } from "../../shared/adapters/cosmos/results.js";
import {
  incentivesDocSchema,
  partnerDocSchema,
  subscriptionsDocSchema,
  tenantDocSchema,
  usageDocSchema,
  type SubscriptionItem,
  type TenantDoc,
} from "../../shared/domain/documents.js";
import {
  cloudEndpointsRowDocSchema,
  cloudEndpointsSummaryDocSchema,
  resultIds,
  resultPointerDocSchema,
  type CloudEndpointsRowDoc,
} from "../../shared/domain/results.js";
import type { ResultSetStore } from "../../shared/ports/results.js";
import { RefreshConflictError, refreshPartner as refreshAllTabs, type RefreshDeps, type RefreshOptions } from "../../shared/refresh/refreshPartner.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";
import { seedCommittedDrop } from "../support/partnerDataSeed.js";

// Seeds committed drops the way they are stored (staged documents validated with the documents schemas, and
// loaded ingestion records), runs the refresh against the real emulators and reads back what HTTP readers
// would read. These tests look at the Cloud Endpoints tab's result sets through the publisher.

let env: TestEnvironment;
let deps: RefreshDeps;

beforeAll(async () => {
  env = await startTestEnvironment();
  // The Cloud Endpoints producer only: these tests count that tab's sets and gate its pointer switch.
  deps = { ...env.deps.refresh, cleanup: undefined, producers: env.deps.refresh.producers.filter((p) => p.tab === "cloudEndpoints") };
});

/** The refresh, seen from the Cloud Endpoints tab: refreshed (with its counts), superseded, or skipped. */
async function refreshPartner(d: RefreshDeps, partnerId: string, options: RefreshOptions = {}) {
  const outcome = await refreshAllTabs(d, partnerId, options);
  if (outcome.status === "skipped") return outcome;
  const tab = outcome.tabs.cloudEndpoints!;
  if (tab.status === "published") {
    return { status: "refreshed" as const, resultSetId: tab.resultSetId, deletedResultSets: tab.deletedResultSets, rows: tab.rows, tenants: tab.counts?.tenants };
  }
  if (tab.status === "superseded") return tab;
  throw new Error(`cloudEndpoints ${tab.status}`);
}
const createResultStore = (container: Container) => {
  const store = createResultSetStore(container);
  return { listResultSetIds: (partnerId: string) => store.listResultSetIds(partnerId, "cloudEndpoints") };
};
afterAll(async () => {
  await env?.stop();
});

const asOf = "2024-06-01";
let seq = 0;
const guid = () => `00000000-0000-4000-8000-${String(++seq).padStart(12, "0")}`;

interface TenantSpec {
  tenant?: Partial<TenantDoc>;
  items?: SubscriptionItem[];
  subscriptionsAsOf?: string;
  intune?: [number, number];
  w365?: [number, number];
  engagements?: { engagement: string; workloads: string[]; potentialEarnings: number }[];
  tenantId?: string;
  /** Whether the usage document carries `latest` as ingest writes it (false: a document from before it existed). */
  usageLatest?: boolean;
}

function latestWorkloads(spec: TenantSpec) {
  return {
    Intune: { assignedUsers: (spec.intune ?? [1000, 500])[0], activeUsers: (spec.intune ?? [1000, 500])[1] },
    ...(spec.w365 ? { Windows365: { assignedUsers: spec.w365[0], activeUsers: spec.w365[1] } } : {}),
  };
}

async function seedPartner(partnerId: string, specs: TenantSpec[], partner: Record<string, unknown> = {}): Promise<string[]> {
  const datasets = Object.fromEntries(
    ["tenants", "subscriptions", "usage", "incentives"].map((d) => [d, { asOf, ingestionId: `ing-${d}`, loadedAt: "2024-06-01T10:00:00Z" }]),
  );
  await env.clients.containers.partners.items.upsert(
    partnerDocSchema.parse({ id: "partner", partnerId, type: "partner", name: `Partner ${partnerId}`, datasets, dataVersion: "2024-06-01T10:00:00.000Z", ...partner }),
  );
  // Drop id → its staged documents; a tenant given an older date sits in an older drop of that dataset.
  const drops = new Map<string, { dataset: "tenants" | "subscriptions" | "usage" | "incentives"; asOf: string; docs: Record<string, unknown>[]; months?: string[] }>();
  const add = (dataset: "tenants" | "subscriptions" | "usage" | "incentives", dropAsOf: string, doc: Record<string, unknown>, months?: string[]) => {
    const ingestionId = dropAsOf === asOf ? `ing-${dataset}` : `ing-${dataset}-${dropAsOf}`;
    const drop = drops.get(ingestionId) ?? { dataset, asOf: dropAsOf, docs: [], ...(months ? { months } : {}) };
    drop.docs.push({ ...doc, id: `${doc.type}:${ingestionId}:${doc.tenantId}` });
    drops.set(ingestionId, drop);
  };
  const ids: string[] = [];
  for (const spec of specs) {
    const tenantId = spec.tenantId ?? guid();
    ids.push(tenantId);
    const tenant = tenantDocSchema.parse({
      id: "x", partnerId, type: "tenant", tenantId, asOf, ingestionId: "x",
      tenantName: `Tenant ${tenantId.slice(-4)}`, domain: `t${tenantId.slice(-4)}.example.com`, segment: "Enterprise",
      industry: "Retail", cspAssociation: true, cspTier: "Tier1", largestCspRenewal: "2024-11", ...spec.tenant,
    });
    add("tenants", tenant.asOf, tenant);
    add("subscriptions", spec.subscriptionsAsOf ?? asOf, subscriptionsDocSchema.parse({
      id: "x", partnerId, type: "subscriptions", tenantId, asOf, ingestionId: "x",
      items: spec.items ?? [{ sku: "SPE_E3", quantity: 800, status: "Active" }],
    }));
    // An older snapshot that must never count.
    add("subscriptions", "2024-01-01", { id: "x", partnerId, type: "subscriptions", tenantId, items: [{ sku: "SPE_E5", quantity: 99999 }] });
    add("usage", asOf, usageDocSchema.parse({
      id: "x", partnerId, type: "usage", tenantId, asOf, ingestionId: "x",
      months: { "2024-04": { Intune: { assignedUsers: 1, activeUsers: 0 } }, "2024-05": latestWorkloads(spec) },
      ...(spec.usageLatest === false ? {} : { latest: { month: "2024-05", workloads: latestWorkloads(spec) } }),
    }), ["2024-04", "2024-05"]);
    if (spec.engagements) {
      add("incentives", asOf, incentivesDocSchema.parse({ id: "x", partnerId, type: "incentives", tenantId, asOf, ingestionId: "x", engagements: spec.engagements }));
    }
  }
  for (const [ingestionId, drop] of drops) await seedCommittedDrop(env, partnerId, { ingestionId, ...drop });
  return ids;
}

async function queryAll<T>(container: Container, partnerId: string, where: string, parameters: { name: string; value: string }[] = []): Promise<T[]> {
  const { resources } = await container.items
    .query<T>(
      { query: `SELECT * FROM c WHERE c.partnerId = @partnerId AND ${where}`, parameters: [{ name: "@partnerId", value: partnerId }, ...parameters] },
      { partitionKey: partnerId },
    )
    .fetchAll();
  return resources;
}

async function currentPointer(partnerId: string) {
  const { resource } = await env.clients.containers.results.item(resultIds.pointer("cloudEndpoints"), partnerId).read();
  return resource ? resultPointerDocSchema.parse(resource) : undefined;
}

async function rowsOf(partnerId: string, resultSetId: string): Promise<CloudEndpointsRowDoc[]> {
  const docs = await queryAll<unknown>(env.clients.containers.results, partnerId, "c.type = 'row' AND c.tab = 'cloudEndpoints' AND c.resultSetId = @rs", [{ name: "@rs", value: resultSetId }]);
  return docs.map((d) => cloudEndpointsRowDocSchema.parse(d));
}

async function docsOfSet(partnerId: string, resultSetId: string): Promise<number> {
  return (await queryAll(env.clients.containers.results, partnerId, "c.resultSetId = @rs", [{ name: "@rs", value: resultSetId }])).length;
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A real result store whose pointer switch waits at a gate, so tests can look at the state just before it. */
function gatedStore(inner: ResultSetStore, beforeSwitch: () => Promise<void>): ResultSetStore {
  return {
    ...inner,
    async switchPointer(partnerId, pointer, etag) {
      await beforeSwitch();
      return inner.switchPointer(partnerId, pointer, etag);
    },
  };
}

describe("refreshPartner", () => {
  it("computes the visible tenants' rows and the summary, and points the partner at them", async () => {
    const partnerId = "refresh-basic";
    const [land, expand, eaOnly, gone, staleLicences] = await seedPartner(partnerId, [
      { engagements: [{ engagement: "W365 Workshop", workloads: ["Windows365"], potentialEarnings: 3000 }, { engagement: "W365 Workshop", workloads: ["Intune"], potentialEarnings: 3000 }] },
      { w365: [300, 200], tenant: { industry: "Banking", eaLicensingPartner: true, eaRenewal: "2025-02" } },
      { tenant: { cspAssociation: false, eaLicensingPartner: true, eaRenewal: "2025-01" } },
      { tenant: { asOf: "2024-05-01" } },
      { subscriptionsAsOf: "2024-05-01" },
    ]);
    const outcome = await refreshPartner(deps, partnerId, { now: () => new Date("2024-06-02T08:00:00Z") });
    expect(outcome).toMatchObject({ status: "refreshed", tenants: 4, rows: 2 });

    const pointer = await currentPointer(partnerId);
    expect(pointer).toMatchObject({ resultSetId: outcome.status === "refreshed" ? outcome.resultSetId : "", dataVersion: "2024-06-01T10:00:00.000Z", asOf: { tenants: asOf, usage: asOf } });
    expect(pointer!.previousResultSetId).toBeUndefined();

    const rows = await rowsOf(partnerId, pointer!.resultSetId);
    const byId = new Map(rows.map((r) => [r.tenantId, r]));
    expect([...byId.keys()].sort()).toEqual([land, expand].sort());
    expect(byId.has(eaOnly) || byId.has(gone) || byId.has(staleLicences)).toBe(false);
    expect(byId.get(land)).toMatchObject({
      id: resultIds.row("cloudEndpoints", pointer!.resultSetId, land),
      salesMotion: "Land W365",
      w365EligibleSeats: 800,
      w365Whitespace: 800,
      intuneUtilization: 0.5,
      potentialEarnings: 3000,
      partnerName: `Partner ${partnerId}`,
      renewalPeriod: "2024-11",
    });
    expect(byId.get(land)!.searchText).toContain(land);
    expect(byId.get(expand)).toMatchObject({ salesMotion: "Expand W365 - Mature", w365Pau: 300, renewalPeriod: "2025-02" });

    const summary = cloudEndpointsSummaryDocSchema.parse(
      (await env.clients.containers.results.item(resultIds.summary("cloudEndpoints", pointer!.resultSetId), partnerId).read()).resource,
    );
    expect(summary.kpis).toMatchObject({ tenants: 2, w365EligibleSeats: 1600, w365Pau: 300, w365SeatWhitespace: 1300, incentiveEligibleTenants: 1, potentialEarnings: 3000 });
    expect(summary.kpis.w365SeatPenetration).toBeCloseTo(300 / 1600, 12);
    expect(summary.charts.tenantsByRenewalPeriod).toEqual([{ label: "2024-11", count: 1 }, { label: "2025-02", count: 1 }]);

    const partner = (await env.clients.containers.partners.item("partner", partnerId).read()).resource;
    expect(partner.refreshedDataVersion).toBe("2024-06-01T10:00:00.000Z");
    expect(partner.name).toBe(`Partner ${partnerId}`);
  });

  it("keeps readers on the complete previous set until the switch, then on the new one, and keeps only the previous set", async () => {
    const partnerId = "refresh-readers";
    await seedPartner(partnerId, [{}, {}, { w365: [10, 5] }]);
    const first = await refreshPartner(deps, partnerId);
    if (first.status !== "refreshed") throw new Error("first refresh skipped");

    // Change the data, then refresh again while looking at what a reader sees just before the switch.
    await seedPartner(partnerId, [{}, {}]);
    let seenBeforeSwitch: { pointer?: string; oldRows: number } | undefined;
    const observing = {
      ...deps,
      results: gatedStore(deps.results, async () => {
        const pointer = await currentPointer(partnerId);
        seenBeforeSwitch = { pointer: pointer?.resultSetId, oldRows: (await rowsOf(partnerId, pointer!.resultSetId)).length };
      }),
    };
    const second = await refreshPartner(observing, partnerId);
    if (second.status !== "refreshed") throw new Error("second refresh skipped");
    expect(seenBeforeSwitch).toEqual({ pointer: first.resultSetId, oldRows: 3 });
    expect(second.resultSetId > first.resultSetId).toBe(true);

    const pointer = await currentPointer(partnerId);
    expect(pointer).toMatchObject({ resultSetId: second.resultSetId, previousResultSetId: first.resultSetId });
    expect(await rowsOf(partnerId, second.resultSetId)).toHaveLength(5);
    // The previous set stays readable for a reader still paging through it.
    expect(await rowsOf(partnerId, first.resultSetId)).toHaveLength(3);

    const third = await refreshPartner(deps, partnerId);
    if (third.status !== "refreshed") throw new Error("third refresh skipped");
    expect(third.deletedResultSets).toEqual([first.resultSetId]);
    expect(await docsOfSet(partnerId, first.resultSetId)).toBe(0);
    expect(await rowsOf(partnerId, second.resultSetId)).toHaveLength(5);
    expect(await createResultStore(env.clients.containers.results).listResultSetIds(partnerId)).toEqual([second.resultSetId, third.resultSetId]);
  });

  it("lets exactly one of two concurrent refreshes of the same data switch; the loser removes its set and ends superseded", async () => {
    const partnerId = "refresh-race";
    await seedPartner(partnerId, [{}, {}, {}]);

    for (const round of ["first pointer (create)", "existing pointer (IfMatch)"]) {
      let arrived = 0;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      // Both refreshes have read the pointer and written their sets before either switches.
      const racing = {
        ...deps,
        results: gatedStore(deps.results, async () => {
          arrived += 1;
          if (arrived === 2) release();
          await gate;
        }),
      };
      const before = await currentPointer(partnerId);
      const outcomes = await Promise.all([refreshPartner(racing, partnerId), refreshPartner(racing, partnerId)]);
      const won = outcomes.filter((o) => o.status === "refreshed");
      const lost = outcomes.filter((o) => o.status === "superseded");
      expect(won, round).toHaveLength(1);
      expect(lost, round).toHaveLength(1);

      const winner = won[0];
      const loser = lost[0];
      if (winner.status !== "refreshed" || loser.status !== "superseded") throw new Error("unreachable");
      expect(loser).toMatchObject({ winnerResultSetId: winner.resultSetId, dataVersion: "2024-06-01T10:00:00.000Z" });
      const pointer = await currentPointer(partnerId);
      expect(pointer?.resultSetId).toBe(winner.resultSetId);
      expect(pointer?.previousResultSetId).toBe(before?.resultSetId);
      // Only the winner's set (and the set before it) remain: the loser's documents are gone.
      const sets = await createResultStore(env.clients.containers.results).listResultSetIds(partnerId);
      expect(sets).toEqual([before?.resultSetId, winner.resultSetId].filter(Boolean));
      expect(await docsOfSet(partnerId, loser.discardedResultSetId)).toBe(0);
      const all = await queryAll<{ resultSetId?: string }>(env.clients.containers.results, partnerId, "IS_DEFINED(c.resultSetId)");
      expect(new Set(all.map((d) => d.resultSetId))).toEqual(new Set(sets));
      expect(await rowsOf(partnerId, winner.resultSetId)).toHaveLength(3);
    }
  });

  it("a loser that read newer data than the winner throws a conflict (so the queue retries it); one that read older data is superseded", async () => {
    const partnerId = "refresh-race-versions";
    await seedPartner(partnerId, [{}, {}]);
    const older = "2024-06-01T10:00:00.000Z";
    const newer = "2024-06-02T10:00:00.000Z";
    const setDataVersion = async (dataVersion: string) => {
      const { resource } = await env.clients.containers.partners.item("partner", partnerId).read();
      await env.clients.containers.partners.items.upsert({ ...resource, dataVersion });
    };

    // Refresh A reads the older data version, then a drop lands, then refresh B reads the newer one; both wait
    // at the switch, and `first` switches first.
    for (const first of ["older", "newer"] as const) {
      await setDataVersion(older);
      const gates = { older: deferred(), newer: deferred() };
      const arrivedAt = { older: deferred(), newer: deferred() };
      const gated = (which: "older" | "newer"): RefreshDeps => ({
        ...deps,
        results: gatedStore(deps.results, async () => {
          arrivedAt[which].resolve();
          await gates[which].promise;
        }),
      });
      const a = refreshPartner(gated("older"), partnerId);
      await arrivedAt.older.promise;
      await setDataVersion(newer);
      const b = refreshPartner(gated("newer"), partnerId);
      await arrivedAt.newer.promise;
      const second = first === "older" ? "newer" : "older";
      gates[first].resolve();
      const winner = await (first === "older" ? a : b);
      expect(winner.status).toBe("refreshed");
      gates[second].resolve();
      const loser = (first === "older" ? b : a).then(
        (outcome) => outcome,
        (err: unknown) => err,
      );
      if (first === "older") {
        // The winner's results predate the loser's data: the loser must run again.
        const err = await loser;
        expect(err).toBeInstanceOf(RefreshConflictError);
        expect((err as RefreshConflictError).code).toBe("refresh_conflict");
      } else {
        expect(await loser).toMatchObject({ status: "superseded", dataVersion: newer });
      }
      if (winner.status !== "refreshed") throw new Error("unreachable");
      expect((await currentPointer(partnerId))?.resultSetId).toBe(winner.resultSetId);
      const sets = await createResultStore(env.clients.containers.results).listResultSetIds(partnerId);
      expect(sets.at(-1)).toBe(winner.resultSetId);
      expect(sets.length).toBeLessThanOrEqual(2);
    }
  });

  it("gives a tenant whose usage document has no latest (written before it existed) the same row as one with it", async () => {
    const shapes: TenantSpec[] = [
      { intune: [1000, 100] },
      { w365: [300, 200], intune: [900, 850] },
      { intune: [400, 390], w365: [0, 40], tenant: { segment: "SME&C" }, items: [{ sku: "SPE_E3", quantity: 400, status: "Active" }] },
      { intune: [0, 0] },
    ];
    const specs: TenantSpec[] = shapes.map((spec) => ({ ...spec, tenantId: guid() }));
    await seedPartner("refresh-usage-latest", specs);
    // Every document but the first lacks `latest`: old and new documents mixed in one partner.
    await seedPartner("refresh-usage-months", specs.map((spec, i) => ({ ...spec, usageLatest: i === 0 })));
    const rowsById = async (partnerId: string) => {
      const outcome = await refreshPartner(deps, partnerId);
      if (outcome.status !== "refreshed") throw new Error("skipped");
      const rows = await rowsOf(partnerId, outcome.resultSetId);
      return new Map(rows.map(({ id: _id, partnerId: _p, resultSetId: _r, partnerName: _n, searchText: _s, ...row }) => [row.tenantId, row]));
    };
    const withLatest = await rowsById("refresh-usage-latest");
    const fromMonths = await rowsById("refresh-usage-months");
    expect(withLatest.size).toBe(specs.length);
    expect([...fromMonths.keys()].sort()).toEqual([...withLatest.keys()].sort());
    for (const [tenantId, row] of withLatest) expect(fromMonths.get(tenantId), tenantId).toEqual(row);
    expect(new Set([...withLatest.values()].map((r) => r.salesMotion)).size).toBeGreaterThan(1);
  });

  it("never reads or writes another partner's documents", async () => {
    const mine = "refresh-mine";
    const other = "refresh-other";
    const otherTenants = await seedPartner(other, [{}, {}]);
    await seedPartner(mine, [{}]);
    const otherDataBefore = await queryAll<{ id: string; _etag: string }>(env.clients.containers.partnerData, other, "true");

    const outcome = await refreshPartner(deps, mine);
    if (outcome.status !== "refreshed") throw new Error("skipped");
    const rows = await rowsOf(mine, outcome.resultSetId);
    expect(rows).toHaveLength(1);
    expect(rows.some((r) => otherTenants.includes(r.tenantId))).toBe(false);

    // Nothing written into the other partner's partition, nothing changed in its data.
    expect(await queryAll(env.clients.containers.results, other, "true")).toEqual([]);
    const otherDataAfter = await queryAll<{ id: string; _etag: string }>(env.clients.containers.partnerData, other, "true");
    expect(otherDataAfter.map((d) => [d.id, d._etag]).sort()).toEqual(otherDataBefore.map((d) => [d.id, d._etag]).sort());
    const otherPartner = (await env.clients.containers.partners.item("partner", other).read()).resource;
    expect(otherPartner.refreshedDataVersion).toBeUndefined();
    // Every document in my partition carries my partnerId.
    const mineAll = await queryAll<{ partnerId: string }>(env.clients.containers.results, mine, "true");
    expect(mineAll.every((d) => d.partnerId === mine)).toBe(true);
  });

  it("skips a drop-triggered refresh whose data the partner doc or the pointer already covers, and off-boarded partners", async () => {
    const partnerId = "refresh-skip";
    await seedPartner(partnerId, [{}]);
    expect((await refreshPartner(deps, partnerId, { onlyIfChanged: true })).status).toBe("refreshed");
    expect(await refreshPartner(deps, partnerId, { onlyIfChanged: true })).toEqual({ status: "skipped", reason: "unchanged" });
    // The pointer alone covers the data too (a refresh that switched but had not yet recorded it on the partner).
    const { resource } = await env.clients.containers.partners.item("partner", partnerId).read();
    await env.clients.containers.partners.items.upsert({ ...resource, refreshedDataVersion: undefined });
    expect(await refreshPartner(deps, partnerId, { onlyIfChanged: true })).toEqual({ status: "skipped", reason: "unchanged" });
    // Daily and manual refreshes run regardless.
    expect((await refreshPartner(deps, partnerId)).status).toBe("refreshed");

    await seedPartner("refresh-gone", [{}], { offboardedAt: "2024-06-01T00:00:00Z" });
    expect(await refreshPartner(deps, "refresh-gone")).toEqual({ status: "skipped", reason: "offboarded" });
    expect(await currentPointer("refresh-gone")).toBeUndefined();
  });
});
