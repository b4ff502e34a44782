// Best-first growth of one tree on binned data, shared by gradient boosting and the decision tree:
// each node's histogram (histogram.ts) gives its best split (split.ts); the leaf whose split gains
// most is split next, its rows partitioned in place, until the depth or leaf limit.

import { BIN_SET_WORDS, MISSING_BIN, type BinnedDataset } from "./binning.js";
import { HISTOGRAM_STRIDE, HistogramLayout } from "./histogram.js";
import { SplitSearch, type SplitParams } from "./split.js";

export interface GrowParams extends SplitParams {
  maxDepth: number;
  maxLeaves: number;
  /** Build only the smaller child's histogram and derive the larger one as parent − smaller. */
  histogramSubtraction: boolean;
}

/** One grown tree in bin space; node 0 is the root, children are created in pairs. */
export interface GrownTree {
  nodeCount: number;
  /** Split feature, -1 for leaves. */
  feature: Int32Array;
  /** Numeric splits: codes 1..thresholdBin go left. */
  thresholdBin: Int32Array;
  /** Categorical splits: bin codes going left, BIN_SET_WORDS words per node. */
  binSet: Uint32Array;
  defaultLeft: Uint8Array;
  /** Whether rows with a missing value reached this split during training. */
  missingSeen: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  gradSum: Float64Array;
  hessSum: Float64Array;
  rowCount: Float64Array;
  gain: Float64Array;
  /** Every node: its rows are rows[begin, end) of the row buffer passed to grow(). */
  begin: Int32Array;
  end: Int32Array;
}

export class TreeGrower {
  private readonly binned: BinnedDataset;
  private readonly params: GrowParams;
  private readonly maxLeaves: number;
  private readonly maxNodes: number;
  private readonly histograms: HistogramLayout;
  private readonly splits: SplitSearch;
  private readonly histPool: Float64Array[] = [];
  private readonly nodeHist: (Float64Array | null)[];
  private readonly scratchRows: Uint32Array;
  private readonly tree: GrownTree;
  private readonly depth: Int32Array;
  // Work space for partitioning: which bin codes go left at the split being applied.
  private readonly routeLeft = new Uint8Array(256);

  constructor(binned: BinnedDataset, params: GrowParams) {
    this.binned = binned;
    this.params = params;
    const depthLeaves = params.maxDepth > 0 ? 2 ** Math.min(params.maxDepth, 20) : Infinity;
    const leaves = params.maxLeaves > 0 ? Math.min(params.maxLeaves, depthLeaves) : depthLeaves;
    if (!Number.isFinite(leaves)) throw new Error("tree growth needs maxDepth or maxLeaves");
    this.maxLeaves = Math.max(1, Math.min(leaves, Math.max(1, binned.rows)));
    this.maxNodes = 2 * this.maxLeaves - 1;
    this.histograms = new HistogramLayout(binned);
    this.nodeHist = new Array<Float64Array | null>(this.maxNodes).fill(null);
    this.scratchRows = new Uint32Array(binned.rows);
    const n = this.maxNodes;
    this.tree = {
      nodeCount: 0,
      feature: new Int32Array(n),
      thresholdBin: new Int32Array(n),
      binSet: new Uint32Array(n * BIN_SET_WORDS),
      defaultLeft: new Uint8Array(n),
      missingSeen: new Uint8Array(n),
      left: new Int32Array(n),
      right: new Int32Array(n),
      gradSum: new Float64Array(n),
      hessSum: new Float64Array(n),
      rowCount: new Float64Array(n),
      gain: new Float64Array(n),
      begin: new Int32Array(n),
      end: new Int32Array(n),
    };
    this.splits = new SplitSearch(this.histograms, params, n);
    this.depth = new Int32Array(n);
  }

