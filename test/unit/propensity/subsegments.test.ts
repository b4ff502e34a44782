import { describe, expect, it } from "vitest";
import { subsegmentFromSize, subsegmentOf, subsegmentThresholds } from "../../../shared/domain/propensity/index.js";

describe("SMB subsegments (seed 003)", () => {
  it.each([
    [1, "Very Small"],
    [24, "Very Small"],
    [25, "Medium"],
    [299, "Medium"],
    [300, "Upper Medium"],
    [5000, "Upper Medium"],
  ])("%i employees is %s", (employees, subsegment) => {
    expect(subsegmentFromSize(employees, undefined)).toBe(subsegment);
  });

  it("makes a tenant with Azure consumption over $1,000 a month Upper Medium whatever its size, and $1,000 exactly is not over", () => {
    const above = subsegmentThresholds.upperMediumAzureMonthlyRevenueAbove;
    expect(subsegmentFromSize(5, above + 0.01)).toBe("Upper Medium");
    expect(subsegmentFromSize(undefined, above + 1)).toBe("Upper Medium");
    expect(subsegmentFromSize(5, above)).toBe("Very Small");
  });

  it("leaves the subsegment unknown without employees (or with 0) and without qualifying Azure revenue", () => {
    expect(subsegmentFromSize(undefined, undefined)).toBeUndefined();
    expect(subsegmentFromSize(0, 500)).toBeUndefined();
  });

  it("lets a given subSegment win, in the canonical spelling when it is one of the three", () => {
    expect(subsegmentOf({ segment: "SMB", employees: 10, subSegment: "Upper Medium business" })).toBe("Upper Medium");
    expect(subsegmentOf({ segment: "SMB", employees: 1000, subSegment: "very small" })).toBe("Very Small");
    expect(subsegmentOf({ segment: "Enterprise", subSegment: "Major" })).toBe("Major");
  });

  it("works the subsegment out for SMB and unsegmented tenants only", () => {
    expect(subsegmentOf({ segment: "SMB", employees: 40 })).toBe("Medium");
    expect(subsegmentOf({ employees: 40 })).toBe("Medium");
    expect(subsegmentOf({ segment: "Enterprise", employees: 40 })).toBeUndefined();
    expect(subsegmentOf({ segment: "SME&C", employees: 400 })).toBeUndefined();
  });
});
