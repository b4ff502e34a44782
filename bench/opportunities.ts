// Opportunities benchmark: a generated partner (default 20,000 tenants × 15 monthly snapshots, planted causes)
// in memory; all eight models trained, then every tenant scored. Prints one JSON object: per-model training time
// and rows, scoring time, peak RSS. No I/O is measured: this is the domain's share of a refresh.
//
//   npx tsx bench/opportunities.ts [tenants] [months]

import { loadavg } from "node:os";
import { scoreOpportunities, summarizeOpportunities, trainOpportunityModels } from "../shared/domain/opportunities/index.js";
import { dateOfMonth, generateOpportunityHistories } from "./opportunityHistories.js";

const tenants = Number(process.argv[2] ?? 20_000);
const months = Number(process.argv[3] ?? 15);
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
const mb = (bytes: number) => Math.round(bytes / 1048576);

let t0 = performance.now();
const histories = generateOpportunityHistories({ tenants, months, seed: 11 }).map((g) => g.history);
const generateSeconds = (performance.now() - t0) / 1000;
const now = dateOfMonth(months - 1);
const rssBefore = process.memoryUsage().rss;

t0 = performance.now();
const cpu0 = process.cpuUsage();
const modelSet = trainOpportunityModels(histories, {}, now);
const trainSeconds = (performance.now() - t0) / 1000;
const trainCpu = process.cpuUsage(cpu0);
t0 = performance.now();
const scored = scoreOpportunities(modelSet, histories, [], [], {}, now);
const summary = summarizeOpportunities(scored.opportunities, histories.length);
const scoreSeconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
peak = Math.max(peak, process.memoryUsage().rss);
clearInterval(sampler);

const round = (x: number) => Math.round(x * 1000) / 1000;
console.log(
  JSON.stringify(
    {
      tenants,
      months,
      generateSeconds: round(generateSeconds),
      trainSeconds: round(trainSeconds),
      scoreSeconds: round(scoreSeconds),
      totalSeconds: round(trainSeconds + scoreSeconds),
      // CPU time is the figure to compare on a shared machine: wall time includes waiting for other processes.
      cpuSeconds: round((cpu.user + cpu.system) / 1e6),
      trainCpuSeconds: round((trainCpu.user + trainCpu.system) / 1e6),
      scoreCpuSeconds: round((cpu.user + cpu.system - trainCpu.user - trainCpu.system) / 1e6),
      loadAverage: loadavg().map((x) => Math.round(x * 10) / 10),
      rssAfterGenerateMb: mb(rssBefore),
      peakRssMb: mb(peak),
      modelSetJsonMb: round(JSON.stringify(modelSet).length / 1048576),
      models: modelSet.models.map((m) => ({
        model: m.modelId,
        basis: m.basis,
        learner: m.learner,
        seconds: round(m.seconds),
        labelled: m.labels.positives + m.labels.negatives,
        positives: m.labels.positives,
        trainingRows: m.trainingRows,
        validationAuc: m.validation?.auc === null || m.validation === undefined ? null : round(m.validation.auc),
        validation: m.validation?.method ?? null,
      })),
      opportunities: summary.opportunities,
      customersWithOpportunities: summary.customersWithOpportunities,
      byType: Object.fromEntries(summary.byType.map((t) => [t.type, t.count])),
      warnings: [...new Set([...modelSet.warnings, ...scored.warnings])],
    },
    null,
    2,
  ),
);
