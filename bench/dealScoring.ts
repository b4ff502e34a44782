// Deal scoring benchmark (issue 8 speed target): 50,000 closed and 10,000 open deals from the planted CRM
// history generator; training a model (selection, features, engine model selection and calibration, test on
// the newest 20 %, attribute insights) under 30 s, and rescoring every open deal with its grade, trend and
// factors under 10 s. CPU only, no I/O. Prints one JSON object.
//
//   npx tsx bench/dealScoring.ts [--closed 50000] [--open 10000] [--per-stage]
// (npm run bench:deals runs it, then the same figures through the service: bench/deals.ts.)

import { cpus, loadavg } from "node:os";
import { pathToFileURL } from "node:url";
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

export const engineTargets = { trainSeconds: 30, scoreSeconds: 10 };

export interface EngineBenchOptions {
  closedDeals: number;
  openDeals: number;
  perStage: boolean;
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
const seconds = (t0: number) => Number(((performance.now() - t0) / 1000).toFixed(2));

/** Training and rescoring on generated deals, in this process (CPU only). */
export function runEngineBench({ closedDeals, openDeals, perStage }: EngineBenchOptions): Record<string, unknown> {
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
  return {
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
    targets: engineTargets,
    met: { train: trainSeconds < engineTargets.trainSeconds, score: scoreSeconds < engineTargets.scoreSeconds },
  };
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = runEngineBench({ closedDeals: arg("--closed", 50_000), openDeals: arg("--open", 10_000), perStage: process.argv.includes("--per-stage") });
  console.log(JSON.stringify(result, null, 2));
}
