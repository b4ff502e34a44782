import { z } from "zod";

// Score bands of seed 003: High 75–100, Medium 55–74, Low 30–54, Very low 0–29, for fit and intent alike.
// Fit's band is a letter (A–D), intent's a digit (1–4); together they name a cell of the 4×4 matrix
// (A1 = high fit and high intent, the highest propensity). Scores are whole numbers from 0 to 100.

export const bands = ["High", "Medium", "Low", "Very low"] as const;
export const bandSchema = z.enum(bands);
export type Band = z.infer<typeof bandSchema>;

/** Lowest score of each band, highest band first. */
export const bandFloors: Readonly<Record<Band, number>> = { High: 75, Medium: 55, Low: 30, "Very low": 0 };

export const fitLetters = ["A", "B", "C", "D"] as const;
export const intentDigits = ["1", "2", "3", "4"] as const;
export type FitLetter = (typeof fitLetters)[number];
export type IntentDigit = (typeof intentDigits)[number];

/** The 16 cells, row by row: A1 A2 A3 A4 B1 … D4. */
export const cells = fitLetters.flatMap((l) => intentDigits.map((d) => `${l}${d}` as const));
export const cellSchema = z.enum(cells as unknown as readonly [Cell, ...Cell[]]);
export type Cell = `${FitLetter}${IntentDigit}`;

/** The band of a 0–100 score (a fraction above a floor stays in that band: 74.9 is Medium). */
export function bandOf(score: number): Band {
  if (score >= bandFloors.High) return "High";
  if (score >= bandFloors.Medium) return "Medium";
  if (score >= bandFloors.Low) return "Low";
  return "Very low";
}

export function fitLetter(band: Band): FitLetter {
  return fitLetters[bands.indexOf(band)];
}

export function intentDigit(band: Band): IntentDigit {
  return intentDigits[bands.indexOf(band)];
}

/** The matrix cell of a fit score and an intent score, e.g. 80 and 40 → "A3". */
export function cellOf(fit: number, intent: number): Cell {
  return `${fitLetter(bandOf(fit))}${intentDigit(bandOf(intent))}`;
}

/** A probability-like value from 0 to 1 as a whole 0–100 score (monotone: a higher value never scores lower). */
export function toScore(value: number): number {
  if (!(value > 0)) return 0;
  if (value >= 1) return 100;
  return Math.round(100 * value);
}
