import { describe, expect, it } from "vitest";
import { demoDatasetChunks, demoTenantArchetypes, demoWorkloads, generateDemoPartner } from "../../local/demoData/index.js";
import { cloudEndpointsRow } from "../../shared/domain/cloudEndpoints/index.js";
import { salesMotions } from "../../shared/domain/cloudEndpoints/index.js";
import { mergeIncentives, mergeSubscriptions, mergeTenant, mergeUsage } from "../../shared/ingest/documents.js";
import { validatedRows } from "../support/validatedRows.js";

// The demo partner's files go through the same header matching, row validation and document merge as a
// partner's drop, then through the Cloud Endpoints rules a refresh applies.

const options = { tenants: 400, months: 12, seed: 7, asOfMonth: "2025-05" };
const files = generateDemoPartner(options);
const now = new Date("2025-06-15T00:00:00Z");
const validRows = async <D extends Parameters<typeof validatedRows>[0]>(dataset: D, text: string) => {
  const { rows, refused, warnings } = await validatedRows(dataset, text, now);
  return { rows, errors: refused.flatMap((r) => r.errors), warnings };
};


function groupByTenant<R extends { tenantId: string }>(rows: R[]): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const row of rows) out.set(row.tenantId, [...(out.get(row.tenantId) ?? []), row]);
  return out;
}

describe("demo partner data", () => {
  it("is the same for the same seed and differs for another seed", () => {
    expect(generateDemoPartner(options)).toEqual(files);
    expect(generateDemoPartner({ ...options, seed: 8 }).tenants).not.toEqual(files.tenants);
  });

  it("streams the same text in chunks as it generates whole", () => {
    for (const dataset of ["tenants", "usage"] as const) {
      const chunks = [...demoDatasetChunks(dataset, options, 50)];
      expect(chunks.length).toBeGreaterThan(2);
      expect(chunks.join("")).toBe(files[dataset]);
    }
  });

  it("passes the ingest's header and row validation for every dataset, with no warnings", async () => {
    for (const dataset of ["tenants", "subscriptions", "usage", "incentives", "signals", "installbase"] as const) {
      const { rows, errors, warnings } = await validRows(dataset, files[dataset]);
      expect(errors, dataset).toEqual([]);
      expect(warnings, dataset).toEqual([]);
      expect(rows.length, dataset).toBeGreaterThan(0);
    }
  });

  it("has hundreds of tenants with GUID ids, 12 months of usage of every demo workload each, and realistic attributes", async () => {
    // 400 customer tenants, then a tenth as many prospects (no licences, no usage).
    const tenants = (await validRows("tenants", files.tenants)).rows;
    expect(tenants).toHaveLength(440);
    expect(new Set(tenants.map((t) => t.tenantId)).size).toBe(440);
    expect(new Set(tenants.map((t) => t.domain)).size).toBe(440);
    expect(new Set(tenants.map((t) => t.segment))).toEqual(new Set(["Enterprise", "SME&C", "SMB"]));
    for (const industry of ["Retail", "Manufacturing", "Healthcare", "Hospitality", "Transportation and Logistics"]) {
      expect(tenants.some((t) => t.industry === industry), industry).toBe(true);
    }
    expect(tenants.some((t) => t.eaLicensingPartner && !t.cporAssociation && !t.cspAssociation)).toBe(true);

    const usage = (await validRows("usage", files.usage)).rows;
    expect(usage).toHaveLength(400 * 12 * demoWorkloads.length);
    const months = [...new Set(usage.map((u) => u.month))].sort();
    expect(months[0]).toBe("2024-06");
    expect(months[months.length - 1]).toBe("2025-05");
    expect(usage.every((u) => u.activeUsers <= u.assignedUsers)).toBe(true);

    const skus = new Set((await validRows("subscriptions", files.subscriptions)).rows.map((s) => s.sku));
    for (const sku of ["SPE_E5", "SPE_E3", "SPE_F1", "ENTERPRISEPACK", "EMSPREMIUM", "SPB", "TEAMS_EXPLORATORY", "ATP_ENTERPRISE", "MDE_SMB"]) {
      expect(skus.has(sku), sku).toBe(true);
    }
    expect([...skus].some((s) => s.startsWith("CPC_E_"))).toBe(true);

    const incentives = (await validRows("incentives", files.incentives)).rows;
    expect(incentives.some((i) => i.workloads.length > 1)).toBe(true);
  });

  it("puts tenants in every Cloud Endpoints sales motion, matching the profile each was generated from, and hides some", async () => {
    const ctx = { partnerId: "contoso-demo", ingestionId: "demo", asOf: "2025-06-01" };
    const tenants = (await validRows("tenants", files.tenants)).rows;
    const subscriptions = groupByTenant((await validRows("subscriptions", files.subscriptions)).rows);
    const usage = groupByTenant((await validRows("usage", files.usage)).rows);
    const incentives = groupByTenant((await validRows("incentives", files.incentives)).rows);
    const archetypes = demoTenantArchetypes(options);
    const motions = new Map<string, number>();
    let hidden = 0;
    for (const row of tenants) {
      const id = row.tenantId;
      const result = cloudEndpointsRow(
        {
          tenant: mergeTenant(ctx, id, undefined, [row])!,
          subscriptions: { snapshots: [mergeSubscriptions(ctx, id, undefined, subscriptions.get(id) ?? [])] },
          usage: mergeUsage(ctx, id, undefined, usage.get(id) ?? []),
          incentives: incentives.has(id) ? mergeIncentives(ctx, id, undefined, incentives.get(id)!) : undefined,
        },
        { frontlineIndustries: ["Retail", "Manufacturing", "Healthcare", "Hospitality", "Transportation and Logistics"] },
      );
      const archetype = archetypes.get(id)!;
      if (!result) {
        hidden++;
        expect(archetype.startsWith("hidden"), `${row.tenantName} (${archetype}) should be visible`).toBe(true);
        continue;
      }
      expect(result.salesMotion, row.tenantName).toBe(archetype);
      motions.set(result.salesMotion, (motions.get(result.salesMotion) ?? 0) + 1);
    }
    for (const motion of salesMotions) expect(motions.get(motion) ?? 0, motion).toBeGreaterThanOrEqual(5);
    expect(hidden).toBeGreaterThan(50);
  });

  it("keeps small partners covering every motion too", () => {
    const archetypes = new Set(demoTenantArchetypes({ tenants: 20, seed: 1, asOfMonth: "2025-05" }).values());
    for (const motion of salesMotions) expect(archetypes.has(motion), motion).toBe(true);
  });
});
