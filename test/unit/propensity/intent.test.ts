import { describe, expect, it } from "vitest";
import { defaultIntentSettings, defaultSignalWeights, intentOf, intentSettingsSchema } from "../../../shared/domain/propensity/index.js";
import { signal, tenantId } from "./builders.js";

const t = tenantId(1);
const asOf = "2026-05-15";

function dayBefore(days: number): string {
  return new Date(Date.parse(`${asOf}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

describe("intent", () => {
  it("halves a signal's points every half-life (default 30 days), exactly", () => {
    const weight = defaultSignalWeights["Demo request"];
    const at = (days: number) => intentOf([signal(t, "Demo request", dayBefore(days), 0.8)], asOf).points;
    expect(defaultIntentSettings.halfLifeDays).toBe(30);
    expect(at(0)).toBe(weight * 0.8);
    expect(at(30)).toBe(at(0) / 2);
    expect(at(60)).toBe(at(0) / 4);
    expect(at(15)).toBeCloseTo(at(0) / Math.SQRT2, 12);
  });

  it("uses the half-life setting", () => {
    const settings = intentSettingsSchema.parse({ halfLifeDays: 10 });
    const at = (days: number) => intentOf([signal(t, "Funding", dayBefore(days))], asOf, settings).points;
    expect(at(10)).toBe(at(0) / 2);
    expect(at(30)).toBe(at(0) / 8);
  });

  it("adds weight × strength × decay over the tenant's signals, a missing strength counting as 1", () => {
    const w = defaultSignalWeights;
    const result = intentOf([signal(t, "Funding", asOf), signal(t, "Website visit", dayBefore(30), 0.5)], asOf);
    expect(result.points).toBeCloseTo(w.Funding * 1 + w["Website visit"] * 0.5 * 0.5, 12);
    expect(result.signalsCounted).toBe(2);
  });

  it("maps points to 0–100 monotonically: one fresh full signal of weight 1 is 50, two are 75 (High)", () => {
    const settings = intentSettingsSchema.parse({ signalWeights: { Ping: 1 } });
    const one = intentOf([signal(t, "Ping", asOf)], asOf, settings);
    const two = intentOf([signal(t, "Ping", asOf), signal(t, "Ping", asOf)], asOf, settings);
    expect(one.intent).toBe(50);
    expect(two.intent).toBe(75);
    expect(two.intentBand).toBe("High");
    let last = -1;
    for (let n = 0; n <= 12; n++) {
      const s = intentOf(Array.from({ length: n }, () => signal(t, "Ping", dayBefore(7), 0.3)), asOf, settings).intent;
      expect(s).toBeGreaterThanOrEqual(last);
      last = s;
    }
    expect(intentOf([], asOf).intent).toBe(0);
  });

  it("ignores signals dated after the refresh day and counts them", () => {
    const result = intentOf([signal(t, "Funding", "2026-05-16"), signal(t, "Funding", asOf)], asOf);
    expect(result.futureSignals).toBe(1);
    expect(result.signalsCounted).toBe(1);
    expect(result.points).toBe(defaultSignalWeights.Funding);
  });

  it("keeps unknown signal types with weight 0 and lists them", () => {
    const result = intentOf([signal(t, "Podcast mention", asOf), signal(t, "Podcast mention", asOf), signal(t, "Funding", asOf)], asOf);
    expect(result.points).toBe(defaultSignalWeights.Funding);
    expect(result.signalsCounted).toBe(3);
    expect([...result.unknownTypes]).toEqual([["Podcast mention", 2]]);
    expect(result.strongestSignals.map((s) => s.signalType)).toEqual(["Funding"]);
  });

  it("matches signal types ignoring case and punctuation, and lets settings override or add weights", () => {
    expect(intentOf([signal(t, "DEMO-request", asOf)], asOf).points).toBe(defaultSignalWeights["Demo request"]);
    const settings = intentSettingsSchema.parse({ signalWeights: { "demo request": 0.1, "Podcast mention": 2 } });
    expect(intentOf([signal(t, "Demo request", asOf), signal(t, "Podcast mention", asOf)], asOf, settings).points).toBeCloseTo(2.1, 12);
  });

  it("ignores a strength outside 0–1 from a caller that skipped row validation, and counts it", () => {
    const result = intentOf([signal(t, "Funding", asOf, 1.5), signal(t, "Funding", asOf, -0.2)], asOf);
    expect(result.invalidStrength).toBe(2);
    expect(result.points).toBe(0);
  });

  it("explains itself with the strongest signals now, strongest first, in words", () => {
    const result = intentOf(
      [signal(t, "Website visit", asOf, 1), signal(t, "Demo request", dayBefore(12), 0.8), signal(t, "Funding", dayBefore(200), 1), signal(t, "Trial sign-up", dayBefore(1), 0.9)],
      asOf,
    );
    expect(result.strongestSignals.map((s) => s.signalType)).toEqual(["Trial sign-up", "Demo request", "Website visit"]);
    expect(result.strongestSignals[1].text).toBe("Demo request on 2026-05-03, 12 days ago (strength 0.8)");
    const points = result.strongestSignals.map((s) => s.points);
    expect(points).toEqual([...points].sort((a, b) => b - a));
  });

  it("refuses settings without a positive half-life", () => {
    expect(intentSettingsSchema.safeParse({ halfLifeDays: 0 }).success).toBe(false);
    expect(intentSettingsSchema.safeParse({ signalWeights: { Funding: -1 } }).success).toBe(false);
  });
});
