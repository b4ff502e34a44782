import { describe, it, expect } from "vitest";
import { createRandom } from "../../../../shared/scoring/dataset.js";
import { applyBinning, binDataset, fitBinning, MAX_BINS, MISSING_BIN } from "../../../../shared/scoring/trees/binning.js";
import { dataset } from "./fixtures.js";

describe("binning", () => {
  it("uses at most 255 value bins per numeric column and reserves code 0 for missing", () => {
    const random = createRandom(3);
    const values = Array.from({ length: 5000 }, (_, i) => (i % 50 === 0 ? NaN : random() * 1000));
    const data = dataset([{ info: { name: "revenue", kind: "numeric" }, values }], new Array(5000).fill(0));
    const binned = binDataset(data);
    const binning = binned.binnings[0];
    expect(binning.binCount).toBeLessThanOrEqual(MAX_BINS);
    expect(binning.binCount).toBeGreaterThan(200);
    for (let i = 0; i < 5000; i++) {
      if (Number.isNaN(values[i])) expect(binned.codes[0][i]).toBe(MISSING_BIN);
      else expect(binned.codes[0][i]).toBeGreaterThan(MISSING_BIN);
    }
  });

  it("keeps bins in value order so bin codes split like raw values", () => {
    const random = createRandom(4);
    const values = Array.from({ length: 3000 }, () => Math.floor(random() * 10000) / 7);
    const data = dataset([{ info: { name: "x", kind: "numeric" }, values }], new Array(3000).fill(0));
    const { codes } = binDataset(data);
    for (let i = 1; i < 3000; i++) {
      if (values[i] < values[i - 1]) expect(codes[0][i]).toBeLessThanOrEqual(codes[0][i - 1]);
      if (values[i] > values[i - 1]) expect(codes[0][i]).toBeGreaterThanOrEqual(codes[0][i - 1]);
    }
  });

  it("gives each category its own bin and lumps the rarest when there are more than 254", () => {
    const categories = Array.from({ length: 300 }, (_, i) => `partner ${i}`);
    // Category c appears 300 - c times, so the 46 rarest (codes 254..299) are lumped together.
    const values: number[] = [];
    for (let c = 0; c < 300; c++) for (let k = 0; k < 300 - c; k++) values.push(c);
    const data = dataset([{ info: { name: "partner", kind: "categorical", categories }, values }], new Array(values.length).fill(0));
    const [binning] = fitBinning(data);
    if (binning.kind !== "categorical") throw new Error("expected categorical binning");
    expect(binning.binCount).toBe(255);
    const ownBins = new Set<number>();
    for (let c = 0; c < 254; c++) ownBins.add(binning.binOfCategory[c]);
    expect(ownBins.size).toBe(254);
    for (let c = 254; c < 300; c++) expect(binning.binOfCategory[c]).toBe(binning.otherBin);
    expect(binning.categoriesOfBin[binning.otherBin]).toHaveLength(46);
  });

  it("codes unseen and missing categories as missing", () => {
    const data = dataset([{ info: { name: "segment", kind: "categorical", categories: ["SMB", "Enterprise", "Public"] }, values: [0, 1, 0, 1] }], [0, 0, 0, 0]);
    const binnings = fitBinning(data);
    const scored = dataset([{ info: data.features[0], values: [2, NaN, 7, 0] }], [0, 0, 0, 0]);
    const codes = applyBinning(binnings, scored).codes[0];
    expect(Array.from(codes.subarray(0, 3))).toEqual([MISSING_BIN, MISSING_BIN, MISSING_BIN]);
    expect(codes[3]).not.toBe(MISSING_BIN);
  });
});
