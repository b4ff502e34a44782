import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// The engine's files may move freely behind its index: this keeps code outside it from reaching in.

const root = join(import.meta.dirname, "..", "..", "..");
const scoringDir = join(root, "shared", "scoring");

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : typeScriptFiles(path);
    return /\.[cm]?ts$/.test(entry.name) ? [path] : [];
  });
}

/** Project files one file imports (static, re-export, side-effect and dynamic), as .ts paths from the project root. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)["']([^"']+)["']/g)].map((m) => m[1]);
  return specifiers.filter((s) => s.startsWith(".")).map((s) => relative(root, resolve(dirname(file), s)).replace(/\.js$/, ".ts"));
}

describe("scoring engine boundaries", () => {
  it("is used from outside shared/scoring only through its index", () => {
    const outside = ["functions", "shared", "local", "scripts", "bench", "test"]
      .flatMap((d) => typeScriptFiles(join(root, d)))
      // Unit tests of the engine test its units directly.
      .filter((f) => !f.startsWith(scoringDir + "/") && !f.startsWith(join(root, "test", "unit", "scoring") + "/"));
    const reachingIn = outside.flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith("shared/scoring/") && target !== "shared/scoring/index.ts")
        .map((target) => `${relative(root, file)} → ${target}`),
    );
    expect(outside.length).toBeGreaterThan(10);
    expect(reachingIn).toEqual([]);
  });

  it("keeps the tree machinery and the decision tree free of boosting", () => {
    const treeLearners = [...typeScriptFiles(join(scoringDir, "trees")), join(scoringDir, "decisionTree.ts")];
    const onBoosting = treeLearners.filter((file) => importsOf(file).includes("shared/scoring/gbdt.ts")).map((f) => relative(root, f));
    expect(treeLearners.length).toBeGreaterThan(5);
    expect(onBoosting).toEqual([]);
  });
});
