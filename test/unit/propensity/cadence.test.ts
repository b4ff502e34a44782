import { describe, expect, it } from "vitest";
import { defaultPropensityCadence, isDue } from "../../../shared/domain/propensity/index.js";

describe("refresh cadence", () => {
  it("relearns fit quarterly and refreshes intent monthly by default", () => {
    expect(defaultPropensityCadence).toEqual({ fitEveryMonths: 3, intentEveryMonths: 1 });
  });

  it("is due a whole number of calendar months after the last time, not a day earlier", () => {
    expect(isDue("2026-02-15", "2026-05-14", 3)).toBe(false);
    expect(isDue("2026-02-15", "2026-05-15", 3)).toBe(true);
    expect(isDue("2026-01-31", "2026-02-27", 1)).toBe(false);
    expect(isDue("2026-01-31", "2026-02-28", 1)).toBe(true);
    expect(isDue("2026-04-15T23:00:00Z", "2026-05-15T01:00:00Z", 1)).toBe(true);
  });

  it("is due when it never happened", () => {
    expect(isDue(undefined, "2026-05-15", 3)).toBe(true);
  });
});
