// Exact SHAP values for tree ensembles: Lundberg, Erion & Lee's polynomial-time TreeSHAP
// ("path-dependent" variant), where the effect of an absent feature is the cover-weighted
// average over both branches of each split on it. Two equivalent evaluations: the reference
// recursion, and per-leaf tables (below) that make explaining a row several times faster.

import type { TreeEnsembleArrays } from "./ensemble.js";

/**
 * The parts of the tree ensemble TreeSHAP reads; node ids index every array. It relies on a
 * parent's cover being its children's sum (hessian sums and row counts both are).
 */
export type ShapTreeView = Pick<TreeEnsembleArrays, "feature" | "left" | "right" | "value" | "cover">;

/**
 * Reusable work space for one explanation: the path of unique features from the root,
 * stored as one segment per recursion level (as in the reference implementation).
 */
export class ShapScratch {
  readonly pathFeature: Int32Array;
  readonly pathZero: Float64Array;
  readonly pathOne: Float64Array;
  readonly pathWeight: Float64Array;
  /** reciprocal[k] = 1 / k for every k a path of this depth needs. */
  readonly reciprocal: Float64Array;

  constructor(maxDepth: number) {
    const levels = maxDepth + 2;
    const size = (levels * (levels + 1)) / 2;
    this.reciprocal = Float64Array.from({ length: levels + 2 }, (_, k) => (k === 0 ? 0 : 1 / k));
    this.pathFeature = new Int32Array(size);
    this.pathZero = new Float64Array(size);
    this.pathOne = new Float64Array(size);
    this.pathWeight = new Float64Array(size);
  }
}

/** Cover-weighted mean leaf value of the tree under `root`: its contribution when no feature is known. */
export function expectedValue(tree: ShapTreeView, root: number): number {
  if (tree.feature[root] < 0) return tree.value[root];
  const l = tree.left[root];
  const r = tree.right[root];
  return childFraction(tree, root, l) * expectedValue(tree, l) + childFraction(tree, root, r) * expectedValue(tree, r);
}

/** Depth of the tree under `root` (a lone leaf has depth 0). */
export function treeDepth(tree: ShapTreeView, root: number): number {
  if (tree.feature[root] < 0) return 0;
  return 1 + Math.max(treeDepth(tree, tree.left[root]), treeDepth(tree, tree.right[root]));
}

/**
 * Adds one tree's SHAP values for one row to `phi` (indexed by feature; the bias is not touched).
 * `goesLeft[node]` says which branch the row follows at each internal node of this tree.
 */
export function addTreeShap(
  tree: ShapTreeView,
  root: number,
  goesLeft: Uint8Array,
  phi: Float64Array,
  scratch: ShapScratch,
): void {
  recurse(tree, root, goesLeft, phi, scratch, 0, 0, 1, 1, -1);
}

/** Share of a node's training weight that went to one child. */
function childFraction(tree: ShapTreeView, node: number, child: number): number {
  const total = tree.cover[node];
  // A split no training weight reached has no evidence either way: weigh the branches equally.
  return total > 0 ? tree.cover[child] / total : 0.5;
}

function recurse(
  tree: ShapTreeView,
  node: number,
  goesLeft: Uint8Array,
  phi: Float64Array,
  s: ShapScratch,
  parentStart: number,
  uniqueDepth: number,
  parentZero: number,
  parentOne: number,
  parentFeature: number,
): void {
  // This level's path starts right after the parent's (which holds uniqueDepth + 1 elements).
  const start = parentStart + uniqueDepth + 1;
  const pf = s.pathFeature;
  const pz = s.pathZero;
  const po = s.pathOne;
  const pw = s.pathWeight;
  for (let i = 0; i < uniqueDepth; i++) {
    pf[start + i] = pf[parentStart + i];
    pz[start + i] = pz[parentStart + i];
    po[start + i] = po[parentStart + i];
    pw[start + i] = pw[parentStart + i];
  }
  extendPath(s, start, uniqueDepth, parentZero, parentOne, parentFeature);

  const feature = tree.feature[node];
  if (feature < 0) {
    const leafValue = tree.value[node];
    for (let i = 1; i <= uniqueDepth; i++) {
      const w = unwoundPathSum(s, start, uniqueDepth, i);
      phi[pf[start + i]] += w * (po[start + i] - pz[start + i]) * leafValue;
    }
    return;
  }

  const hot = goesLeft[node] ? tree.left[node] : tree.right[node];
  const cold = goesLeft[node] ? tree.right[node] : tree.left[node];
  const hotZero = childFraction(tree, node, hot);
  const coldZero = childFraction(tree, node, cold);

  let incomingZero = 1;
  let incomingOne = 1;
  let depth = uniqueDepth;
  // A feature already split on higher up is taken out of the path and re-added with this split's fractions.
  let k = 0;
  while (k <= depth && pf[start + k] !== feature) k++;
  if (k <= depth) {
    incomingZero = pz[start + k];
    incomingOne = po[start + k];
    unwindPath(s, start, depth, k);
    depth -= 1;
  }
  recurse(tree, hot, goesLeft, phi, s, start, depth + 1, hotZero * incomingZero, incomingOne, feature);
  recurse(tree, cold, goesLeft, phi, s, start, depth + 1, coldZero * incomingZero, 0, feature);
}

