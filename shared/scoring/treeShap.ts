// Exact SHAP values for tree ensembles: Lundberg, Erion & Lee's polynomial-time TreeSHAP
// ("path-dependent" variant), where the effect of an absent feature is the cover-weighted
// average over both branches of each split on it.

/** The parts of a tree TreeSHAP needs; node ids index every array. */
export interface ShapTreeView {
  /** Split feature, -1 for a leaf. */
  feature: Int32Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf value (internal nodes are ignored). */
  value: Float64Array;
  /** Training weight reaching the node (hessian sum or row count); a parent's cover is its children's sum. */
  cover: Float64Array;
}

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
