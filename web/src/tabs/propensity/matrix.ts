import type { Cell, Cluster, ClusterMapping } from "../../app/types.js";

// The 4×4 matrix's pure parts: how dark a heat-map cell is, and the default cell → cluster mapping.

export const fitLetters = ["A", "B", "C", "D"] as const;
export const intentDigits = ["1", "2", "3", "4"] as const;

/** 0 for an empty cell, then 1–4 by its share of the fullest cell (square root: small cells still differ). */
export function heatLevel(count: number, max: number): number {
  if (count <= 0 || max <= 0) return 0;
  return Math.min(4, Math.max(1, Math.ceil(4 * Math.sqrt(count / max))));
}

/** The default: row A Act now, B Evaluate, C Nurture, D Educate (clusters in the API's order). */
export function defaultMapping(clusters: readonly Cluster[]): ClusterMapping {
  const mapping = {} as ClusterMapping;
  fitLetters.forEach((letter, row) => intentDigits.forEach((digit) => (mapping[`${letter}${digit}` as Cell] = clusters[row])));
  return mapping;
}
