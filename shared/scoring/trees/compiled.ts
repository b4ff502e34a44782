// Compiled scoring of the tree ensemble: its node arrays rearranged so scoring a batch of rows is a
// tight loop. Shallow models use complete trees (branch-free, four rows at a time, category bitsets
// per slot); deeper ones a pre-order pointer layout. Both score exactly as walking the stored trees.

import type { Dataset, FeatureInfo } from "../dataset.js";
import type { TreeEnsembleArrays } from "./ensemble.js";

/** Scores a batch of rows: bias + Σ each tree's leaf value. */
export type CompiledScorer = (data: Dataset, bias: number) => Float64Array;

/** Compiles for the complete-tree layout when the model fits it (depth ≤ 8), else for the pointer layout. */
export function compileScorer(a: TreeEnsembleArrays, features: FeatureInfo[], maxDepth: number): CompiledScorer {
  const complete = compileCompleteTrees(a, features, maxDepth);
  if (complete) return (data, bias) => scoreComplete(complete, data, bias);
  const compiled = compileTrees(a);
  return (data, bias) => scoreCompiled(compiled, data, bias);
}

/**
 * Trees renumbered in pre-order (a node's left child is the next node) with each node's routing
 * packed into one integer, so the scoring loop reads three small arrays per step.
 */
interface CompiledTrees {
  roots: Int32Array;
  /** -1 for a leaf; otherwise feature << 2 | categorical << 1 | defaultLeft. */
  code: Int32Array;
  right: Int32Array;
  /** Numeric split: threshold; leaf: leaf value; categorical split: unused. */
  threshold: Float64Array;
  categoryStart: Int32Array;
  categoryCount: Int32Array;
  categoryBits: Uint32Array;
  features: number;
}

function compileTrees(a: TreeEnsembleArrays): CompiledTrees {
  const nodes = a.feature.length;
  const code = new Int32Array(nodes);
  const right = new Int32Array(nodes);
  const threshold = new Float64Array(nodes);
  const categoryStart = new Int32Array(nodes);
  const roots = new Int32Array(a.treeStart.length);
  let next = 0;
  const stack: number[] = [];
  for (let t = 0; t < a.treeStart.length; t++) {
    roots[t] = next;
    // Explicit stack of (old node, slot of the parent's `right` to patch) pairs.
    stack.push(a.treeStart[t], -1);
    while (stack.length > 0) {
      const patch = stack.pop()!;
      const old = stack.pop()!;
      const n = next++;
      if (patch >= 0) right[patch] = n;
      const f = a.feature[old];
      if (f < 0) {
        code[n] = -1;
        threshold[n] = a.value[old];
        continue;
      }
      const categorical = a.categoryStart[old] >= 0;
      code[n] = (f << 2) | (categorical ? 2 : 0) | (a.defaultLeft[old] ? 1 : 0);
      threshold[n] = categorical ? 0 : a.threshold[old];
      categoryStart[n] = a.categoryStart[old];
      // Right subtree is visited after the whole left subtree; its index is patched in when reached.
      stack.push(a.right[old], n, a.left[old], -1);
    }
  }
  return {
    roots,
    code,
    right,
    threshold,
    categoryStart,
    categoryCount: a.categoryCount,
    categoryBits: a.categoryBits,
    features: a.categoryCount.length,
  };
}

/** Rows transposed per block so one row's features sit together while every tree scores the block. */
const SCORE_BLOCK = 256;

