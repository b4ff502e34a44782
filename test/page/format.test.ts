import { describe, expect, it } from "vitest";
import { formatProbability } from "../../web/src/app/format.js";

// A seller reads a probability as a promise: the page never shows one as certain.

describe("a probability on the page", () => {
  it("shows as a percentage with one decimal", () => {
    expect(formatProbability(0.982)).toBe("98.2%");
    expect(formatProbability(0.5)).toBe("50%");
  });

  it("never reads as certain either way", () => {
    expect(formatProbability(0.9996)).toBe("> 99.9%");
    expect(formatProbability(1)).toBe("> 99.9%");
    expect(formatProbability(0.0004)).toBe("< 0.1%");
    expect(formatProbability(0)).toBe("< 0.1%");
    expect(formatProbability(0.001)).toBe("0.1%");
  });
});