  /**
   * Grows one tree on rows[0, rowCount) (reordered in place so each leaf's rows are contiguous),
   * considering only `features`. The returned tree is overwritten by the next call.
   */
  grow(gradHess: Float32Array, rows: Uint32Array, rowCount: number, features: Int32Array): GrownTree {
    const t = this.tree;
    t.nodeCount = 1;
    let g = 0;
    let h = 0;
    for (let i = 0; i < rowCount; i++) {
      const r = rows[i];
      g += gradHess[2 * r];
      h += gradHess[2 * r + 1];
    }
    this.initNode(0, 0, g, h, 0, rowCount);
    const rootHist = this.takeHist();
    this.histograms.build(rootHist, gradHess, rows, 0, rowCount);
    this.nodeHist[0] = rootHist;
    this.findBestSplit(0, features);

    let leaves = 1;
    while (leaves < this.maxLeaves) {
      // Best-first: split the leaf whose best split gains most (ties: the earliest node).
      let node = -1;
      let gain = -Infinity;
      for (let i = 0; i < t.nodeCount; i++) {
        if (t.feature[i] === -1 && this.splits.bestFeature[i] >= 0 && this.splits.bestGain[i] > gain) {
          gain = this.splits.bestGain[i];
          node = i;
        }
      }
      if (node < 0) break;
      this.split(node, gradHess, rows, features);
      leaves++;
    }
    for (let i = 0; i < t.nodeCount; i++) this.releaseHist(i);
    return t;
  }

  private initNode(node: number, depth: number, g: number, h: number, begin: number, end: number): void {
    const t = this.tree;
    t.feature[node] = -1;
    t.thresholdBin[node] = 0;
    t.binSet.fill(0, node * BIN_SET_WORDS, (node + 1) * BIN_SET_WORDS);
    t.defaultLeft[node] = 0;
    t.missingSeen[node] = 0;
    t.left[node] = -1;
    t.right[node] = -1;
    t.gradSum[node] = g;
    t.hessSum[node] = h;
    t.rowCount[node] = end - begin;
    t.gain[node] = 0;
    t.begin[node] = begin;
    t.end[node] = end;
    this.depth[node] = depth;
    this.splits.bestFeature[node] = -1;
    this.splits.bestGain[node] = 0;
  }

  private takeHist(): Float64Array {
    return this.histPool.pop() ?? new Float64Array(this.histograms.size);
  }

  private releaseHist(node: number): void {
    const hist = this.nodeHist[node];
    if (hist) {
      this.histPool.push(hist);
      this.nodeHist[node] = null;
    }
  }

  private split(node: number, gradHess: Float32Array, rows: Uint32Array, features: Int32Array): void {
    const t = this.tree;
    const f = this.splits.bestFeature[node];
    const route = this.routeLeft;
    // Which bin codes go left, for numeric and categorical splits alike.
    if (this.histograms.isCategorical[f]) {
      const base = node * BIN_SET_WORDS;
      for (let b = 0; b < 256; b++) route[b] = (this.splits.bestBinSet[base + (b >>> 5)] >>> (b & 31)) & 1;
    } else {
      const threshold = this.splits.bestThresholdBin[node];
      for (let b = 0; b < 256; b++) route[b] = b <= threshold ? 1 : 0;
    }
    route[MISSING_BIN] = this.splits.bestDefaultLeft[node];

    const begin = t.begin[node];
    const end = t.end[node];
    const nl = partitionRows(rows, this.scratchRows, this.binned.codes[f], route, begin, end);

    const hist = this.nodeHist[node]!;
    t.feature[node] = f;
    t.thresholdBin[node] = this.histograms.isCategorical[f] ? 0 : this.splits.bestThresholdBin[node];
    t.binSet.set(this.splits.bestBinSet.subarray(node * BIN_SET_WORDS, (node + 1) * BIN_SET_WORDS), node * BIN_SET_WORDS);
    t.defaultLeft[node] = this.splits.bestDefaultLeft[node];
    t.missingSeen[node] = hist[this.histograms.featureSlot[f] * HISTOGRAM_STRIDE + 1] > 0 ? 1 : 0;
    t.gain[node] = this.splits.bestGain[node];

    const leftNode = t.nodeCount;
    const rightNode = t.nodeCount + 1;
    t.nodeCount += 2;
    t.left[node] = leftNode;
    t.right[node] = rightNode;
    const gl = this.splits.bestLeftGrad[node];
    const hl = this.splits.bestLeftHess[node];
    const depth = this.depth[node] + 1;
    this.initNode(leftNode, depth, gl, hl, begin, nl);
    this.initNode(rightNode, depth, t.gradSum[node] - gl, t.hessSum[node] - hl, nl, end);

    if (this.params.maxDepth > 0 && depth >= this.params.maxDepth) {
      this.releaseHist(node);
      return;
    }
    if (this.params.histogramSubtraction) {
      const leftSmaller = nl - begin <= end - nl;
      const small = leftSmaller ? leftNode : rightNode;
      const large = leftSmaller ? rightNode : leftNode;
      const smallHist = this.takeHist();
      this.histograms.build(smallHist, gradHess, rows, t.begin[small], t.end[small]);
      // The parent's histogram becomes the larger child's: parent − smaller.
      for (let k = 0; k < hist.length; k++) hist[k] -= smallHist[k];
      this.nodeHist[node] = null;
      this.nodeHist[small] = smallHist;
      this.nodeHist[large] = hist;
    } else {
      this.releaseHist(node);
      for (const child of [leftNode, rightNode]) {
        const childHist = this.takeHist();
        this.histograms.build(childHist, gradHess, rows, t.begin[child], t.end[child]);
        this.nodeHist[child] = childHist;
      }
    }
    this.findBestSplit(leftNode, features);
    this.findBestSplit(rightNode, features);
  }

