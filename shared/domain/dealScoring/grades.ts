import { z } from "zod";
import { failure, success, type Outcome } from "./errors.js";

// Grades A–D from the score, in bands the administrator sets (default A 80–100, B 60–79, C 40–59, D 0–39).
// Bands always cover 0–100 without gaps: moving one band's edge moves its neighbour's (Dynamics "grading").

export const grades = ["A", "B", "C", "D"] as const;
export type Grade = (typeof grades)[number];

const band = z.object({ min: z.number().int().min(0).max(100), max: z.number().int().min(0).max(100) });
export const gradeBandsSchema = z.object({ A: band, B: band, C: band, D: band });
export type GradeBands = z.infer<typeof gradeBandsSchema>;

export const DEFAULT_GRADE_BANDS: GradeBands = {
  A: { min: 80, max: 100 },
  B: { min: 60, max: 79 },
  C: { min: 40, max: 59 },
  D: { min: 0, max: 39 },
};

/** The grade of a score (0–100). */
export function gradeFor(score: number, bands: GradeBands = DEFAULT_GRADE_BANDS): Grade {
  if (score >= bands.A.min) return "A";
  if (score >= bands.B.min) return "B";
  if (score >= bands.C.min) return "C";
  return "D";
}

/** Checks that the bands run D 0 … A 100, each at least one point wide, each starting one above the band below. */
export function validateGradeBands(input: unknown): Outcome<GradeBands> {
  const parsed = gradeBandsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.map(String).join(".") || "gradeBands";
    return failure("invalid_grade_bands", `${field} ${issue.message}`, field);
  }
  const b = parsed.data;
  if (b.D.min !== 0) return failure("invalid_grade_bands", "grade D starts at 0", "D.min");
  if (b.A.max !== 100) return failure("invalid_grade_bands", "grade A ends at 100", "A.max");
  const order = ["D", "C", "B", "A"] as const;
  for (let i = 0; i < order.length; i++) {
    const g = order[i];
    if (b[g].min > b[g].max) return failure("invalid_grade_bands", `grade ${g} would be empty (${b[g].min}–${b[g].max})`, `${g}.min`);
    if (i > 0 && b[g].min !== b[order[i - 1]].max + 1) {
      return failure("invalid_grade_bands", `grade ${g} must start at ${b[order[i - 1]].max + 1}, one above grade ${order[i - 1]}'s top`, `${g}.min`);
    }
  }
  return success(b);
}

/**
 * Moves one edge of a band to `value`; the neighbouring band's adjacent edge follows (A's bottom at 75 puts
 * B's top at 74). D's bottom (0) and A's top (100) do not move; no band may become empty.
 */
export function moveGradeEdge(bands: GradeBands, grade: Grade, edge: "min" | "max", value: number): Outcome<GradeBands> {
  const field = `${grade}.${edge}`;
  if (!Number.isInteger(value) || value < 0 || value > 100) return failure("invalid_grade_bands", `${field} must be a whole number from 0 to 100`, field);
  if (grade === "D" && edge === "min") return failure("invalid_grade_bands", "grade D always starts at 0", field);
  if (grade === "A" && edge === "max") return failure("invalid_grade_bands", "grade A always ends at 100", field);
  const next = structuredClone(bands);
  const i = grades.indexOf(grade);
  next[grade][edge] = value;
  if (edge === "min") next[grades[i + 1]].max = value - 1;
  else next[grades[i - 1]].min = value + 1;
  const checked = validateGradeBands(next);
  if (!checked.ok) return failure("invalid_grade_bands", `${field} = ${value} would leave a grade empty (${checked.error.message})`, field);
  return checked;
}
