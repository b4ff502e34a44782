import { describe, expect, it } from "vitest";
import { bandOf, cellOf, cells, toScore } from "../../../shared/domain/propensity/index.js";

describe("score bands", () => {
  it.each([
    [100, "High"],
    [75, "High"],
    [74, "Medium"],
    [55, "Medium"],
    [54, "Low"],
    [30, "Low"],
    [29, "Very low"],
    [0, "Very low"],
  ])("%i is %s", (score, band) => {
    expect(bandOf(score)).toBe(band);
  });

  it("keeps a fraction below an edge in the lower band", () => {
    expect(bandOf(74.9)).toBe("Medium");
  });

  it("names the cell by fit letter and intent digit, A1 the highest", () => {
    expect(cellOf(75, 75)).toBe("A1");
    expect(cellOf(74, 75)).toBe("B1");
    expect(cellOf(75, 74)).toBe("A2");
    expect(cellOf(55, 54)).toBe("B3");
    expect(cellOf(54, 55)).toBe("C2");
    expect(cellOf(30, 29)).toBe("C4");
    expect(cellOf(29, 30)).toBe("D3");
    expect(cellOf(0, 0)).toBe("D4");
  });

  it("lists the 16 cells row by row", () => {
    expect(cells).toHaveLength(16);
    expect(cells.slice(0, 5)).toEqual(["A1", "A2", "A3", "A4", "B1"]);
    expect(cells[15]).toBe("D4");
  });

  it("turns a 0–1 value into a whole 0–100 score that never decreases", () => {
    let last = -1;
    for (let v = -0.1; v <= 1.1; v += 0.001) {
      const s = toScore(v);
      expect(Number.isInteger(s) && s >= 0 && s <= 100).toBe(true);
      expect(s).toBeGreaterThanOrEqual(last);
      last = s;
    }
    expect(toScore(NaN)).toBe(0);
  });
});