function scoreCompiled(c: CompiledTrees, data: Dataset, bias: number): Float64Array {
  const rows = data.rows;
  const F = c.features;
  const out = new Float64Array(rows).fill(bias);
  const x = new Float64Array(SCORE_BLOCK * F);
  const { roots, code, right, threshold, categoryStart, categoryCount, categoryBits } = c;
  for (let b0 = 0; b0 < rows; b0 += SCORE_BLOCK) {
    const nb = Math.min(SCORE_BLOCK, rows - b0);
    for (let f = 0; f < F; f++) {
      const column = data.columns[f];
      for (let i = 0, k = f; i < nb; i++, k += F) x[k] = column[b0 + i];
    }
    for (let t = 0; t < roots.length; t++) {
      const root = roots[t];
      for (let i = 0, base = 0; i < nb; i++, base += F) {
        let n = root;
        let k = code[n];
        while (k >= 0) {
          const v = x[base + (k >> 2)];
          if ((k & 2) === 0) {
            // Numeric: NaN fails the comparison, so it goes left only when that is its default.
            n = v <= threshold[n] || (v !== v && (k & 1) === 1) ? n + 1 : right[n];
          } else {
            // TreeEnsemble.goesLeft for categories, inlined on the compiled arrays.
            const cat = v | 0;
            let left: boolean;
            if (cat !== v || cat < 0 || cat >= categoryCount[k >> 2]) left = (k & 1) === 1;
            else left = ((categoryBits[categoryStart[n] + (cat >>> 5)] >>> (cat & 31)) & 1) === 1;
            n = left ? n + 1 : right[n];
          }
          k = code[n];
        }
        out[b0 + i] += threshold[n];
      }
    }
  }
  return out;
}

/**
 * Fast layout for shallow trees: each tree padded to a complete binary tree of depth D (a leaf
 * above depth D becomes a chain of always-left nodes), so every row takes exactly D steps with
 * arithmetic on the child index instead of branches, and four rows advance together to hide
 * memory latency. Categorical splits test one bit of a per-slot 32-bit mask when every categorical
 * feature split on has at most 31 known categories (code 31 then stands for missing and unknown);
 * otherwise ("wide") a per-slot bitset of any length, one load slower.
 */
interface CompleteTrees {
  depth: number;
  trees: number;
  features: number;
  /** Per internal slot: feature << 2 | categorical << 1 | defaultLeft. */
  code: Int32Array;
  /** Per internal slot: numeric threshold (+Infinity for padding). */
  threshold: Float64Array;
  /** Per internal slot: bit c set when category c goes left; bit 31 = missing goes left (not wide). */
  mask: Int32Array;
  wide: boolean;
  /**
   * Wide layout, per internal slot: first word of its bitset in `bits` (bit c = category c goes
   * left, bit K = missing goes left, K = the feature's known categories). Numeric and padding slots
   * point at word 0, which is always zero.
   */
  maskStart: Int32Array;
  bits: Int32Array;
  /** Per feature read by categorical splits: the code standing for missing and unknown values. */
  sentinel: Int32Array;
  /** 2^depth leaf values per tree. */
  leaf: Float64Array;
  /** Per feature: known categories when categorical splits read it, else -1 (values copied as they are). */
  categoryCount: Int32Array;
}

/** Deeper models would need 2^depth slots per tree; they use the pointer layout instead. */
const COMPLETE_TREE_MAX_DEPTH = 8;
const CATEGORY_SENTINEL = 31;

