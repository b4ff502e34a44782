// Probability calibration of learner margins, fitted on validation data:
// Platt scaling (logistic on the margin) or isotonic regression (pool-adjacent-violators).

import { logLoss, sigmoid } from "./metrics.js";

export type CalibrationJson =
  | { method: "none" }
  | { method: "platt"; a: number; b: number }
  | { method: "isotonic"; x: number[]; y: number[] };

export interface Calibrator {
  readonly json: CalibrationJson;
  /** Calibrated probability for one margin (log-odds from the learner). */
  probability(margin: number): number;
  probabilities(margins: ArrayLike<number>): Float64Array;
}

class JsonCalibrator implements Calibrator {
  constructor(readonly json: CalibrationJson) {}

  probability(m: number): number {
    const j = this.json;
    if (j.method === "none") return sigmoid(m);
    if (j.method === "platt") return sigmoid(j.a * m + j.b);
    const { x, y } = j;
    if (m <= x[0]) return y[0];
    const last = x.length - 1;
    if (m >= x[last]) return y[last];
    let lo = 0;
    let hi = last;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (x[mid] <= m) lo = mid;
      else hi = mid;
    }
    const t = (m - x[lo]) / (x[hi] - x[lo]);
    return y[lo] + t * (y[hi] - y[lo]);
  }

  probabilities(margins: ArrayLike<number>): Float64Array {
    const out = new Float64Array(margins.length);
    for (let i = 0; i < margins.length; i++) out[i] = this.probability(margins[i]);
    return out;
  }
}

export function calibratorFromJSON(json: CalibrationJson): Calibrator {
  if (!json || !["none", "platt", "isotonic"].includes((json as { method: string }).method)) {
    throw new Error("not a calibration JSON (method none, platt or isotonic)");
  }
  return new JsonCalibrator(structuredClone(json));
}

/** Platt scaling with Platt's smoothed targets, fitted by Newton's method on (a, b). */
export function fitPlatt(margins: ArrayLike<number>, labels: ArrayLike<number>): Calibrator {
  const n = margins.length;
  let pos = 0;
  for (let i = 0; i < n; i++) pos += labels[i] ? 1 : 0;
  const neg = n - pos;
  const hiT = (pos + 1) / (pos + 2);
  const loT = 1 / (neg + 2);
  let a = 1;
  let b = 0;
  const loss = (aa: number, bb: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const z = aa * margins[i] + bb;
      const t = labels[i] ? hiT : loT;
      // Cross-entropy with soft target t: log(1+e^z) - t z.
      s += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - t * z;
    }
    return s;
  };
  let cur = loss(a, b);
  for (let it = 0; it < 100; it++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-12;
    let hab = 0;
    let hbb = 1e-12;
    for (let i = 0; i < n; i++) {
      const m = margins[i];
      const p = sigmoid(a * m + b);
      const d = p - (labels[i] ? hiT : loT);
      const w = p * (1 - p);
      ga += d * m;
      gb += d;
      haa += w * m * m;
      hab += w * m;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(Math.abs(det) > 1e-18)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    let t = 1;
    let next = cur;
    let ok = false;
    for (let ls = 0; ls < 30; ls++) {
      next = loss(a - t * da, b - t * db);
      if (next <= cur + 1e-12) {
        ok = true;
        break;
      }
      t /= 2;
    }
    if (!ok) break;
    a -= t * da;
    b -= t * db;
    const improvement = cur - next;
    cur = next;
    if (Math.abs(t * da) < 1e-10 && Math.abs(t * db) < 1e-10) break;
    if (improvement < 1e-12) break;
  }
  return new JsonCalibrator({ method: "platt", a, b });
}

/** Isotonic regression of labels on margins (PAV), interpolated linearly between blocks. */
export function fitIsotonic(margins: ArrayLike<number>, labels: ArrayLike<number>): Calibrator {
  const n = margins.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => margins[i] - margins[j] || i - j);
  // Blocks: summed x, summed y, weight.
  const bx: number[] = [];
  const by: number[] = [];
  const bw: number[] = [];
  let k0 = 0;
  while (k0 < n) {
    // Equal margins start in one block so the fit is a function of the margin.
    let sx = 0;
    let sy = 0;
    let w = 0;
    const m0 = margins[order[k0]];
    while (k0 < n && margins[order[k0]] === m0) {
      sx += m0;
      sy += labels[order[k0]] ? 1 : 0;
      w++;
      k0++;
    }
    bx.push(sx);
    by.push(sy);
    bw.push(w);
    while (by.length > 1) {
      const k = by.length - 1;
      if (by[k - 1] / bw[k - 1] <= by[k] / bw[k]) break;
      bx[k - 1] += bx[k];
      by[k - 1] += by[k];
      bw[k - 1] += bw[k];
      bx.pop();
      by.pop();
      bw.pop();
    }
  }
  // Keep probabilities off 0 and 1 so log loss stays finite on new data.
  const eps = 1 / (2 * (n + 1));
  const x = bx.map((s, k) => s / bw[k]);
  const y = by.map((s, k) => Math.min(1 - eps, Math.max(eps, s / bw[k])));
  return new JsonCalibrator({ method: "isotonic", x, y });
}

export interface CalibrationChoice {
  calibrator: Calibrator;
  /** Cross-validated log loss on the validation data, per method tried. */
  scores: Record<string, number>;
  reason: string;
}

/**
 * Fits the calibration on validation margins. Small validation sets get Platt (isotonic overfits them);
 * otherwise Platt and isotonic are compared by 3-fold cross-validated log loss within the validation data.
 */
export function fitCalibration(margins: ArrayLike<number>, labels: ArrayLike<number>, minForIsotonic = 1000): CalibrationChoice {
  const n = margins.length;
  let pos = 0;
  for (let i = 0; i < n; i++) pos += labels[i] ? 1 : 0;
  if (n < minForIsotonic || Math.min(pos, n - pos) < 50) {
    return { calibrator: fitPlatt(margins, labels), scores: {}, reason: `Platt scaling (validation has ${n} rows, ${pos} positive: too few for isotonic)` };
  }
  // Three folds are enough to tell the two methods apart and keep calibration cheap next to training.
  const folds = 3;
  const cv = (fit: (m: number[], l: number[]) => Calibrator) => {
    const probs = new Float64Array(n);
    for (let f = 0; f < folds; f++) {
      const tm: number[] = [];
      const tl: number[] = [];
      for (let i = 0; i < n; i++) if (i % folds !== f) (tm.push(margins[i]), tl.push(labels[i]));
      const c = fit(tm, tl);
      for (let i = f; i < n; i += folds) probs[i] = c.probability(margins[i]);
    }
    return logLoss(probs, labels);
  };
  const platt = cv(fitPlatt);
  const iso = cv(fitIsotonic);
  const scores = { platt, isotonic: iso };
  if (iso < platt) return { calibrator: fitIsotonic(margins, labels), scores, reason: "isotonic regression (lower cross-validated log loss)" };
  return { calibrator: fitPlatt(margins, labels), scores, reason: "Platt scaling (lower cross-validated log loss)" };
}