  private findBestSplit(node: number, features: Int32Array): void {
    const t = this.tree;
    const hist = this.nodeHist[node]!;
    const G = t.gradSum[node];
    const H = t.hessSum[node];
    this.splits.reset(node);
    if (t.rowCount[node] < 2 || H < 2 * this.params.minChildWeight) {
      this.releaseHist(node);
      return;
    }
    this.histograms.recoverFrequentBins(hist, G, H, features);
    this.splits.search(node, hist, G, H, features);
    if (this.splits.bestFeature[node] < 0) this.releaseHist(node);
  }
}

/**
 * Reorders rows[begin, end) so rows whose bin code routes left come first; returns the boundary.
 * Stable and branch-free: rows stay ascending within each child (cache-friendly gathers later),
 * and the data-dependent direction would mispredict half the time as a branch.
 */
function partitionRows(rows: Uint32Array, scratch: Uint32Array, codes: Uint8Array, route: Uint8Array, begin: number, end: number): number {
  let nl = begin;
  let nr = 0;
  let i = begin;
  // Two rows per pass so their loads overlap; the loop after it repeats the body for an odd last row.
  for (; i + 1 < end; i += 2) {
    const r0 = rows[i];
    const r1 = rows[i + 1];
    const left0 = route[codes[r0]];
    const left1 = route[codes[r1]];
    rows[nl] = r0;
    scratch[nr] = r0;
    nl += left0;
    nr += 1 - left0;
    rows[nl] = r1;
    scratch[nr] = r1;
    nl += left1;
    nr += 1 - left1;
  }
  for (; i < end; i++) {
    const r = rows[i];
    const goLeft = route[codes[r]];
    rows[nl] = r;
    scratch[nr] = r;
    nl += goLeft;
    nr += 1 - goLeft;
  }
  rows.set(scratch.subarray(0, nr), nl);
  return nl;
}

/** Leaf of a grown tree for one binned training row. */
export function grownLeafOf(tree: GrownTree, codes: Uint8Array[], row: number): number {
  let n = 0;
  while (tree.feature[n] >= 0) {
    const f = tree.feature[n];
    const code = codes[f][row];
    let left: boolean;
    if (code === MISSING_BIN) left = tree.defaultLeft[n] === 1;
    else if (tree.thresholdBin[n] > 0) left = code <= tree.thresholdBin[n];
    else left = ((tree.binSet[n * BIN_SET_WORDS + (code >>> 5)] >>> (code & 31)) & 1) === 1;
    n = left ? tree.left[n] : tree.right[n];
  }
  return n;
}
