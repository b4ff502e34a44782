// Binary classification metrics on probabilities (or any monotone score for AUC).

export interface ConfusionMatrix {
  truePositive: number;
  falsePositive: number;
  trueNegative: number;
  falseNegative: number;
}

export interface CalibrationBin {
  /** Mean predicted probability in the bin. */
  predicted: number;
  /** Observed positive rate in the bin. */
  observed: number;
  count: number;
}

export interface Metrics {
  rows: number;
  positives: number;
  auc: number;
  /** Hanley–McNeil 95 % interval for the AUC. */
  aucInterval: [number, number];
  logLoss: number;
  /** Log loss of always predicting the base rate, for comparison. */
  baselineLogLoss: number;
  brier: number;
  /** Accuracy at 0.5. */
  accuracy: number;
  /** Threshold that maximises F1; precision, recall, F1 and the confusion matrix are at it. */
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
  confusion: ConfusionMatrix;
  calibration: CalibrationBin[];
}

function sortedOrder(scores: ArrayLike<number>): Uint32Array {
  const idx = new Uint32Array(scores.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  // Stable on ties by index, so the result is deterministic.
  return idx.sort((a, b) => scores[a] - scores[b] || a - b);
}

/** Area under the ROC curve; tied scores count one half (Mann–Whitney with mid-ranks). */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = sortedOrder(scores);
  let pos = 0;
  for (let i = 0; i < n; i++) if (labels[i]) pos++;
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  let rankSumPos = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[order[k]]) rankSumPos += midRank;
    i = j + 1;
  }
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Hanley & McNeil (1982) standard error of an AUC. */
export function aucStandardError(a: number, positives: number, negatives: number): number {
  if (!(positives > 0 && negatives > 0) || !Number.isFinite(a)) return NaN;
  const q1 = a / (2 - a);
  const q2 = (2 * a * a) / (1 + a);
  const v = (a * (1 - a) + (positives - 1) * (q1 - a * a) + (negatives - 1) * (q2 - a * a)) / (positives * negatives);
  return Math.sqrt(Math.max(v, 0));
}

const EPS = 1e-15;

export function logLoss(probs: ArrayLike<number>, labels: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = Math.min(1 - EPS, Math.max(EPS, probs[i]));
    s -= labels[i] ? Math.log(p) : Math.log(1 - p);
  }
  return s / probs.length;
}

export function accuracy(probs: ArrayLike<number>, labels: ArrayLike<number>, threshold = 0.5): number {
  let ok = 0;
  for (let i = 0; i < probs.length; i++) if ((probs[i] >= threshold ? 1 : 0) === (labels[i] ? 1 : 0)) ok++;
  return ok / probs.length;
}

export function confusionAt(probs: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): ConfusionMatrix {
  const m: ConfusionMatrix = { truePositive: 0, falsePositive: 0, trueNegative: 0, falseNegative: 0 };
  for (let i = 0; i < probs.length; i++) {
    const pred = probs[i] >= threshold;
    if (labels[i]) pred ? m.truePositive++ : m.falseNegative++;
    else pred ? m.falsePositive++ : m.trueNegative++;
  }
  return m;
}

/** The threshold (one of the scores) with the highest F1 when predicting positive at score >= threshold. */
export function bestF1Threshold(probs: ArrayLike<number>, labels: ArrayLike<number>): { threshold: number; f1: number } {
  const n = probs.length;
  const order = sortedOrder(probs);
  let pos = 0;
  for (let i = 0; i < n; i++) if (labels[i]) pos++;
  if (pos === 0) return { threshold: 1, f1: 0 };
  // Walk from the highest score down; all tied scores switch to positive together.
  let tp = 0;
  let fp = 0;
  let best = { threshold: probs[order[n - 1]], f1: -1 };
  let i = n - 1;
  while (i >= 0) {
    const s = probs[order[i]];
    while (i >= 0 && probs[order[i]] === s) {
      if (labels[order[i]]) tp++;
      else fp++;
      i--;
    }
    const f1 = (2 * tp) / (2 * tp + fp + (pos - tp));
    if (f1 > best.f1) best = { threshold: s, f1 };
  }
  return best;
}

/** Deciles by predicted probability (equal counts): mean predicted vs observed rate. */
export function calibrationTable(probs: ArrayLike<number>, labels: ArrayLike<number>, bins = 10): CalibrationBin[] {
  const n = probs.length;
  const order = sortedOrder(probs);
  const out: CalibrationBin[] = [];
  const k = Math.min(bins, n);
  for (let b = 0; b < k; b++) {
    const lo = Math.floor((b * n) / k);
    const hi = Math.floor(((b + 1) * n) / k);
    if (hi <= lo) continue;
    let sp = 0;
    let sy = 0;
    for (let i = lo; i < hi; i++) {
      sp += probs[order[i]];
      sy += labels[order[i]] ? 1 : 0;
    }
    out.push({ predicted: sp / (hi - lo), observed: sy / (hi - lo), count: hi - lo });
  }
  return out;
}

/** All metrics for calibrated probabilities against 0/1 labels. */
export function evaluateProbabilities(probs: ArrayLike<number>, labels: ArrayLike<number>): Metrics {
  const n = probs.length;
  let pos = 0;
  let brier = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i] ? 1 : 0;
    pos += y;
    brier += (probs[i] - y) ** 2;
  }
  const a = auc(probs, labels);
  const se = aucStandardError(a, pos, n - pos);
  const rate = pos / n;
  const base = rate > 0 && rate < 1 ? -(rate * Math.log(rate) + (1 - rate) * Math.log(1 - rate)) : 0;
  const best = bestF1Threshold(probs, labels);
  const confusion = confusionAt(probs, labels, best.threshold);
  const precision = confusion.truePositive / Math.max(1, confusion.truePositive + confusion.falsePositive);
  const recall = confusion.truePositive / Math.max(1, confusion.truePositive + confusion.falseNegative);
  return {
    rows: n,
    positives: pos,
    auc: a,
    aucInterval: [Math.max(0, a - 1.96 * se), Math.min(1, a + 1.96 * se)],
    logLoss: logLoss(probs, labels),
    baselineLogLoss: base,
    brier: brier / n,
    accuracy: accuracy(probs, labels),
    threshold: best.threshold,
    precision,
    recall,
    f1: Math.max(0, best.f1),
    confusion,
    calibration: calibrationTable(probs, labels),
  };
}

export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
