import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { deals, toCsv } from "./synthetic.js";

const run = promisify(execFile);

describe("command line", () => {
  const dir = mkdtempSync(join(tmpdir(), "model-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("evaluate prints one JSON object with learner, AUC, log loss, accuracy, F1, timings and candidate AUCs", async () => {
    writeFileSync(join(dir, "train.csv"), toCsv(deals(600, 101), ";"));
    writeFileSync(join(dir, "test.csv"), toCsv(deals(200, 102), ";"));
    const { stdout } = await run(
      "npx",
      ["tsx", "scripts/model.ts", "evaluate", "--train", join(dir, "train.csv"), "--test", join(dir, "test.csv"), "--label", "churn", "--positive", "Yes", "--drop", "region"],
      { cwd: process.cwd() },
    );
    const out = JSON.parse(stdout.trim());
    expect(typeof out.learner).toBe("string");
    for (const key of ["auc", "logLoss", "accuracy", "f1", "trainSeconds", "scoringRowsPerSecond"]) expect(typeof out[key]).toBe("number");
    expect(out.auc).toBeGreaterThan(0.7);
    expect(out.candidates.length).toBeGreaterThanOrEqual(3);
    for (const c of out.candidates) expect(typeof c.validationAuc).toBe("number");
    const cm = out.confusion;
    expect(cm.truePositive + cm.falsePositive + cm.trueNegative + cm.falseNegative).toBe(200);
    expect(out.calibrationTable).toHaveLength(10);
  });

  it("a data problem (constant label) exits with code 1 and a clear message", async () => {
    const rows = deals(100, 103).map((r) => ({ ...r, churn: "No" }));
    writeFileSync(join(dir, "constant.csv"), toCsv(rows));
    const args = ["tsx", "scripts/model.ts", "evaluate", "--train", join(dir, "constant.csv"), "--test", join(dir, "constant.csv"), "--label", "churn", "--positive", "Yes"];
    const err = await run("npx", args, { cwd: process.cwd() }).catch((e) => e);
    expect(err.code).toBe(1);
    expect(String(err.stderr)).toMatch(/constant \(0 positive, 100 negative/);
  });

  it("bad usage exits with code 2 and explains the usage", async () => {
    const err = await run("npx", ["tsx", "scripts/model.ts", "evaluate", "--train", "x.csv"], { cwd: process.cwd() }).catch((e) => e);
    expect(err.code).toBe(2);
    expect(String(err.stderr)).toMatch(/missing --test[\s\S]*usage: npm run model -- evaluate/);
  });
});
