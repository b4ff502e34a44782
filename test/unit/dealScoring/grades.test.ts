import { describe, expect, it } from "vitest";
import { DEFAULT_GRADE_BANDS, gradeFor, moveGradeEdge, orThrow, validateGradeBands } from "../../../shared/domain/dealScoring/index.js";

describe("grades", () => {
  it("grades by the default bands A 80–100, B 60–79, C 40–59, D 0–39", () => {
    expect([100, 80, 79, 60, 59, 40, 39, 0].map((s) => gradeFor(s))).toEqual(["A", "A", "B", "B", "C", "C", "D", "D"]);
  });

  it("moves the neighbour's edge with the edge an administrator moves", () => {
    const aAt75 = orThrow(moveGradeEdge(DEFAULT_GRADE_BANDS, "A", "min", 75));
    expect(aAt75.A).toEqual({ min: 75, max: 100 });
    expect(aAt75.B).toEqual({ min: 60, max: 74 });
    const bTop85 = orThrow(moveGradeEdge(DEFAULT_GRADE_BANDS, "B", "max", 85));
    expect(bTop85.A).toEqual({ min: 86, max: 100 });
    const dTop30 = orThrow(moveGradeEdge(DEFAULT_GRADE_BANDS, "D", "max", 30));
    expect(dTop30.C).toEqual({ min: 31, max: 59 });
    expect(gradeFor(75, aAt75)).toBe("A");
    expect(gradeFor(75, DEFAULT_GRADE_BANDS)).toBe("B");
  });

  it("refuses a move that would leave a grade empty or move the ends of the scale", () => {
    const empty = moveGradeEdge(DEFAULT_GRADE_BANDS, "B", "min", 80);
    expect(empty.ok).toBe(false);
    if (!empty.ok) expect(empty.error).toMatchObject({ code: "invalid_grade_bands", field: "B.min" });
    for (const [grade, edge, value] of [["D", "min", 5], ["A", "max", 95], ["C", "min", 101]] as const) {
      const out = moveGradeEdge(DEFAULT_GRADE_BANDS, grade, edge, value);
      expect(out.ok).toBe(false);
      if (!out.ok) expect(out.error.field).toBe(`${grade}.${edge}`);
    }
  });

  it("accepts whole band sets only when they cover 0–100 without gaps or overlaps", () => {
    expect(validateGradeBands({ A: { min: 90, max: 100 }, B: { min: 50, max: 89 }, C: { min: 20, max: 49 }, D: { min: 0, max: 19 } }).ok).toBe(true);
    const gap = validateGradeBands({ A: { min: 90, max: 100 }, B: { min: 50, max: 88 }, C: { min: 20, max: 49 }, D: { min: 0, max: 19 } });
    expect(gap.ok).toBe(false);
    if (!gap.ok) expect(gap.error).toMatchObject({ code: "invalid_grade_bands", field: "A.min" });
  });
});
