import { app, type InvocationContext, type Timer } from "@azure/functions";
import { names } from "../shared/config.js";
import { retrainDueModels, type RetrainScheduleDeps } from "../shared/dealScoring/retrainSchedule.js";
import { runDealTraining, type DealTrainingDeps } from "../shared/dealScoring/trainingJob.js";
import { safeLogger } from "../shared/logging.js";
import { dealTrainingJobSchema } from "../shared/ports/dealScoring.js";
import { appDeps } from "../shared/wiring.js";

// Deal scoring in the background: a queue trigger trains one model version per message (the HTTP train route
// and the timer queue them), and an hourly timer starts the automatic retraining of published models that
// are due (every 15 days) and records trainings whose job was lost as failed. Rescoring needs no function of
// its own: the deal scores tab is refreshed after every drop, daily, and whenever a model change queues it.

export function makeTrainDealModelHandler(deps: DealTrainingDeps) {
  return async (message: unknown, context: InvocationContext): Promise<void> => {
    const log = safeLogger(context);
    const job = dealTrainingJobSchema.safeParse(typeof message === "string" ? parseJson(message) : message);
    if (!job.success) {
      // Retrying cannot fix a malformed message: log it and let it go.
      log.warn(`trainDealModel: dropped an invalid training job: ${job.error.issues.map((i) => `${i.path.join(".") || "message"}: ${i.message}`).join("; ")}`);
      return;
    }
    try {
      const outcome = await runDealTraining({ ...deps, log: (line) => log.info(line) }, job.data);
      const { partnerId, modelId, version } = job.data;
      if (outcome.status === "failed") log.info(`trainDealModel: ${partnerId}/${modelId} v${version} refused: ${outcome.message}`);
      if (outcome.status === "skipped") log.info(`trainDealModel: ${partnerId}/${modelId} v${version} skipped (${outcome.reason})`);
    } catch (err) {
      // A store down or the like: the queue retries the job; a training never recorded is failed by the timer later.
      log.error(err);
      throw err;
    }
  };
}

export function makeRetrainDealModelsHandler(deps: RetrainScheduleDeps) {
  return async (_timer: Timer, context: InvocationContext): Promise<void> => {
    const log = safeLogger(context);
    try {
      const { started, staleFailed } = await retrainDueModels(deps);
      if (started.length + staleFailed > 0) log.info(`retrainDealModels: ${started.length} automatic retraining(s) queued, ${staleFailed} lost training(s) recorded failed`);
    } catch (err) {
      log.error(err);
      throw err;
    }
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// ---- registration: deps built from settings on first invocation, so importing this file needs none

app.storageQueue("trainDealModel", {
  queueName: names.queues.dealTraining,
  connection: names.storageConnection,
  handler: (message, context) => makeTrainDealModelHandler(appDeps().dealTraining)(message, context),
});

app.timer("retrainDealModels", {
  schedule: "0 20 * * * *",
  handler: (timer, context) => makeRetrainDealModelsHandler(appDeps().retrainSchedule)(timer, context),
});