// The path weights below follow the reference recurrences; divisions by small integers are
// replaced by multiplications with s.reciprocal[k] = 1 / k, since divisions dominate the cost.

function extendPath(s: ShapScratch, start: number, depth: number, zero: number, one: number, feature: number): void {
  const pw = s.pathWeight;
  const rec = s.reciprocal;
  s.pathFeature[start + depth] = feature;
  s.pathZero[start + depth] = zero;
  s.pathOne[start + depth] = one;
  pw[start + depth] = depth === 0 ? 1 : 0;
  const invD1 = rec[depth + 1];
  for (let i = depth - 1; i >= 0; i--) {
    const w = pw[start + i];
    pw[start + i + 1] += one * w * (i + 1) * invD1;
    pw[start + i] = zero * w * (depth - i) * invD1;
  }
}

function unwindPath(s: ShapScratch, start: number, depth: number, index: number): void {
  const pw = s.pathWeight;
  const rec = s.reciprocal;
  const one = s.pathOne[start + index];
  const zero = s.pathZero[start + index];
  const d1 = depth + 1;
  const invD1 = rec[d1];
  let nextOnePortion = pw[start + depth];
  if (one !== 0) {
    const invOne = 1 / one;
    for (let i = depth - 1; i >= 0; i--) {
      const tmp = pw[start + i];
      const w = nextOnePortion * d1 * rec[i + 1] * invOne;
      pw[start + i] = w;
      nextOnePortion = tmp - w * zero * (depth - i) * invD1;
    }
  } else {
    const invZero = 1 / zero;
    for (let i = depth - 1; i >= 0; i--) pw[start + i] = pw[start + i] * d1 * invZero * rec[depth - i];
  }
  for (let i = index; i < depth; i++) {
    s.pathFeature[start + i] = s.pathFeature[start + i + 1];
    s.pathZero[start + i] = s.pathZero[start + i + 1];
    s.pathOne[start + i] = s.pathOne[start + i + 1];
  }
}

