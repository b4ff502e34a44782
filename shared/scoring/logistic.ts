// L2-regularised logistic regression on one-hot categoricals and standardised numerics,
// fitted by Newton's method on a sparse design (deterministic, a handful of iterations).

import type { Dataset, LabelledDataset, LearnerJson, TrainedLearner } from "./dataset.js";

export interface LogisticOptions {
  /** L2 penalty on the coefficients (not the intercept), on the summed log loss, like scikit-learn's 1/C. */
  l2: number;
  maxIterations: number;
  tolerance: number;
  /** Add an "is missing" column for numerics with missing training values (unless the feature is ignoreEmpty). */
  missingIndicators: boolean;
  /** Most frequent categories one-hot encoded per feature; rarer ones score like missing. */
  maxCategories: number;
  /**
   * Newton's method (dense Hessian, p² memory, p³ per factorisation) or L-BFGS; "auto" uses L-BFGS
   * above `newtonMaxColumns` design columns, where the dense Hessian stops paying off.
   */
  solver: "auto" | "newton" | "lbfgs";
  newtonMaxColumns: number;
}

export const DEFAULT_LOGISTIC_OPTIONS: LogisticOptions = {
  l2: 1,
  maxIterations: 50,
  tolerance: 1e-8,
  missingIndicators: true,
  maxCategories: 200,
  solver: "auto",
  newtonMaxColumns: 400,
};

type DesignColumn =
  | { feature: number; type: "z"; mean: number; sd: number; coef: number; center: number }
  | { feature: number; type: "missing"; coef: number; center: number }
  | { feature: number; type: "onehot"; code: number; coef: number; center: number };

export interface LogisticJson extends LearnerJson {
  kind: "logistic";
  version: 1;
  l2: number;
  nFeatures: number;
  featureNames: string[];
  /** Intercept of the uncentred design: margin = intercept + Σ coef × value. */
  intercept: number;
  columns: DesignColumn[];
  importance: number[];
  iterations: number;
  solver: "newton" | "lbfgs";
}

export class LogisticModel implements TrainedLearner {
  readonly kind = "logistic" as const;
  // Per feature, the design columns that read it (for fast scoring and contributions).
  private readonly byFeature: DesignColumn[][];

  constructor(private readonly json: LogisticJson) {
    this.byFeature = Array.from({ length: json.nFeatures }, () => [] as DesignColumn[]);
    for (const c of json.columns) this.byFeature[c.feature].push(c);
  }

  get l2(): number {
    return this.json.l2;
  }

  get iterations(): number {
    return this.json.iterations;
  }

  /** Bias of the contributions: the margin of a row at the training means. */
  private bias(): number {
    let b = this.json.intercept;
    for (const c of this.json.columns) b += c.coef * c.center;
    return b;
  }

  predictMargin(data: Dataset): Float64Array {
    checkFeatures(this.json, data);
    const out = new Float64Array(data.rows).fill(this.json.intercept);
    for (let f = 0; f < this.byFeature.length; f++) {
      const cols = this.byFeature[f];
      if (cols.length === 0) continue;
      const x = data.columns[f];
      // designValue repeated column by column, so the row loops do not test the column's type per cell.
      for (const c of cols) {
        if (c.coef === 0) continue;
        if (c.type === "z") {
          const { mean, sd, coef } = c;
          for (let r = 0; r < data.rows; r++) {
            const v = x[r];
            if (v === v) out[r] += (coef * (v - mean)) / sd;
          }
        } else if (c.type === "missing") {
          for (let r = 0; r < data.rows; r++) if (x[r] !== x[r]) out[r] += c.coef;
        } else {
          for (let r = 0; r < data.rows; r++) if (x[r] === c.code) out[r] += c.coef;
        }
      }
    }
    return out;
  }