function compileCompleteTrees(a: TreeEnsembleArrays, features: FeatureInfo[], depth: number): CompleteTrees | null {
  if (depth > COMPLETE_TREE_MAX_DEPTH) return null;
  // Only features some categorical split reads need the sentinel mapping (and the category limit).
  const categoryCount = new Int32Array(features.length).fill(-1);
  for (let n = 0; n < a.feature.length; n++) {
    if (a.feature[n] >= 0 && a.categoryStart[n] >= 0) categoryCount[a.feature[n]] = a.categoryCount[a.feature[n]];
  }
  const wide = categoryCount.some((c) => c >= CATEGORY_SENTINEL);
  const sentinel = Int32Array.from(categoryCount, (c) => (wide ? c : CATEGORY_SENTINEL));
  const D = Math.max(1, depth);
  const inner = (1 << D) - 1;
  const leaves = 1 << D;
  const trees = a.treeStart.length;
  const code = new Int32Array(trees * inner);
  const threshold = new Float64Array(trees * inner);
  const mask = new Int32Array(trees * inner);
  const maskStart = new Int32Array(trees * inner);
  const bits: number[] = [0];
  const leaf = new Float64Array(trees * leaves);
  const fill = (t: number, node: number, slot: number, level: number): void => {
    if (level === D) {
      leaf[t * leaves + slot - inner] = a.value[node];
      return;
    }
    const at = t * inner + slot;
    const f = a.feature[node];
    if (f < 0) {
      // Padding: always left (values ≤ +Infinity, missing defaults left), down to the leaf level.
      code[at] = 1;
      threshold[at] = Infinity;
      fill(t, node, 2 * slot + 1, level + 1);
      fill(t, node, 2 * slot + 2, level + 1);
      return;
    }
    const categorical = a.categoryStart[node] >= 0;
    code[at] = (f << 2) | (categorical ? 2 : 0) | a.defaultLeft[node];
    if (categorical && wide) {
      const known = categoryCount[f];
      maskStart[at] = bits.length;
      for (let w = 0; w <= known >>> 5; w++) {
        const stored = w < a.categoryWords[node] ? a.categoryBits[a.categoryStart[node] + w] : 0;
        // Keep only known categories, then add the missing route as bit K.
        const keep = known >= 32 * (w + 1) ? -1 : known <= 32 * w ? 0 : (1 << (known - 32 * w)) - 1;
        let word = stored & keep;
        if (a.defaultLeft[node] && known >>> 5 === w) word |= 1 << (known & 31);
        bits.push(word);
      }
    } else if (categorical) {
      let m = a.categoryBits[a.categoryStart[node]] & ((1 << CATEGORY_SENTINEL) - 1);
      if (a.defaultLeft[node]) m |= 1 << CATEGORY_SENTINEL;
      mask[at] = m;
    } else {
      threshold[at] = a.threshold[node];
    }
    fill(t, a.left[node], 2 * slot + 1, level + 1);
    fill(t, a.right[node], 2 * slot + 2, level + 1);
  };
  for (let t = 0; t < trees; t++) fill(t, a.treeStart[t], 0, 0);
  return {
    depth: D,
    trees,
    features: features.length,
    code,
    threshold,
    mask,
    wide,
    maskStart,
    bits: Int32Array.from(bits),
    sentinel,
    leaf,
    categoryCount,
  };
}

/** Transposes rows [b0, b0 + nb) into x; categorical codes that are missing or unknown become the sentinel. */
function transposeBlock(c: CompleteTrees, data: Dataset, b0: number, nb: number, x: Float64Array): void {
  const F = c.features;
  for (let f = 0; f < F; f++) {
    const column = data.columns[f];
    const known = c.categoryCount[f];
    if (known < 0) {
      for (let i = 0, k = f; i < nb; i++, k += F) x[k] = column[b0 + i];
    } else {
      for (let i = 0, k = f; i < nb; i++, k += F) {
        const v = column[b0 + i];
        const cat = v | 0;
        x[k] = cat === v && cat >= 0 && cat < known ? cat : c.sentinel[f];
      }
    }
  }
}

/**
 * Child slot from a slot, branch-free (data-dependent branches mispredict half the time).
 * Numeric: right when not v ≤ threshold, except NaN goes left when that is its default.
 * Categorical: right when the category's mask bit is clear.
 */
function nextSlot(c: CompleteTrees, at: number, slot: number, v: number, k: number): number {
  const numericRight = (1 - bit(v <= c.threshold[at])) ^ (bit(v !== v) & k);
  let categoryRight: number;
  if (c.wide) {
    // Numeric slots read word 0 with code 0: (k << 30) >> 31 is all ones only for categorical slots.
    const cat = (v | 0) & ((k << 30) >> 31);
    categoryRight = 1 ^ ((c.bits[c.maskStart[at] + (cat >>> 5)] >>> (cat & 31)) & 1);
  } else {
    categoryRight = 1 ^ ((c.mask[at] >>> (v | 0)) & 1);
  }
  return 2 * slot + 1 + (numericRight ^ ((numericRight ^ categoryRight) & (k >> 1)));
}

