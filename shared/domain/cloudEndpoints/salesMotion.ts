import { z } from "zod";
import { cloudEndpointsThresholds as t } from "./thresholds.js";

// Sales motion precedence: Nurture Intune (Intune utilisation <= 20 %), Low Whitespace (< 500 eligible),
// Flex (W365 PAU > 0, F3 seats > 0, frontline industry), Expand (W365 PAU > 0), Land; Mature is > 250 W365 PAU.

export const salesMotions = [
  "Land W365",
  "Expand W365",
  "Expand to Frontline (Flex)",
  "Expand W365 - Mature",
  "Expand to Frontline (Flex) - Mature",
  "Low Whitespace",
  "Nurture Intune",
] as const;
export const salesMotionSchema = z.enum(salesMotions);
export type SalesMotion = z.infer<typeof salesMotionSchema>;

function normalizeIndustry(s: string): string {
  return s.trim().toLowerCase().replace(/&/g, "and").replace(/\s+/g, " ");
}

export function isFrontlineIndustry(industry: string | undefined, frontlineIndustries: readonly string[]): boolean {
  if (!industry) return false;
  const wanted = normalizeIndustry(industry);
  return frontlineIndustries.some((i) => normalizeIndustry(i) === wanted);
}

export interface MotionInputs {
  intuneUtilization: number;
  w365EligibleSeats: number;
  w365Pau: number;
  f3Seats: number;
  industry?: string;
}

export function salesMotion(m: MotionInputs, frontlineIndustries: readonly string[]): SalesMotion {
  if (m.intuneUtilization <= t.nurtureIntuneMaxInclusive) return "Nurture Intune";
  if (m.w365EligibleSeats < t.highPropensityMinEligibleSeats) return "Low Whitespace";
  const mature = m.w365Pau > t.matureMinW365PauExclusive;
  if (m.w365Pau > 0 && m.f3Seats > 0 && isFrontlineIndustry(m.industry, frontlineIndustries)) {
    return mature ? "Expand to Frontline (Flex) - Mature" : "Expand to Frontline (Flex)";
  }
  if (m.w365Pau > 0) return mature ? "Expand W365 - Mature" : "Expand W365";
  return "Land W365";
}