// Same recurrence as unwindPath, summed instead of written back: the leaf loop calls it once per path feature.
function unwoundPathSum(s: ShapScratch, start: number, depth: number, index: number): number {
  const pw = s.pathWeight;
  const rec = s.reciprocal;
  const one = s.pathOne[start + index];
  const zero = s.pathZero[start + index];
  const d1 = depth + 1;
  const invD1 = rec[d1];
  let total = 0;
  if (one !== 0) {
    const invOne = 1 / one;
    let nextOnePortion = pw[start + depth];
    for (let i = depth - 1; i >= 0; i--) {
      const tmp = nextOnePortion * d1 * rec[i + 1] * invOne;
      total += tmp;
      nextOnePortion = pw[start + i] - tmp * zero * (depth - i) * invD1;
    }
  } else {
    const invZero = 1 / zero;
    for (let i = depth - 1; i >= 0; i--) total += pw[start + i] * invZero * d1 * rec[depth - i];
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// Precomputed variant (the idea of Fast TreeSHAP v2): for one leaf with unique path features
// U (k of them, zero fractions z), a row only matters through O ⊆ U, the features whose splits on
// the path it satisfies. The leaf adds to feature j
//   v · (o_j − z_j) · Σ_{S ⊆ O∖{j}} |S|!(k−|S|−1)!/k! · Π_{i ∈ U∖S∖{j}} z_i  =  v · (o_j − z_j) · G(O∖{j}) / z_j
// with G(A) = Σ_{S ⊆ A} |S|!(k−|S|−1)!/k! · Π_{i ∈ U∖S} z_i, tabulated once per leaf (2^k values).
// Explaining a row then costs O(k) per leaf instead of O(k²), with no path bookkeeping.

/** Leaves with more unique path features than this would need too large a table; such trees use the recursion. */
export const MAX_TABULATED_FEATURES = 8;

export interface ShapTables {
  /** Tree t's tabulated leaves are numbered treeLeafStart[t] to treeLeafStart[t + 1] − 1. */
  treeLeafStart: Int32Array;
  /** Per tabulated leaf: its splits are path entries [pathStart[l], pathStart[l + 1]). */
  pathStart: Int32Array;
  /** Per path entry: the split node, whether the path goes left there, and the bit of its feature. */
  pathNode: Int32Array;
  pathLeft: Uint8Array;
  pathBit: Int32Array;
  /** Per tabulated leaf: its k unique features are entries [featureStart[l], featureStart[l] + k). */
  featureStart: Int32Array;
  featureCount: Int32Array;
  leafFeature: Int32Array;
  leafZero: Float64Array;
  /** Per leaf feature: leaf value / zero fraction, so the per-row update needs no division. */
  leafValueOverZero: Float64Array;
  /** Per tabulated leaf: offset of its 2^k table of G in `g`. */
  tableStart: Int32Array;
  g: Float64Array;
}

/**
 * Tabulates every tree whose paths have at most MAX_TABULATED_FEATURES unique features (and no
 * zero-weight branch); `tabulated[t]` says which trees the tables cover. `roots[t]` is tree t's root.
 */
export function tabulateShap(tree: ShapTreeView, roots: ArrayLike<number>): { tables: ShapTables; tabulated: Uint8Array } {
  const tabulated = new Uint8Array(roots.length);
  const treeLeafStart: number[] = [];
  let leafCount = 0;
  const pathStart: number[] = [];
  const pathNode: number[] = [];
  const pathLeft: number[] = [];
  const pathBit: number[] = [];
  const featureStart: number[] = [];
  const featureCount: number[] = [];
  const leafFeature: number[] = [];
  const leafZero: number[] = [];
  const leafValueOverZero: number[] = [];
  const tableStart: number[] = [];
  let g = new Float64Array(1024);
  let gLength = 0;

  const weights: Float64Array[] = [];
  const shapleyWeights = (k: number): Float64Array => {
    // weights[k][s] = s!(k−s−1)!/k! for s < k (exact: k ≤ MAX_TABULATED_FEATURES).
    if (!weights[k]) weights[k] = Float64Array.from({ length: k }, (_, s) => (factorial(s) * factorial(k - s - 1)) / factorial(k));
    return weights[k];
  };

  // The current root-to-node path: unique features with their zero fractions, and the splits taken.
  const features: number[] = [];
  const zeros: number[] = [];
  const steps: PathStep[] = [];
  const treeLeaves: LeafPath[] = [];
  let usable = true;
  const collect = (node: number): void => {
    if (!usable) return;
    const f = tree.feature[node];
    if (f < 0) {
      if (features.length > MAX_TABULATED_FEATURES || zeros.some((z) => !(z > 0))) usable = false;
      else treeLeaves.push({ value: tree.value[node], features: [...features], zeros: [...zeros], steps: [...steps] });
      return;
    }
    let p = features.indexOf(f);
    const first = p < 0;
    if (first) {
      p = features.length;
      features.push(f);
      zeros.push(1);
    }
    const before = zeros[p];
    for (const [child, left] of [[tree.left[node], 1], [tree.right[node], 0]]) {
      zeros[p] = before * childFraction(tree, node, child);
      steps.push({ node, left, position: p });
      collect(child);
      steps.pop();
    }
    zeros[p] = before;
    if (first) {
      features.pop();
      zeros.pop();
    }
  };

  for (let t = 0; t < roots.length; t++) {
    treeLeafStart.push(leafCount);
    usable = true;
    treeLeaves.length = 0;
    collect(roots[t]);
    if (!usable) continue;
    tabulated[t] = 1;
    for (const path of treeLeaves) {
      const k = path.features.length;
      leafCount++;
      pathStart.push(pathNode.length);
      for (const step of path.steps) {
        pathNode.push(step.node);
        pathLeft.push(step.left);
        pathBit.push(1 << step.position);
      }
      featureStart.push(leafFeature.length);
      featureCount.push(k);
      for (let i = 0; i < k; i++) {
        leafFeature.push(path.features[i]);
        leafZero.push(path.zeros[i]);
        leafValueOverZero.push(path.value / path.zeros[i]);
      }
      const size = 1 << k;
      while (gLength + size > g.length) {
        const bigger = new Float64Array(g.length * 2);
        bigger.set(g.subarray(0, gLength));
        g = bigger;
      }
      tableStart.push(gLength);
      const w = shapleyWeights(Math.max(1, k));
      for (let set = 0; set < size; set++) {
        const s = popCount(set);
        if (s === k) {
          g[gLength + set] = 0;
          continue;
        }
        let product = w[s];
        for (let i = 0; i < k; i++) if (!(set & (1 << i))) product *= path.zeros[i];
        g[gLength + set] = product;
      }
      // Sum over subsets (zeta transform): G(A) = Σ_{S ⊆ A} g(S).
      for (let i = 0; i < k; i++) {
        const bit = 1 << i;
        for (let set = 0; set < size; set++) if (set & bit) g[gLength + set] += g[gLength + (set ^ bit)];
      }
      gLength += size;
    }
  }
  treeLeafStart.push(leafCount);
  pathStart.push(pathNode.length);
  return {
    tables: {
      treeLeafStart: Int32Array.from(treeLeafStart),
      pathStart: Int32Array.from(pathStart),
      pathNode: Int32Array.from(pathNode),
      pathLeft: Uint8Array.from(pathLeft),
      pathBit: Int32Array.from(pathBit),
      featureStart: Int32Array.from(featureStart),
      featureCount: Int32Array.from(featureCount),
      leafFeature: Int32Array.from(leafFeature),
      leafZero: Float64Array.from(leafZero),
      leafValueOverZero: Float64Array.from(leafValueOverZero),
      tableStart: Int32Array.from(tableStart),
      g: g.slice(0, gLength),
    },
    tabulated,
  };
}

/** Adds tabulated tree t's SHAP values for one row to `phi` (same contract as addTreeShap). */
export function addTabulatedTreeShap(t: number, goesLeft: Uint8Array, phi: Float64Array, tables: ShapTables): void {
  const { pathStart, pathNode, pathLeft, pathBit, featureStart, featureCount, leafFeature, leafZero, leafValueOverZero, tableStart, g } = tables;
  const end = tables.treeLeafStart[t + 1];
  for (let l = tables.treeLeafStart[t]; l < end; l++) {
    const k = featureCount[l];
    // Features whose splits on this path the row follows: start with all, drop those it leaves.
    let agreed = (1 << k) - 1;
    const stop = pathStart[l + 1];
    // Branch-free: whether the row left the path is data dependent.
    for (let e = pathStart[l]; e < stop; e++) agreed &= ~(pathBit[e] & -(goesLeft[pathNode[e]] ^ pathLeft[e]));
    const start = featureStart[l];
    const table = tableStart[l];
    for (let j = 0; j < k; j++) {
      const o = (agreed >>> j) & 1;
      // v · (o − z) / z · G(O∖{j})
      const scaled = leafValueOverZero[start + j] * (o - leafZero[start + j]);
      phi[leafFeature[start + j]] += scaled * g[table + (agreed & ~(1 << j))];
    }
  }
}
interface PathStep {
  node: number;
  /** 1 when the path goes to the left child here. */
  left: number;
  /** Position of the split feature among the path's unique features. */
  position: number;
}

interface LeafPath {
  value: number;
  features: number[];
  zeros: number[];
  steps: PathStep[];
}

function popCount(x: number): number {
  let n = 0;
  for (let v = x; v; v &= v - 1) n++;
  return n;
}

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}
