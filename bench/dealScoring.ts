// Deal scoring benchmark (issue 8 speed target): 50,000 closed and 10,000 open deals from the planted CRM
// history generator; training a model (selection, features, engine model selection and calibration, test on
// the newest 20 %, attribute insights) under 30 s, and rescoring every open deal with its grade, trend and
// factors under 10 s. CPU only, no I/O. Prints one JSON object.
//
//   npx tsx bench/dealScoring.ts [--closed 50000] [--open 10000] [--per-stage]

import { cpus, loadavg } from "node:os";
import {
  orThrow,
  parseModelConfig,
  recordSnapshot,
  scoreOpenDeals,
  trainDealModel,
  loadDealModel,
  type DealHistory,
} from "../shared/domain/dealScoring/index.js";
import { generateCrmHistory } from "../local/demoData/deals.js";

const targets = { trainSeconds: 30, scoreSeconds: 10 };

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const closedDeals = arg("--closed", 50_000);
const openDeals = arg("--open", 10_000);
const perStage = process.argv.includes("--per-stage");
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
const seconds = (t0: number) => Number(((performance.now() - t0) / 1000).toFixed(2));

const now = new Date("2026-05-01T00:00:00Z");
let t = performance.now();
// Two drops a month apart, so the history has status and stage changes to keep.
const crm = generateCrmHistory({ seed: 2026, now, closedDeals, openDeals, snapshots: 1 });
const generateSeconds = seconds(t);

t = performance.now();
let histories: DealHistory[] = [];
for (const snapshot of crm.snapshots) histories = orThrow(recordSnapshot(histories, snapshot)).histories;
const historySeconds = seconds(t);
crm.snapshots.length = 0;
const rssWithDataMB = mb(process.memoryUsage.rss());

t = performance.now();
const trained = orThrow(trainDealModel({ histories, config: orThrow(parseModelConfig({ perStage }, now)), now }));
const trainSeconds = seconds(t);

// What a scoring run after a drop does: restore the stored model, then score every open deal.
const artifactJson = JSON.stringify(trained.model.artifact);
t = performance.now();
const model = orThrow(loadDealModel(artifactJson));
const { scores, report } = scoreOpenDeals({ model, histories, now });
const scoreSeconds = seconds(t);

const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(
  JSON.stringify(
    {
      closedDeals,
      openDeals,
      perStage,
      machine: { cpus: cpus().length, loadAverage1m: Number(loadavg()[0].toFixed(2)), node: process.version },
      generateSeconds,
      historySeconds,
      trainSeconds,
      trainRows: trained.performance.train.rows,
      learner: trained.performance.learner,
      testAuc: trained.performance.auc,
      readiness: trained.readiness.readiness,
      scoreSeconds,
      scoredDeals: report.scored,
      factorsPerDeal: scores.length > 0 ? Number((scores.reduce((s, x) => s + x.factors.length, 0) / scores.length).toFixed(1)) : 0,
      modelJsonKB: Math.round(artifactJson.length / 1024),
      rssWithDataMB,
      peakRssMB,
      targets,
      met: { train: trainSeconds < targets.trainSeconds, score: scoreSeconds < targets.scoreSeconds },
    },
    null,
    2,
  ),
);
