import type { Container, JSONObject } from "@azure/cosmos";
import { cloudEndpointsRowDocSchema, cloudEndpointsSummaryDocSchema, resultIds, resultPointerDocSchema, resultSetMarkerDocSchema } from "../../shared/domain/results.js";
import { salesMotions, type CloudEndpointsRow, type CloudEndpointsSummary } from "../../shared/domain/cloudEndpoints/index.js";

// Result sets written straight into the results container with the results.ts schemas, so the API
// tests do not depend on the refresh code.

export const guid = (n: number, partner: "a" | "b") =>
  `${partner === "a" ? "aaaaaaaa" : "bbbbbbbb"}-0000-4000-8000-${String(n).padStart(12, "0")}`;

export function row(partner: "a" | "b", n: number, overrides: Partial<CloudEndpointsRow> = {}): CloudEndpointsRow {
  const eligible = 150 + n * 37;
  const pau = (n * 13) % 90;
  return {
    tenantId: guid(n, partner),
    tenantName: `${partner === "a" ? "Alpha" : "BRAVO-SECRET"} Tenant ${String(n).padStart(2, "0")}`,
    tenantDomain: `t${n}.${partner}.example`,
    tenantSegment: n % 3 === 0 ? "Enterprise" : n % 3 === 1 ? "SME&C" : "SMB",
    customerName: `Customer ${n}`,
    ...(n % 4 !== 0 ? { eaRenewal: `2026-${String((n % 12) + 1).padStart(2, "0")}` } : {}),
    ...(n % 4 !== 0 ? { renewalPeriod: `2026-${String((n % 12) + 1).padStart(2, "0")}` } : {}),
    w365EligibleSeats: eligible,
    w365Whitespace: eligible - pau,
    salesMotion: salesMotions[n % salesMotions.length],
    w365Pau: pau,
    w365Mau: Math.floor(pau / 2),
    w365Utilization: pau ? 0.5 : 0,
    intuneMau: 10 * n,
    intuneUtilization: (n % 10) / 10,
    entraIdMau: 5 * n,
    entraIdUtilization: 0.25,
    mciEligibility: n % 2 ? ["Windows365", "Intune"] : [],
    incentiveEligible: n % 2 === 1,
    intuneCporEligibility: true,
    w365CporEligibility: n % 2 === 0,
    potentialEarnings: n % 2 ? 1000 * n : 0,
    cporAssociation: true,
    cspAssociation: n % 2 === 0,
    customerSubSegment: "Medium",
    industry: "Retail",
    me5Seats: eligible - 100,
    me3Seats: 100,
    f3Seats: 0,
    windowsPau: 7,
    microsoft365Licenses: eligible + 50,
    ...overrides,
  };
}

export function summary(tenants: number): CloudEndpointsSummary {
  return {
    kpis: {
      tenants,
      w365SeatPenetration: 0.1,
      w365SeatWhitespace: 1234,
      w365EligibleSeats: 5000,
      w365Pau: 500,
      salesMotions: Object.fromEntries(salesMotions.map((m) => [m, 1])),
      incentiveEligibleTenants: 3,
      potentialEarnings: 9000,
    },
    charts: {
      tenantsBySegment: [{ label: "Enterprise", count: tenants }],
      w365TenantPenetration: { withW365Pau: 1, withoutW365Pau: tenants - 1 },
      tenantsBySalesMotion: [{ label: "Land W365", count: tenants }],
      tenantsByRenewalPeriod: [{ label: "2026-01", count: tenants }],
      potentialEarningsByWorkshop: [{ label: "Windows 365 workshop", potentialEarnings: 9000 }],
    },
  };
}

export async function seedResultSet(
  container: Container,
  partnerId: string,
  resultSetId: string,
  rows: CloudEndpointsRow[],
  switchPointer = true,
  previousResultSetId?: string,
): Promise<void> {
  const tab = "cloudEndpoints" as const;
  await container.items.upsert(
    resultSetMarkerDocSchema.parse({ id: resultIds.marker(tab, resultSetId), partnerId, tab, type: "resultSet", resultSetId, createdAt: "2026-11-01T00:00:00.000Z" }),
  );
  const docs = rows.map((r) =>
    cloudEndpointsRowDocSchema.parse({
      ...r,
      id: resultIds.row(tab, resultSetId, r.tenantId),
      partnerId,
      tab,
      type: "row",
      resultSetId,
      searchText: [r.tenantName, r.tenantDomain, r.tenantId, r.customerName].filter(Boolean).join(" ").toLowerCase(),
    }),
  );
  for (let i = 0; i < docs.length; i += 100) {
    await container.items.bulk(docs.slice(i, i + 100).map((d) => ({ operationType: "Upsert" as const, resourceBody: d as unknown as JSONObject })));
  }
  await container.items.upsert(
    cloudEndpointsSummaryDocSchema.parse({ ...summary(rows.length), id: resultIds.summary(tab, resultSetId), partnerId, tab, type: "summary", resultSetId }),
  );
  if (switchPointer) {
    await container.items.upsert(
      resultPointerDocSchema.parse({
        id: resultIds.pointer(tab),
        partnerId,
        type: "pointer",
        tab,
        resultSetId,
        ...(previousResultSetId ? { previousResultSetId } : {}),
        refreshedAt: "2026-11-01T00:00:00.000Z",
        asOf: { tenants: "2026-10-31" },
      }),
    );
  }
}

