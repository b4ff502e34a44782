// Model benchmark on the real datasets in ../shared/datasets (never committed to this project).
// Splits each dataset by the rule (data row i is test when i % 5 == 4), runs the CLI on it
// as a child process (so each dataset reports its own peak RSS), and prints one JSON object.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { applyPreparation, fitPreparation, tableFromCsv } from "../shared/scoring/prepare.js";
import { trainGbdt } from "../shared/scoring/gbdt.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// MODEL_BENCH_DATASETS points elsewhere (e.g. to check the message when the folder is absent).
const datasetsDir = resolve(root, process.env.MODEL_BENCH_DATASETS ?? "../shared/datasets");

interface DatasetSpec {
  name: string;
  file: string;
  label: string;
  positive: string;
  drop: string[];
  dedupe: boolean;
  /** Measured by the authors on this machine: xgboost 1.7 hist (300 trees, depth 6, lr 0.05, 1 thread), scikit-learn. */
  baseline: { xgboostAuc: number; histGbAuc: number; logisticAuc: number; xgboostTrainSeconds: number };
}

const DATASETS: DatasetSpec[] = [
  {
    name: "telco",
    file: "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv",
    label: "Churn",
    positive: "Yes",
    drop: ["customerID"],
    dedupe: false,
    baseline: { xgboostAuc: 0.829, histGbAuc: 0.825, logisticAuc: 0.837, xgboostTrainSeconds: 0.26 },
  },
  {
    name: "bank-full (no duration)",
    file: "bank_marketing/bank-full.csv",
    label: "y",
    positive: "yes",
    drop: ["duration"],
    dedupe: false,
    baseline: { xgboostAuc: 0.799, histGbAuc: 0.799, logisticAuc: 0.767, xgboostTrainSeconds: 0.74 },
  },
  {
    name: "salvirt (de-duplicated)",
    file: "salvirt_b2b_sales/Salvirt_B2B_ML_dataset_HF.csv",
    label: "Status",
    positive: "Won",
    drop: [],
    dedupe: true,
    baseline: { xgboostAuc: 0.784, histGbAuc: 0.799, logisticAuc: 0.798, xgboostTrainSeconds: 0.09 },
  },
];

/** Splits CSV text into header and raw record strings, keeping quoted line breaks inside their record. */
function splitRecords(text: string): { header: string; records: string[] } {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === "\n" || c === "\r")) {
      out.push(text.slice(start, i));
      if (c === "\r" && text[i + 1] === "\n") i++;
      start = i + 1;
    }
  }
  if (start < text.length) out.push(text.slice(start));
  const nonEmpty = out.filter((r) => r.trim().length > 0);
  return { header: nonEmpty[0], records: nonEmpty.slice(1) };
}

function splitDataset(spec: DatasetSpec, dir: string): { train: string; test: string; rows: number; duplicatesRemoved: number } {
  const { header, records } = splitRecords(readFileSync(join(datasetsDir, spec.file), "utf8"));
  let rows = records;
  if (spec.dedupe) {
    // Identical full rows collapse to the first occurrence.
    const seen = new Set<string>();
    rows = records.filter((r) => (seen.has(r) ? false : (seen.add(r), true)));
  }
  const train = [header, ...rows.filter((_, i) => i % 5 !== 4)].join("\n") + "\n";
  const test = [header, ...rows.filter((_, i) => i % 5 === 4)].join("\n") + "\n";
  const base = spec.name.split(" ")[0];
  const trainPath = join(dir, `${base}-train.csv`);
  const testPath = join(dir, `${base}-test.csv`);
  writeFileSync(trainPath, train);
  writeFileSync(testPath, test);
  return { train: trainPath, test: testPath, rows: rows.length, duplicatesRemoved: records.length - rows.length };
}

