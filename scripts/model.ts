// Command line for the scoring engine.
//   npm run model -- evaluate --train train.csv --test test.csv --label COL --positive VALUE [--time COL] [--drop a,b]
// Prints one JSON object with the chosen learner, test metrics, timings and each candidate's validation scores.

import { readFileSync, writeFileSync } from "node:fs";
import { evaluateProbabilities, PrepareError, tableFromCsv, trainModel, TrainingDataError, type RawTable } from "../shared/scoring/index.js";

const USAGE = `usage: npm run model -- evaluate --train FILE.csv --test FILE.csv --label COLUMN --positive VALUE
                       [--time COLUMN] [--drop a,b] [--ignore-empty a,b] [--seed N] [--save model.json]
  Trains on --train (model selection on a validation split of it), evaluates on --test, prints one JSON object.
  The separator (',' or ';') is detected from each file's header line.`;

class UsageError extends Error {}

interface EvaluateArgs {
  train: string;
  test: string;
  label: string;
  positive: string;
  time?: string;
  drop: string[];
  ignoreEmpty: string[];
  seed: number;
  save?: string;
}

function parseArgs(argv: string[]): EvaluateArgs {
  const known = new Set(["train", "test", "label", "positive", "time", "drop", "ignore-empty", "seed", "save"]);
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new UsageError(`unexpected argument "${a}"`);
    let key = a.slice(2);
    let value: string | undefined;
    const eq = key.indexOf("=");
    if (eq >= 0) {
      value = key.slice(eq + 1);
      key = key.slice(0, eq);
    } else {
      value = argv[i + 1];
      i++;
    }
    if (!known.has(key)) throw new UsageError(`unknown option --${key}`);
    if (value === undefined || (value.startsWith("--") && eq < 0)) throw new UsageError(`--${key} needs a value`);
    values.set(key, value);
  }
  for (const req of ["train", "test", "label", "positive"]) {
    if (!values.has(req)) throw new UsageError(`missing --${req}`);
  }
  const list = (k: string) =>
    (values.get(k) ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  const seed = Number(values.get("seed") ?? "42");
  if (!Number.isInteger(seed)) throw new UsageError("--seed must be an integer");
  return {
    train: values.get("train")!,
    test: values.get("test")!,
    label: values.get("label")!,
    positive: values.get("positive")!,
    ...(values.has("time") ? { time: values.get("time")! } : {}),
    drop: list("drop"),
    ignoreEmpty: list("ignore-empty"),
    seed,
    ...(values.has("save") ? { save: values.get("save")! } : {}),
  };
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${what} file "${path}": ${(e as Error).message}`);
  }
}

function parseTable(text: string, what: string): RawTable {
  try {
    return tableFromCsv(text);
  } catch (e) {
    throw new UsageError(`cannot parse ${what} CSV: ${(e as Error).message}`);
  }
}

const round = (x: number, digits = 4) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

function evaluate(args: EvaluateArgs): Record<string, unknown> {
  // Reading and parsing the CSV files is timed apart from training, as xgboost's fit time excludes loading.
  const tr = performance.now();
  const trainTable = parseTable(readText(args.train, "--train"), "--train");
  const testTable = parseTable(readText(args.test, "--test"), "--test");
  const readSeconds = (performance.now() - tr) / 1000;

  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const model = trainModel(trainTable, {
    label: args.label,
    positive: args.positive,
    drop: args.drop,
    ignoreEmpty: args.ignoreEmpty,
    seed: args.seed,
    ...(args.time ? { time: args.time } : {}),
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  // CPU time as well as wall time: on a shared machine wall time includes waiting for a core.
  const cpu = process.cpuUsage(c0);
  const trainCpuSeconds = (cpu.user + cpu.system) / 1e6;

  const t1 = performance.now();
  const test = model.prepare(testTable, true);
  const prepareSeconds = (performance.now() - t1) / 1000;
  const probs = model.predictPrepared(test.data);
  const metrics = evaluateProbabilities(probs, test.label!);

  // Scoring speed of the model on prepared rows, repeated long enough to time reliably.
  let reps = 0;
  const t2 = performance.now();
  const c2 = process.cpuUsage();
  let elapsed = 0;
  do {
    model.predictPrepared(test.data);
    reps++;
    elapsed = (performance.now() - t2) / 1000;
  } while (elapsed < 0.5 && reps < 1000);
  const scoringRowsPerSecond = (test.data.rows * reps) / elapsed;
  const scoringCpu = process.cpuUsage(c2);
  const scoringRowsPerCpuSecond = (test.data.rows * reps) / Math.max((scoringCpu.user + scoringCpu.system) / 1e6, 1e-9);

  const json = model.toJSON();
  if (args.save) writeFileSync(args.save, JSON.stringify(json));
  const scorerInfo = json.learner as { kind: string; trees?: unknown; bestIteration?: number };
  return {
    command: "evaluate",
    learner: json.chosen,
    learnerKind: json.learner.kind,
    auc: round(metrics.auc),
    logLoss: round(metrics.logLoss),
    accuracy: round(metrics.accuracy),
    f1: round(metrics.f1),
    precision: round(metrics.precision),
    recall: round(metrics.recall),
    f1Threshold: round(metrics.threshold),
    confusion: metrics.confusion,
    calibrationTable: metrics.calibration.map((b) => ({ predicted: round(b.predicted), observed: round(b.observed), count: b.count })),
    trainSeconds: round(trainSeconds, 3),
    trainCpuSeconds: round(trainCpuSeconds, 3),
    readCsvSeconds: round(readSeconds, 3),
    trainTimings: {
      prepareSeconds: round(json.training.prepareSeconds, 3),
      refitSeconds: round(json.training.refitSeconds, 3),
    },
    scoringRowsPerSecond: Math.round(scoringRowsPerSecond),
    scoringRowsPerCpuSecond: Math.round(scoringRowsPerCpuSecond),
    testPrepareRowsPerSecond: Math.round(test.data.rows / Math.max(prepareSeconds, 1e-9)),
    trainRows: json.training.rows,
    testRows: test.data.rows,
    candidates: json.candidates.map((c) => ({
      name: c.name,
      validationAuc: round(c.validationAuc),
      validationLogLoss: round(c.validationLogLoss),
      trainSeconds: round(c.trainSeconds, 3),
      chosen: c.chosen,
      ...("bestIteration" in c.settings ? { bestIteration: c.settings.bestIteration } : {}),
      ...("l2" in c.settings ? { l2: c.settings.l2 } : {}),
      ...("weights" in c.settings ? { weights: c.settings.weights } : {}),
    })),
    ...(scorerInfo.kind === "gbdt" && typeof scorerInfo.bestIteration === "number" ? { trees: scorerInfo.bestIteration } : {}),
    split: json.split,
    validationAuc: round(json.metrics.validation.auc),
    notUseful: json.notUseful,
    calibration: json.calibration.method,
    unseenCategories: test.unseen,
    topColumns: json.importance.slice(0, 5).map((c) => ({ column: c.column, importance: round(c.importance, 3) })),
    notes: json.notes,
    peakRssMB: round(process.resourceUsage().maxRSS / 1024, 1),
  };
}

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stderr.write(USAGE + "\n");
    return command === undefined ? 2 : 0;
  }
  try {
    if (command !== "evaluate") throw new UsageError(`unknown command "${command}"`);
    const result = evaluate(parseArgs(rest));
    process.stdout.write(JSON.stringify(result) + "\n");
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof PrepareError || e instanceof TrainingDataError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = main(process.argv.slice(2));