  contributions(data: Dataset, row: number): Float64Array {
    checkFeatures(this.json, data);
    const out = new Float64Array(this.json.nFeatures + 1);
    for (let f = 0; f < this.byFeature.length; f++) {
      const v = data.columns[f][row];
      let s = 0;
      for (const c of this.byFeature[f]) s += c.coef * (designValue(c, v) - c.center);
      out[f] = s;
    }
    out[this.json.nFeatures] = this.bias();
    return out;
  }

  featureImportance(): Float64Array {
    return Float64Array.from(this.json.importance);
  }

  /** Coefficients by design column, for inspection. */
  coefficients(): { feature: string; term: string; coef: number }[] {
    return this.json.columns.map((c) => ({
      feature: this.json.featureNames[c.feature],
      term: c.type === "onehot" ? `= code ${c.code}` : c.type === "missing" ? "is missing" : "standardised",
      coef: c.coef,
    }));
  }

  toJSON(): LogisticJson {
    return structuredClone(this.json);
  }
}

function checkFeatures(json: LogisticJson, data: Dataset): void {
  if (data.features.length !== json.nFeatures) {
    throw new Error(`logistic model expects ${json.nFeatures} features, data has ${data.features.length}`);
  }
}

function designValue(c: DesignColumn, v: number): number {
  if (c.type === "z") return v === v ? (v - c.mean) / c.sd : 0;
  if (c.type === "missing") return v !== v ? 1 : 0;
  return v === c.code ? 1 : 0;
}

export function logisticFromJSON(json: unknown): LogisticModel {
  const j = json as LogisticJson;
  if (!j || j.kind !== "logistic" || j.version !== 1 || !Array.isArray(j.columns)) {
    throw new Error("not a logistic model JSON (kind 'logistic', version 1)");
  }
  return new LogisticModel(structuredClone(j));
}

/** Builds the design columns (without coefficients) from training data. */
function buildDesign(train: Dataset, opts: LogisticOptions): DesignColumn[] {
  const cols: DesignColumn[] = [];
  const n = train.rows;
  train.features.forEach((f, fi) => {
    const x = train.columns[fi];
    if (f.kind === "numeric") {
      let cnt = 0;
      let sum = 0;
      for (let r = 0; r < n; r++) if (x[r] === x[r]) (cnt++, (sum += x[r]));
      const mean = cnt > 0 ? sum / cnt : 0;
      let ss = 0;
      for (let r = 0; r < n; r++) if (x[r] === x[r]) ss += (x[r] - mean) ** 2;
      const sd = cnt > 1 ? Math.sqrt(ss / cnt) : 0;
      if (cnt > 0 && sd > 0) cols.push({ feature: fi, type: "z", mean, sd, coef: 0, center: 0 });
      const ignoreEmpty = (f as { ignoreEmpty?: boolean }).ignoreEmpty === true;
      if (opts.missingIndicators && !ignoreEmpty && cnt < n && cnt > 0) {
        cols.push({ feature: fi, type: "missing", coef: 0, center: 0 });
      }
    } else {
      const k = f.categories?.length ?? 0;
      const counts = new Float64Array(k);
      for (let r = 0; r < n; r++) {
        const v = x[r];
        if (v === v && v >= 0 && v < k) counts[v]++;
      }
      const codes = [...counts.keys()].filter((c) => counts[c] > 0).sort((a, b) => counts[b] - counts[a] || a - b);
      for (const code of codes.slice(0, opts.maxCategories).sort((a, b) => a - b)) {
        cols.push({ feature: fi, type: "onehot", code, coef: 0, center: 0 });
      }
    }
  });
  return cols;
}

/** Cholesky factor L (lower triangular, row-major) of a symmetric positive-definite matrix. */
function choleskyFactor(a: Float64Array, p: number): Float64Array {
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * p + j];
      for (let k = 0; k < j; k++) s -= l[i * p + k] * l[j * p + k];
      if (i === j) l[i * p + i] = Math.sqrt(Math.max(s, 1e-12));
      else l[i * p + j] = s / l[j * p + j];
    }
  }
  return l;
}

