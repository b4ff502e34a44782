import type { DealModel } from "../../../app/types.js";

// Grade bands from where A, B and C start: D starts at 0, A ends at 100, each band ends one below the next.

export type Bands = DealModel["gradeBands"];
export type Starts = { A: number; B: number; C: number };

export function bandsFrom(starts: Starts): Bands {
  return {
    A: { min: starts.A, max: 100 },
    B: { min: starts.B, max: starts.A - 1 },
    C: { min: starts.C, max: starts.B - 1 },
    D: { min: 0, max: starts.C - 1 },
  };
}
