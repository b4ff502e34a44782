import { describe, expect, it } from "vitest";
import { computeAttributeInsights, insightText, type FeatureSpec } from "../../../shared/domain/dealScoring/index.js";

const spec: FeatureSpec = {
  perStage: false,
  stageAttributes: {},
  inputs: [
    { key: "Industry", label: "Industry", kind: "text", origin: "attribute", ignoreEmpty: false },
    { key: "estimatedValue", label: "Estimated value", kind: "number", origin: "standard", ignoreEmpty: false },
  ],
};

describe("attribute insights", () => {
  // 100 closed deals: Retail wins 3 in 4, Health 1 in 4; values 1..100, the bigger half never wins; 10 without an industry.
  const rows = Array.from({ length: 100 }, (_, i) => [i < 10 ? null : i % 2 ? "Retail" : "Health", i + 1] as (string | number | null)[]);
  const labels = rows.map((r, i) => ((r[0] === "Retail" ? i % 4 !== 3 : i % 4 === 0) && i < 50 ? "won" : "lost") as "won" | "lost");
  const insights = computeAttributeInsights(spec, rows, labels);
  const won = labels.filter((l) => l === "won").length;

  it("gives the win rate per value beside the overall win rate, empty values as their own bucket", () => {
    expect(insights.overallWinRate).toBeCloseTo(won / 100, 10);
    const industry = insights.inputs[0];
    expect(industry.populated).toBe(90);
    for (const b of industry.buckets) {
      const idx = rows.map((r, i) => [r, i] as const).filter(([r]) => (b.kind === "empty" ? r[0] === null : r[0] === b.value)).map(([, i]) => i);
      expect(b.closed).toBe(idx.length);
      expect(b.won).toBe(idx.filter((i) => labels[i] === "won").length);
    }
    expect(industry.buckets.map((b) => b.label).sort()).toEqual(["(empty)", "Health", "Retail"]);
  });

  it("gives a number's win rate per range (quintiles), open at both ends", () => {
    const value = insights.inputs[1];
    expect(value.buckets.map((b) => b.label)).toEqual(["under 21", "21 to under 41", "41 to under 61", "61 to under 81", "81 or more"]);
    expect(value.buckets.map((b) => b.closed)).toEqual([20, 20, 20, 20, 20]);
    expect(value.buckets.at(-1)!.winRate).toBe(0);
  });

  it("words a value's insight, and places values beyond the training range in the end ranges", () => {
    expect(insightText(insights, "Industry", "Retail")).toMatch(/^\d+ % of 45 closed deals where Industry is Retail were won \(overall \d+ %\)$/);
    expect(insightText(insights, "estimatedValue", 5000)).toContain("where Estimated value is 81 or more were won");
    expect(insightText(insights, "estimatedValue", -3)).toContain("is under 21");
    expect(insightText(insights, "Industry", null)).toContain("where Industry is empty");
  });
});
