// CloudAscent propensity benchmark: a generated partner of 20,000 tenants and 200,000 signals (sizes from
// BENCH_PROPENSITY_TENANTS / BENCH_PROPENSITY_SIGNALS) scored in one process, CPU only: fit trained with the
// engine, fit scored with explanations, intent, families and the summary. Prints one JSON object with the
// timings, the fit model's quality and peak RSS. The domain is pure, so this is the refresh's compute alone
// (reading and writing Cosmos DB is measured by `npm run bench`).

import { cpus, loadavg } from "node:os";
import { fitModelToJSON, scoreFit, scorePropensity, trainFit } from "../shared/domain/propensity/index.js";
import { generatePropensityPartner } from "./propensityData.js";

const tenants = Number(process.env.BENCH_PROPENSITY_TENANTS ?? 20_000);
const signals = Number(process.env.BENCH_PROPENSITY_SIGNALS ?? 200_000);
const targetSeconds = 60;
const aimSeconds = 20;

function seconds(t0: number): number {
  return Math.round((performance.now() - t0) / 10) / 100;
}

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

const t0 = performance.now();
const { inputs } = generatePropensityPartner({ tenants, signals, seed: 11 });
const generateSeconds = seconds(t0);

// The whole refresh computation first (cold, as a refresh runs it): inputs to customers and summary.
const t1 = performance.now();
const result = scorePropensity(inputs);
const totalSeconds = seconds(t1);

// Then its parts, one by one.
const t2 = performance.now();
const fitModel = trainFit(inputs.tenants, inputs.asOf);
const trainSeconds = seconds(t2);
const t3 = performance.now();
scoreFit(
  fitModel,
  inputs.tenants.map((t) => t.tenant),
);
const fitScoreSeconds = seconds(t3);
// A monthly intent refresh reuses the quarterly fit model: everything but training.
const t4 = performance.now();
scorePropensity(inputs, { fitModel });
const withStoredFitSeconds = seconds(t4);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
clearInterval(sampler);

const rows = result.customers.reduce((n, c) => n + c.products.length, 0);
console.log(
  JSON.stringify(
    {
      machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg().map((x) => Math.round(x * 100) / 100), node: process.version },
      sizes: { tenants, signals, installBaseRows: inputs.installBase.length, customers: result.customers.length, productPropensities: rows },
      figures: {
        generateSeconds,
        fitTrainSeconds: trainSeconds,
        fitScoreSeconds,
        scorePropensitySeconds: totalSeconds,
        scoreWithStoredFitSeconds: withStoredFitSeconds,
        peakRssMB: Math.round(peakRss / 1048576),
        fitModelJsonKB: Math.round(JSON.stringify(fitModelToJSON(fitModel)).length / 1024),
      },
      fit: {
        basis: result.fit.basis,
        chosenLearner: result.fit.chosenLearner,
        validationAuc: result.fit.validationAuc,
        bestCustomers: result.fit.bestCustomers,
        eligibleCustomers: result.fit.eligibleCustomers,
      },
      summary: { clusters: result.summary.clusters, families: result.summary.families },
      targets: {
        scorePropensityUnder60s: totalSeconds < targetSeconds,
        aimUnder20s: totalSeconds < aimSeconds,
      },
    },
    null,
    2,
  ),
);
