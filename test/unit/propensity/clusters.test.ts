import { describe, expect, it } from "vitest";
import {
  cells,
  ClusterMappingError,
  clusterMappingSchema,
  clusterOf,
  defaultClusterMapping,
  parseClusterMapping,
} from "../../../shared/domain/propensity/index.js";

function mappingWithout(cell: string): Record<string, string> {
  const m: Record<string, string> = { ...defaultClusterMapping };
  delete m[cell];
  return m;
}

function thrown(fn: () => unknown): ClusterMappingError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ClusterMappingError) return err;
    throw err;
  }
  throw new Error("expected a ClusterMappingError");
}

describe("cell → cluster mapping", () => {
  it("maps fit row A to Act now, B to Evaluate, C to Nurture and D to Educate by default", () => {
    expect(["A1", "A2", "A3", "A4"].map((c) => clusterOf(c as "A1"))).toEqual(["Act now", "Act now", "Act now", "Act now"]);
    expect(clusterOf("B4")).toBe("Evaluate");
    expect(clusterOf("C1")).toBe("Nurture");
    expect(clusterOf("D1")).toBe("Educate");
    expect(Object.keys(defaultClusterMapping).sort()).toEqual([...cells].sort());
  });

  it("accepts an administrator's complete mapping and uses it", () => {
    const custom = { ...defaultClusterMapping, B1: "Act now", A4: "Nurture" };
    const parsed = parseClusterMapping(custom);
    expect(clusterOf("B1", parsed)).toBe("Act now");
    expect(clusterOf("A4", parsed)).toBe("Nurture");
  });

  it("refuses a mapping that leaves a cell unmapped, naming the cell", () => {
    const err = thrown(() => parseClusterMapping(mappingWithout("C3")));
    expect(err.code).toBe("invalid_cluster_mapping");
    expect(err.cell).toBe("C3");
    expect(err.message).toContain("cell C3 is not mapped");
  });

  it("refuses an unknown cluster, naming the cell and the value", () => {
    const err = thrown(() => parseClusterMapping({ ...defaultClusterMapping, B2: "Call later" }));
    expect(err.cell).toBe("B2");
    expect(err.message).toContain('cell B2: "Call later" is not a cluster');
  });

  it("refuses a key that is not a cell, naming it", () => {
    const err = thrown(() => parseClusterMapping({ ...defaultClusterMapping, E1: "Act now" }));
    expect(err.cell).toBe("E1");
    expect(err.message).toContain('"E1" is not a cell');
  });

  it("refuses something that is not a mapping at all", () => {
    expect(thrown(() => parseClusterMapping(["Act now"])).code).toBe("invalid_cluster_mapping");
  });

  it("points a request validator at the cell through the schema's issue path", () => {
    const result = clusterMappingSchema.safeParse(mappingWithout("D4"));
    expect(result.success).toBe(false);
    expect(result.error!.issues[0].path).toEqual(["D4"]);
  });
});
