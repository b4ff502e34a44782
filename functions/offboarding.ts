import { app, type InvocationContext, type Timer } from "@azure/functions";
import { deleteOffboardedPartners, type OffboardingDeps } from "../shared/offboarding/offboarding.js";
import { safeLogger } from "../shared/logging.js";
import { appDeps } from "../shared/wiring.js";

// Off-boarding: once a day, the data of every partner off-boarded 30 days ago or more is deleted (documents in
// every container, blobs in every container) and the deletion recorded. Marking a partner is the operator's
// command (npm run partners -- offboard --partner ID).

export function makeDeleteOffboardedPartnersHandler(deps: OffboardingDeps) {
  return async (_timer: Timer, context: InvocationContext): Promise<void> => {
    const log = safeLogger(context);
    try {
      const deleted = await deleteOffboardedPartners({ ...deps, log: (line) => log.info(line) });
      if (deleted.length > 0) log.info(`deleteOffboardedPartners: deleted the data of ${deleted.map((d) => d.partnerId).join(", ")}`);
    } catch (err) {
      // What was deleted stays deleted; the next run finishes the rest.
      log.error(err);
      throw err;
    }
  };
}

app.timer("deleteOffboardedPartners", {
  schedule: "0 30 3 * * *",
  handler: (timer, context) => makeDeleteOffboardedPartnersHandler(appDeps().offboarding)(timer, context),
});