/** 1 or 0; `| 0` on a comparison compiles to a flag move rather than a branch. */
function bit(condition: boolean): number {
  return (condition as unknown as number) | 0;
}

function scoreComplete(c: CompleteTrees, data: Dataset, bias: number): Float64Array {
  if (c.wide) return scoreCompleteWide(c, data, bias);
  const rows = data.rows;
  const F = c.features;
  const D = c.depth;
  const inner = (1 << D) - 1;
  const leaves = 1 << D;
  const code = c.code;
  const threshold = c.threshold;
  const mask = c.mask;
  const leaf = c.leaf;
  const out = new Float64Array(rows).fill(bias);
  const x = new Float64Array(SCORE_BLOCK * F);
  for (let b0 = 0; b0 < rows; b0 += SCORE_BLOCK) {
    const nb = Math.min(SCORE_BLOCK, rows - b0);
    transposeBlock(c, data, b0, nb, x);
    for (let t = 0; t < c.trees; t++) {
      const off = t * inner;
      const leafOff = t * leaves - inner;
      let i = 0;
      // Four independent rows per pass so their dependent load chains overlap (nextSlot inlined four times).
      for (; i + 4 <= nb; i += 4) {
        const r0 = i * F;
        const r1 = r0 + F;
        const r2 = r1 + F;
        const r3 = r2 + F;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let d = 0; d < D; d++) {
          const a0 = off + s0;
          const a1 = off + s1;
          const a2 = off + s2;
          const a3 = off + s3;
          const k0 = code[a0];
          const k1 = code[a1];
          const k2 = code[a2];
          const k3 = code[a3];
          const v0 = x[r0 + (k0 >> 2)];
          const v1 = x[r1 + (k1 >> 2)];
          const v2 = x[r2 + (k2 >> 2)];
          const v3 = x[r3 + (k3 >> 2)];
          const n0 = (1 - bit(v0 <= threshold[a0])) ^ (bit(v0 !== v0) & k0);
          const n1 = (1 - bit(v1 <= threshold[a1])) ^ (bit(v1 !== v1) & k1);
          const n2 = (1 - bit(v2 <= threshold[a2])) ^ (bit(v2 !== v2) & k2);
          const n3 = (1 - bit(v3 <= threshold[a3])) ^ (bit(v3 !== v3) & k3);
          const c0 = 1 ^ ((mask[a0] >>> (v0 | 0)) & 1);
          const c1 = 1 ^ ((mask[a1] >>> (v1 | 0)) & 1);
          const c2 = 1 ^ ((mask[a2] >>> (v2 | 0)) & 1);
          const c3 = 1 ^ ((mask[a3] >>> (v3 | 0)) & 1);
          s0 = 2 * s0 + 1 + (n0 ^ ((n0 ^ c0) & (k0 >> 1)));
          s1 = 2 * s1 + 1 + (n1 ^ ((n1 ^ c1) & (k1 >> 1)));
          s2 = 2 * s2 + 1 + (n2 ^ ((n2 ^ c2) & (k2 >> 1)));
          s3 = 2 * s3 + 1 + (n3 ^ ((n3 ^ c3) & (k3 >> 1)));
        }
        out[b0 + i] += leaf[leafOff + s0];
        out[b0 + i + 1] += leaf[leafOff + s1];
        out[b0 + i + 2] += leaf[leafOff + s2];
        out[b0 + i + 3] += leaf[leafOff + s3];
      }
      for (; i < nb; i++) {
        const r = i * F;
        let s = 0;
        for (let d = 0; d < D; d++) {
          const k = code[off + s];
          s = nextSlot(c, off + s, s, x[r + (k >> 2)], k);
        }
        out[b0 + i] += leaf[leafOff + s];
      }
    }
  }
  return out;
}

/**
 * scoreComplete for wide categorical features: the category bit comes from a multi-word bitset.
 * Its loops repeat scoreComplete's on purpose: one test of `wide` per slot would slow the common case.
 */
