import { describe, expect, it } from "vitest";
import { installBaseRowSchema, propensityRowSchemas, signalRowSchema } from "../../../shared/domain/propensity/index.js";

const id = "6F9619FF-8B86-D011-B42D-00CF4FC964FF";

function issues(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  return result.success ? [] : result.error!.issues.map((i) => ({ column: String(i.path[0]), message: i.message }));
}

describe("signals rows", () => {
  it("accepts a signal by tenantId, with or without a strength, and lower-cases the GUID", () => {
    const row = signalRowSchema.parse({ tenantId: id, signalType: " Demo request ", observedOn: "2026-04-02", strength: "0.75" });
    expect(row).toEqual({ tenantId: id.toLowerCase(), signalType: "Demo request", observedOn: "2026-04-02", strength: 0.75 });
    expect(signalRowSchema.parse({ tenantId: id, signalType: "Funding", observedOn: "2026-04-02", strength: "" }).strength).toBeUndefined();
  });

  it("accepts a signal by domain and keeps the host name only", () => {
    const row = signalRowSchema.parse({ domain: "https://www.Contoso.com/pricing", signalType: "Pricing research", observedOn: "2026-04-02" });
    expect(row.domain).toBe("contoso.com");
    expect(row.tenantId).toBeUndefined();
  });

  it.each(["1.2", "-0.1", "abc", "1e-1", "2"])("refuses strength %s, naming the column and the range", (strength) => {
    const result = signalRowSchema.safeParse({ tenantId: id, signalType: "Funding", observedOn: "2026-04-02", strength });
    expect(issues(result)).toEqual([{ column: "strength", message: "must be a number from 0 to 1" }]);
  });

  it("accepts the ends of the strength range", () => {
    for (const s of ["0", "1", "1.0", ".5"]) expect(signalRowSchema.safeParse({ tenantId: id, signalType: "x", observedOn: "2026-04-02", strength: s }).success).toBe(true);
  });

  it("needs a tenantId or a domain, and says so on the tenantId column", () => {
    const result = signalRowSchema.safeParse({ tenantId: "", domain: "", signalType: "Funding", observedOn: "2026-04-02" });
    expect(issues(result)).toEqual([{ column: "tenantId", message: "tenantId or domain is required" }]);
  });

  it("refuses a domain that is not a host name, an invalid date and an empty type", () => {
    const result = signalRowSchema.safeParse({ domain: "not a domain", signalType: "", observedOn: "2026-13-45" });
    expect(issues(result).map((i) => i.column).sort()).toEqual(["domain", "observedOn", "signalType"]);
  });
});

describe("installbase rows", () => {
  it("reads tenantId, product, version and an optional quantity", () => {
    expect(installBaseRowSchema.parse({ tenantId: id, product: "Windows Server", version: "2012 R2", quantity: "14" })).toEqual({
      tenantId: id.toLowerCase(),
      product: "Windows Server",
      version: "2012 R2",
      quantity: 14,
    });
    expect(installBaseRowSchema.parse({ tenantId: id, product: "Office", version: "2010", quantity: "" }).quantity).toBeUndefined();
  });

  it("refuses a missing version and a fractional quantity", () => {
    const result = installBaseRowSchema.safeParse({ tenantId: id, product: "Office", version: " ", quantity: "2.5" });
    expect(issues(result).map((i) => i.column).sort()).toEqual(["quantity", "version"]);
  });

  it("keeps each schema an object, so ingest can match header columns to its fields", () => {
    expect(Object.keys(propensityRowSchemas.signals.shape)).toEqual(["tenantId", "domain", "signalType", "observedOn", "strength"]);
    expect(Object.keys(propensityRowSchemas.installbase.shape)).toEqual(["tenantId", "product", "version", "quantity"]);
  });
});
