// Turns grown trees (bin space) into the tree ensemble (raw values): bin thresholds become the
// bins' upper edges, bin sets become category bitsets. Node arrays grow while a model trains.

import type { FeatureInfo } from "../dataset.js";
import { BIN_SET_WORDS, MISSING_BIN, type BinnedDataset } from "./binning.js";
import { TreeEnsemble } from "./ensemble.js";
import type { GrownTree } from "./grow.js";

/** Growable node arrays while a model is being trained. */
export class EnsembleBuilder {
  /** Per feature: category codes the model knows (0 for numeric); higher codes are routed as missing. */
  readonly categoryCount: Int32Array;
  readonly treeStart: number[] = [];
  readonly feature: number[] = [];
  readonly threshold: number[] = [];
  readonly left: number[] = [];
  readonly right: number[] = [];
  readonly defaultLeft: number[] = [];
  readonly missingSeen: number[] = [];
  readonly categoryStart: number[] = [];
  readonly categoryWords: number[] = [];
  readonly categoryBits: number[] = [];
  readonly value: number[] = [];
  readonly cover: number[] = [];
  readonly gain: number[] = [];
  private readonly binned: BinnedDataset;

  constructor(binned: BinnedDataset) {
    this.binned = binned;
    this.categoryCount = Int32Array.from(binned.binnings, (b) => (b.kind === "categorical" ? b.binOfCategory.length : 0));
  }

  get treeCount(): number {
    return this.treeStart.length;
  }

  /**
   * Appends a grown tree, translating bin thresholds to raw upper edges and bin sets to category
   * bitsets. `leafValue[node]` gives each leaf's margin; `cover[node]` the node's training weight.
   */
  addTree(tree: GrownTree, leafValue: Float64Array, cover: Float64Array): void {
    const offset = this.feature.length;
    this.treeStart.push(offset);
    for (let n = 0; n < tree.nodeCount; n++) {
      const f = tree.feature[n];
      this.feature.push(f);
      this.value.push(f < 0 ? leafValue[n] : 0);
      this.cover.push(cover[n]);
      this.gain.push(f < 0 ? 0 : tree.gain[n]);
      this.left.push(f < 0 ? -1 : tree.left[n] + offset);
      this.right.push(f < 0 ? -1 : tree.right[n] + offset);
      this.defaultLeft.push(f < 0 ? 0 : tree.defaultLeft[n]);
      this.missingSeen.push(f < 0 ? 0 : tree.missingSeen[n]);
      if (f < 0) {
        this.threshold.push(0);
        this.categoryStart.push(-1);
        this.categoryWords.push(0);
        continue;
      }
      const binning = this.binned.binnings[f];
      if (binning.kind === "numeric") {
        this.threshold.push(binning.upperEdges[tree.thresholdBin[n] - 1]);
        this.categoryStart.push(-1);
        this.categoryWords.push(0);
        continue;
      }
      const categories = binning.binOfCategory.length;
      const words = Math.max(1, Math.ceil(categories / 32));
      const bits = new Uint32Array(words);
      for (let b = 1; b <= binning.binCount; b++) {
        if ((tree.binSet[n * BIN_SET_WORDS + (b >>> 5)] >>> (b & 31)) & 1) {
          for (const c of binning.categoriesOfBin[b]) bits[c >>> 5] |= 1 << (c & 31);
        }
      }
      // Categories never seen in training were binned as missing, so they follow the missing direction.
      if (tree.defaultLeft[n]) {
        for (let c = 0; c < categories; c++) {
          if (binning.binOfCategory[c] === MISSING_BIN) bits[c >>> 5] |= 1 << (c & 31);
        }
      }
      this.threshold.push(0);
      this.categoryStart.push(this.categoryBits.length);
      this.categoryWords.push(words);
      for (let w = 0; w < words; w++) this.categoryBits.push(bits[w]);
    }
  }

  /** Drops trees beyond the first `trees` (early stopping keeps the best iteration). */
  truncate(trees: number): void {
    if (trees >= this.treeStart.length) return;
    const nodes = this.treeStart[trees];
    const bitsEnd = this.categoryStartFrom(nodes);
    for (const a of [this.feature, this.threshold, this.left, this.right, this.defaultLeft, this.missingSeen, this.categoryStart, this.categoryWords, this.value, this.cover, this.gain]) {
      a.length = nodes;
    }
    this.categoryBits.length = bitsEnd;
    this.treeStart.length = trees;
  }

  private categoryStartFrom(node: number): number {
    for (let n = node; n < this.categoryStart.length; n++) if (this.categoryStart[n] >= 0) return this.categoryStart[n];
    return this.categoryBits.length;
  }

  build(features: FeatureInfo[], bias: number): TreeEnsemble {
    return new TreeEnsemble(features, bias, {
      categoryCount: Int32Array.from(this.categoryCount),
      treeStart: Int32Array.from(this.treeStart),
      feature: Int32Array.from(this.feature),
      threshold: Float64Array.from(this.threshold),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      defaultLeft: Uint8Array.from(this.defaultLeft),
      missingSeen: Uint8Array.from(this.missingSeen),
      categoryStart: Int32Array.from(this.categoryStart),
      categoryWords: Int32Array.from(this.categoryWords),
      categoryBits: Uint32Array.from(this.categoryBits),
      value: Float64Array.from(this.value),
      cover: Float64Array.from(this.cover),
      gain: Float64Array.from(this.gain),
    });
  }
}

/**
 * Whether a raw value goes left at a node of the builder's arrays: the routing of TreeEnsemble.goesLeft,
 * repeated on purpose so boosting can score each new tree on validation rows before the ensemble exists.
 */
export function rawGoesLeft(builder: EnsembleBuilder, node: number, value: number): boolean {
  if (value !== value) return builder.defaultLeft[node] === 1;
  const start = builder.categoryStart[node];
  if (start < 0) return value <= builder.threshold[node];
  const c = value | 0;
  if (c !== value || c < 0 || c >= builder.categoryCount[builder.feature[node]]) return builder.defaultLeft[node] === 1;
  return ((builder.categoryBits[start + (c >>> 5)] >>> (c & 31)) & 1) === 1;
}