function scoreCompleteWide(c: CompleteTrees, data: Dataset, bias: number): Float64Array {
  const rows = data.rows;
  const F = c.features;
  const D = c.depth;
  const inner = (1 << D) - 1;
  const leaves = 1 << D;
  const code = c.code;
  const threshold = c.threshold;
  const maskStart = c.maskStart;
  const bits = c.bits;
  const leaf = c.leaf;
  const out = new Float64Array(rows).fill(bias);
  const x = new Float64Array(SCORE_BLOCK * F);
  for (let b0 = 0; b0 < rows; b0 += SCORE_BLOCK) {
    const nb = Math.min(SCORE_BLOCK, rows - b0);
    transposeBlock(c, data, b0, nb, x);
    for (let t = 0; t < c.trees; t++) {
      const off = t * inner;
      const leafOff = t * leaves - inner;
      let i = 0;
      // Four independent rows per pass so their dependent load chains overlap (nextSlot inlined four times).
      for (; i + 4 <= nb; i += 4) {
        const r0 = i * F;
        const r1 = r0 + F;
        const r2 = r1 + F;
        const r3 = r2 + F;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let d = 0; d < D; d++) {
          const a0 = off + s0;
          const a1 = off + s1;
          const a2 = off + s2;
          const a3 = off + s3;
          const k0 = code[a0];
          const k1 = code[a1];
          const k2 = code[a2];
          const k3 = code[a3];
          const v0 = x[r0 + (k0 >> 2)];
          const v1 = x[r1 + (k1 >> 2)];
          const v2 = x[r2 + (k2 >> 2)];
          const v3 = x[r3 + (k3 >> 2)];
          const n0 = (1 - bit(v0 <= threshold[a0])) ^ (bit(v0 !== v0) & k0);
          const n1 = (1 - bit(v1 <= threshold[a1])) ^ (bit(v1 !== v1) & k1);
          const n2 = (1 - bit(v2 <= threshold[a2])) ^ (bit(v2 !== v2) & k2);
          const n3 = (1 - bit(v3 <= threshold[a3])) ^ (bit(v3 !== v3) & k3);
          const q0 = (v0 | 0) & ((k0 << 30) >> 31);
          const c0 = 1 ^ ((bits[maskStart[a0] + (q0 >>> 5)] >>> (q0 & 31)) & 1);
          const q1 = (v1 | 0) & ((k1 << 30) >> 31);
          const c1 = 1 ^ ((bits[maskStart[a1] + (q1 >>> 5)] >>> (q1 & 31)) & 1);
          const q2 = (v2 | 0) & ((k2 << 30) >> 31);
          const c2 = 1 ^ ((bits[maskStart[a2] + (q2 >>> 5)] >>> (q2 & 31)) & 1);
          const q3 = (v3 | 0) & ((k3 << 30) >> 31);
          const c3 = 1 ^ ((bits[maskStart[a3] + (q3 >>> 5)] >>> (q3 & 31)) & 1);
          s0 = 2 * s0 + 1 + (n0 ^ ((n0 ^ c0) & (k0 >> 1)));
          s1 = 2 * s1 + 1 + (n1 ^ ((n1 ^ c1) & (k1 >> 1)));
          s2 = 2 * s2 + 1 + (n2 ^ ((n2 ^ c2) & (k2 >> 1)));
          s3 = 2 * s3 + 1 + (n3 ^ ((n3 ^ c3) & (k3 >> 1)));
        }
        out[b0 + i] += leaf[leafOff + s0];
        out[b0 + i + 1] += leaf[leafOff + s1];
        out[b0 + i + 2] += leaf[leafOff + s2];
        out[b0 + i + 3] += leaf[leafOff + s3];
      }
      for (; i < nb; i++) {
        const r = i * F;
        let s = 0;
        for (let d = 0; d < D; d++) {
          const k = code[off + s];
          s = nextSlot(c, off + s, s, x[r + (k >> 2)], k);
        }
        out[b0 + i] += leaf[leafOff + s];
      }
    }
  }
  return out;
}
