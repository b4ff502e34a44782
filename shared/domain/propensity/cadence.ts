import { z } from "zod";
import { addMonths, isoDay } from "./dates.js";

// How often propensity is refreshed by the timer (seed 003: fit quarterly, intent monthly; PRODUCT.md
// section 4 makes these defaults and settings). A drop that changes the inputs refreshes the tab at once;
// the timer only makes sure intent keeps decaying without new drops and fit is relearned at least quarterly.

export const propensityCadenceSchema = z.object({
  fitEveryMonths: z.number().int().min(1).default(3),
  intentEveryMonths: z.number().int().min(1).default(1),
});
export type PropensityCadence = z.infer<typeof propensityCadenceSchema>;
export const defaultPropensityCadence: PropensityCadence = propensityCadenceSchema.parse({});

/** Whether something last done on `lastOn` (absent: never) is due again on `asOf`, `everyMonths` calendar months later. */
export function isDue(lastOn: string | undefined, asOf: string, everyMonths: number): boolean {
  if (lastOn === undefined) return true;
  const last = isoDay(lastOn);
  const today = isoDay(asOf);
  if (last === undefined || today === undefined) return true;
  return addMonths(last, everyMonths) <= today;
}