function runCli(spec: DatasetSpec, train: string, test: string): Record<string, unknown> {
  const tsx = join(root, "node_modules", ".bin", "tsx");
  const args = ["scripts/model.ts", "evaluate", "--train", train, "--test", test, "--label", spec.label, "--positive", spec.positive];
  if (spec.drop.length > 0) args.push("--drop", spec.drop.join(","));
  const res = spawnSync(tsx, args, { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (res.status !== 0) return { error: `CLI exited with ${res.status}: ${res.stderr.trim().slice(0, 2000)}` };
  return JSON.parse(res.stdout.trim()) as Record<string, unknown>;
}

/** Scoring speed of a fixed 300-tree, depth-6 GBDT (the scoring target), on the bank test split. */
function scoring300Trees(train: string, test: string): Record<string, unknown> {
  const prepared = fitPreparation(tableFromCsv(readFileSync(train, "utf8")), { label: "y", positive: "yes", drop: ["duration"] });
  const model = trainGbdt(prepared.data, { rounds: 300, maxDepth: 6, learningRate: 0.05, earlyStoppingRounds: 0, seed: 1 });
  const data = applyPreparation(prepared.preparation, tableFromCsv(readFileSync(test, "utf8"))).data;
  // One untimed pass first: it builds the scorer's compiled layout, as scoring a model's first batch would.
  model.predictMargin(data);
  let reps = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let elapsed = 0;
  do {
    model.predictMargin(data);
    reps++;
    elapsed = (performance.now() - t0) / 1000;
  } while (elapsed < 1);
  const cpu = process.cpuUsage(c0);
  return {
    dataset: "bank-full test split",
    trees: model.treeCount,
    rows: data.rows,
    rowsPerSecond: Math.round((data.rows * reps) / elapsed),
    rowsPerCpuSecond: Math.round((data.rows * reps) / ((cpu.user + cpu.system) / 1e6)),
  };
}

function xgboostAvailable(): boolean {
  try {
    execFileSync("python3", ["-c", "import xgboost"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function main(): void {
  if (!existsSync(datasetsDir)) {
    process.stdout.write(
      JSON.stringify({
        benchmark: "model",
        ran: false,
        reason: `datasets folder ${datasetsDir} is absent: the model benchmark needs ../shared/datasets next to the project (it is never committed here)`,
      }) + "\n",
    );
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "bench-model-"));
  const results: Record<string, unknown>[] = [];
  let scoring: Record<string, unknown> | undefined;
  try {
    for (const spec of DATASETS) {
      const split = splitDataset(spec, dir);
      const out = runCli(spec, split.train, split.test);
      const best = Math.max(spec.baseline.xgboostAuc, spec.baseline.histGbAuc, spec.baseline.logisticAuc);
      const target = Number((best - 0.005).toFixed(3));
      const auc = typeof out.auc === "number" ? out.auc : NaN;
      results.push({
        dataset: spec.name,
        rows: split.rows,
        ...(spec.dedupe ? { duplicatesRemoved: split.duplicatesRemoved } : {}),
        learner: out.learner,
        auc: out.auc,
        logLoss: out.logLoss,
        accuracy: out.accuracy,
        f1: out.f1,
        trainSeconds: out.trainSeconds,
        trainCpuSeconds: out.trainCpuSeconds,
        readCsvSeconds: out.readCsvSeconds,
        scoringRowsPerSecond: out.scoringRowsPerSecond,
        scoringRowsPerCpuSecond: out.scoringRowsPerCpuSecond,
        peakRssMB: out.peakRssMB,
        candidates: out.candidates,
        baseline: spec.baseline,
        aucTarget: target,
        aucTargetMet: auc >= target,
        ...(spec.name.startsWith("bank")
          ? {
              trainTimeTargetSeconds: 2 * spec.baseline.xgboostTrainSeconds,
              trainTimeTargetMet: typeof out.trainSeconds === "number" && out.trainSeconds <= 2 * spec.baseline.xgboostTrainSeconds,
              trainCpuTimeTargetMet: typeof out.trainCpuSeconds === "number" && out.trainCpuSeconds <= 2 * spec.baseline.xgboostTrainSeconds,
              peakRssTargetMet: typeof out.peakRssMB === "number" && out.peakRssMB < 500,
            }
          : {}),
        ...(out.error ? { error: out.error } : {}),
      });
      if (spec.name.startsWith("bank")) {
        const s = scoring300Trees(split.train, split.test);
        scoring = {
          ...s,
          targetRowsPerSecond: 100_000,
          targetMet: (s.rowsPerSecond as number) >= 100_000,
          targetMetOnCpuTime: (s.rowsPerCpuSecond as number) >= 100_000,
        };
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(
    JSON.stringify({
      benchmark: "model",
      ran: true,
      // Load average tells whether other work shared the cores during the run (wall times stretch).
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadAverageAtEnd: loadavg().map((x) => Number(x.toFixed(2))) },
      splitRule: "data row i (0-based, after the header, after de-duplication for Salvirt) is test when i % 5 == 4",
      results,
      scoring300Trees: scoring,
      xgboostInSameRun: xgboostAvailable() ? "python xgboost is installed but not run by this benchmark" : "python xgboost not installed; baselines are the issue's measurements",
    }) + "\n",
  );
}

main();