/** Solves L Lᵀ x = b. */
function choleskySolve(l: Float64Array, b: Float64Array, p: number): Float64Array {
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * p + k] * y[k];
    y[i] = s / l[i * p + i];
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < p; k++) s -= l[k * p + i] * x[k];
    x[i] = s / l[i * p + i];
  }
  return x;
}

/** Trains logistic regression; `init` warm-starts from another fit on the same design (used for an L2 path). */
export function trainLogistic(train: LabelledDataset, options: Partial<LogisticOptions> = {}): LogisticModel {
  const opts = { ...DEFAULT_LOGISTIC_OPTIONS, ...options };
  const n = train.rows;
  const cols = buildDesign(train, opts);
  const p = cols.length + 1; // slot 0 is the intercept

  // Sparse rows in flat arrays with a fixed stride: slot 0 the intercept, then the row's non-zero design columns.
  const byFeature: number[][] = Array.from({ length: train.features.length }, () => []);
  cols.forEach((c, j) => byFeature[c.feature].push(j));
  let stride = 1;
  for (const list of byFeature) {
    if (list.length === 0) continue;
    const c = cols[list[0]];
    // A numeric feature fills at most its z and indicator columns; a categorical exactly one one-hot.
    stride += c.type === "onehot" ? 1 : list.length;
  }
  const sIdx = new Int32Array(n * stride);
  const sVal = new Float64Array(n * stride);
  const sLen = new Int32Array(n).fill(1);
  for (let r = 0; r < n; r++) sVal[r * stride] = 1;
  // Filled feature by feature (design columns are ordered by feature), so slots stay increasing within a row.
  for (let f = 0; f < byFeature.length; f++) {
    const list = byFeature[f];
    if (list.length === 0) continue;
    const x = train.columns[f];
    const first = cols[list[0]];
    if (first.type === "onehot") {
      const k = train.features[f].categories?.length ?? 0;
      const slotOf = new Int32Array(k).fill(-1);
      for (const j of list) slotOf[(cols[j] as { code: number }).code] = j + 1;
      for (let r = 0; r < n; r++) {
        const v = x[r];
        if (v !== v || v < 0 || v >= k) continue;
        const slot = slotOf[v];
        if (slot < 0) continue;
        const at = r * stride + sLen[r]++;
        sIdx[at] = slot;
        sVal[at] = 1;
      }
    } else {
      let zSlot = -1;
      let missSlot = -1;
      let mean = 0;
      let sd = 1;
      for (const j of list) {
        const c = cols[j];
        if (c.type === "z") {
          zSlot = j + 1;
          mean = c.mean;
          sd = c.sd;
        } else missSlot = j + 1;
      }
      for (let r = 0; r < n; r++) {
        const v = x[r];
        if (v !== v) {
          if (missSlot < 0) continue;
          const at = r * stride + sLen[r]++;
          sIdx[at] = missSlot;
          sVal[at] = 1;
        } else if (zSlot >= 0 && v !== mean) {
          const at = r * stride + sLen[r]++;
          sIdx[at] = zSlot;
          sVal[at] = (v - mean) / sd;
        }
      }
    }
  }

  const y = train.label;
  let pos = 0;
  for (let r = 0; r < n; r++) pos += y[r];
  const w = new Float64Array(p);
  // Start at the base rate so the first step is small.
  const rate = Math.min(Math.max(pos / Math.max(n, 1), 1e-6), 1 - 1e-6);
  w[0] = Math.log(rate / (1 - rate));
  const lambda = opts.l2;

  // One pass gives margins, the penalised objective and its gradient at a point.
  const evaluate = (ww: Float64Array, outMargins: Float64Array, outGrad: Float64Array): number => {
    outGrad.fill(0);
    let s = 0;
    for (let r = 0; r < n; r++) {
      const off = r * stride;
      const end = off + sLen[r];
      let m = 0;
      for (let k = off; k < end; k++) m += ww[sIdx[k]] * sVal[k];
      outMargins[r] = m;
      const z = y[r] ? -m : m;
      s += z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
      const g = (m >= 0 ? 1 / (1 + Math.exp(-m)) : Math.exp(m) / (1 + Math.exp(m))) - y[r];
      for (let k = off; k < end; k++) outGrad[sIdx[k]] += g * sVal[k];
    }
    let pen = 0;
    for (let j = 1; j < p; j++) {
      pen += ww[j] * ww[j];
      outGrad[j] += lambda * ww[j];
    }
    return s + 0.5 * lambda * pen;
  };

  let margins = new Float64Array(n);
  let grad = new Float64Array(p);
  let trialMargins = new Float64Array(n);
  let trialGrad = new Float64Array(p);
  const trial = new Float64Array(p);
  const hess = new Float64Array(p * p);
  let obj = evaluate(w, margins, grad);
  let iterations = 0;
  const hessianFactor = (): Float64Array => {
    hess.fill(0);
    for (let r = 0; r < n; r++) {
      const m = margins[r];
      const pr = m >= 0 ? 1 / (1 + Math.exp(-m)) : Math.exp(m) / (1 + Math.exp(m));
      const h = Math.max(pr * (1 - pr), 1e-12);
      const off = r * stride;
      const end = off + sLen[r];
      for (let a = off; a < end; a++) {
        const ia = sIdx[a];
        const hv = h * sVal[a];
        const rowOff = ia * p;
        for (let b = off; b <= a; b++) hess[rowOff + sIdx[b]] += hv * sVal[b];
      }
    }
    for (let j = 1; j < p; j++) hess[j * p + j] += lambda;
    // Slots are increasing within a row, so only the lower triangle was filled; mirror it.
    for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) hess[j * p + i] = hess[i * p + j];
    hess[0] += 1e-9;
    return choleskyFactor(hess, p);
  };
  const solver = opts.solver === "auto" ? (p > opts.newtonMaxColumns ? "lbfgs" : "newton") : opts.solver;

  // L-BFGS memory: the last few position and gradient changes.
  const history: { s: Float64Array; y: Float64Array; rho: number }[] = [];
  const lbfgsDirection = (g: Float64Array): Float64Array => {
    const q = Float64Array.from(g);
    const alpha = new Float64Array(history.length);
    for (let k = history.length - 1; k >= 0; k--) {
      const h = history[k];
      let a = 0;
      for (let j = 0; j < p; j++) a += h.s[j] * q[j];
      a *= h.rho;
      alpha[k] = a;
      for (let j = 0; j < p; j++) q[j] -= a * h.y[j];
    }
    if (history.length > 0) {
      const last = history[history.length - 1];
      let yy = 0;
      for (let j = 0; j < p; j++) yy += last.y[j] * last.y[j];
      const gamma = 1 / (last.rho * yy);
      for (let j = 0; j < p; j++) q[j] *= gamma;
    } else {
      // First step: scale by an upper bound of the Hessian diagonal (¼ Σ x² + λ).
      const diag = new Float64Array(p);
      for (let r = 0; r < n; r++) {
        const off = r * stride;
        for (let k = off; k < off + sLen[r]; k++) diag[sIdx[k]] += 0.25 * sVal[k] * sVal[k];
      }
      for (let j = 0; j < p; j++) q[j] /= diag[j] + (j > 0 ? lambda : 0) + 1e-12;
    }
    for (let k = 0; k < history.length; k++) {
      const h = history[k];
      let b = 0;
      for (let j = 0; j < p; j++) b += h.y[j] * q[j];
      b *= h.rho;
      for (let j = 0; j < p; j++) q[j] += h.s[j] * (alpha[k] - b);
    }
    return q;
  };

  let factor: Float64Array | null = null;
  let lastStep = 1;
  const maxIterations = solver === "newton" ? opts.maxIterations : opts.maxIterations * 10;
  for (let it = 0; it < maxIterations; it++) {
    iterations = it + 1;
    let step: Float64Array;
    if (solver === "newton") {
      // The Hessian changes little once near the optimum: after two full Newton steps it is reused
      // (a fixed-metric step, still exact-gradient), refreshed every 4th step or after backtracking.
      if (factor === null || it < 2 || it % 4 === 0 || lastStep < 1) factor = hessianFactor();
      step = choleskySolve(factor, grad, p);
    } else {
      step = lbfgsDirection(grad);
    }
    // Armijo condition: the objective must fall by a fraction of what the slope promises.
    let slope = 0;
    for (let j = 0; j < p; j++) slope += grad[j] * step[j];
    if (!(slope > 0)) break;
    let t = 1;
    let accepted = false;
    let newObj = obj;
    for (let ls = 0; ls < 30; ls++) {
      for (let j = 0; j < p; j++) trial[j] = w[j] - t * step[j];
      newObj = evaluate(trial, trialMargins, trialGrad);
      if (newObj <= obj - 1e-4 * t * slope) {
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    if (!accepted) break;
    lastStep = t;
    if (solver === "lbfgs") {
      const sv = new Float64Array(p);
      const yv = new Float64Array(p);
      let sy = 0;
      for (let j = 0; j < p; j++) {
        sv[j] = trial[j] - w[j];
        yv[j] = trialGrad[j] - grad[j];
        sy += sv[j] * yv[j];
      }
      if (sy > 1e-12) {
        history.push({ s: sv, y: yv, rho: 1 / sy });
        if (history.length > 10) history.shift();
      }
    }
    w.set(trial);
    [margins, trialMargins] = [trialMargins, margins];
    [grad, trialGrad] = [trialGrad, grad];
    const improvement = obj - newObj;
    obj = newObj;
    let maxStep = 0;
    for (let j = 0; j < p; j++) maxStep = Math.max(maxStep, Math.abs(t * step[j]));
    if (maxStep < 1e-7 || improvement < opts.tolerance * Math.max(1, Math.abs(obj))) break;
  }

  for (let j = 0; j < cols.length; j++) cols[j].coef = w[j + 1];
  // Centres are training means of each design column, so contributions average to zero.
  const sums = new Float64Array(cols.length);
  for (let r = 0; r < n; r++) {
    const off = r * stride;
    for (let k = off + 1; k < off + sLen[r]; k++) sums[sIdx[k] - 1] += sVal[k];
  }
  for (let j = 0; j < cols.length; j++) cols[j].center = n > 0 ? sums[j] / n : 0;

  // Importance: mean absolute contribution over the training rows.
  const nf = train.features.length;
  const importance = new Array<number>(nf).fill(0);
  const baseContribution = new Float64Array(nf);
  for (const c of cols) baseContribution[c.feature] -= c.coef * c.center;
  const featureOf = Int32Array.from([-1, ...cols.map((c) => c.feature)]);
  const rowContribution = new Float64Array(nf);
  for (let r = 0; r < n; r++) {
    rowContribution.set(baseContribution);
    const off = r * stride;
    for (let k = off + 1; k < off + sLen[r]; k++) rowContribution[featureOf[sIdx[k]]] += w[sIdx[k]] * sVal[k];
    for (let f = 0; f < nf; f++) importance[f] += Math.abs(rowContribution[f]);
  }
  for (let f = 0; f < nf; f++) importance[f] = n > 0 ? importance[f] / n : 0;

  return new LogisticModel({
    kind: "logistic",
    version: 1,
    l2: lambda,
    nFeatures: nf,
    featureNames: train.features.map((f) => f.name),
    intercept: w[0],
    columns: cols,
    importance,
    iterations,
    solver,
  });
}
