import { describe, expect, it } from "vitest";
import { PUBLISH_GATE, publishReadiness } from "../../../shared/domain/dealScoring/index.js";

const gate = (auc: number, lo: number, hi: number) => publishReadiness({ auc, aucInterval: [lo, hi] }).readiness;

describe("publish gate", () => {
  it("is Ready from AUC 0.70, OK from 0.60, else Not ready", () => {
    expect(gate(PUBLISH_GATE.ready, 0.62, 0.78)).toBe("Ready");
    expect(gate(0.6999, 0.62, 0.78)).toBe("OK");
    expect(gate(PUBLISH_GATE.ok, 0.55, 0.65)).toBe("OK");
    expect(gate(0.5999, 0.55, 0.65)).toBe("Not ready");
  });

  it("is Not ready whenever the AUC's 95 % interval reaches 0.5, however high the AUC", () => {
    expect(gate(0.8, 0.5, 1)).toBe("Not ready");
    expect(gate(0.8, 0.45, 1)).toBe("Not ready");
    expect(gate(0.8, 0.5001, 1)).toBe("Ready");
    expect(publishReadiness({ auc: 0.8, aucInterval: [0.45, 1] }).reason).toContain("reaches 0.5");
  });

  it("is Not ready when the test deals are all won or all lost", () => {
    expect(publishReadiness({ auc: NaN, aucInterval: [NaN, NaN] })).toMatchObject({ readiness: "Not ready", reason: expect.stringContaining("all won or all lost") });
  });
});
