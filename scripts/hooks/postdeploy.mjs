// azd post-deploy hook (azure.yaml), plain Node so it runs the same on Windows, macOS and Linux with nothing else
// installed. azd passes its environment (the Bicep outputs among it) as environment variables.
//
// 1. The second deployment pass: the Event Grid subscription that sends BlobCreated on drops/ to the ingestDrop
//    blob trigger needs the host's blobs_extension key, which exists only once the deployed code has started. So the
//    hook wakes the app, sets DEPLOY_DROP_SUBSCRIPTION=true and runs `azd provision` again (infra/main.bicep then
//    deploys infra/modules/dropSubscription.bicep). Once done, later `azd up` runs keep it in their first pass.
// 2. Prints how to issue the first administrator API key.
import { spawnSync } from "node:child_process";

const env = process.env;
const log = (line = "") => console.log(line);
/** A number from the environment (the waits below; tests shorten them), else the fallback. */
const seconds = (name, fallback) => (env[name] && Number.isFinite(Number(env[name])) ? Number(env[name]) : fallback);
const sleep = (s) => new Promise((resolve) => setTimeout(resolve, s * 1000));

/** Runs azd with these arguments, its output shown; true when it succeeded. */
function azd(args) {
  log(`> azd ${args.join(" ")}`);
  const result = spawnSync("azd", args, { stdio: "inherit" });
  if (result.error) log(`  could not run azd: ${result.error.message}`);
  return result.status === 0;
}

/** Asks the app for /api/health until it answers at all: the host loads the blob trigger (and makes its key) when it starts. */
async function wakeApp(baseUrl, waitSeconds) {
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    try {
      const res = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(30_000) });
      log(`  the app answered /api/health with ${res.status}`);
      return true;
    } catch (err) {
      if (Date.now() >= deadline) {
        log(`  the app did not answer /api/health within ${waitSeconds} s (${err.cause?.code ?? err.message})`);
        return false;
      }
      await sleep(Math.min(10, waitSeconds / 10));
    }
  }
}

async function subscribeDrops(appUrl) {
  log("Subscribing the ingestDrop blob trigger to BlobCreated events on drops/ (the second deployment pass)…");
  await wakeApp(appUrl, seconds("POI_HOOK_WAKE_SECONDS", 300));
  const attempts = seconds("POI_HOOK_PROVISION_ATTEMPTS", 3);
  if (!azd(["env", "set", "DEPLOY_DROP_SUBSCRIPTION", "true"])) return false;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (azd(["provision", "--no-prompt"])) return true;
    if (attempt < attempts) {
      // The blobs_extension key can take a little while to appear after the host first starts.
      log(`  provisioning failed (attempt ${attempt} of ${attempts}); trying again shortly…`);
      await sleep(seconds("POI_HOOK_RETRY_SECONDS", 30));
    }
  }
  // Back to the first pass, so the next `azd up` does not fail before the code is running.
  azd(["env", "set", "DEPLOY_DROP_SUBSCRIPTION", "false"]);
  return false;
}

function printFirstKeyInstructions() {
  const cosmos = env.COSMOS_ENDPOINT ?? "<COSMOS_ENDPOINT output>";
  const blob = env.AZURE_STORAGE_BLOB_ENDPOINT ?? "<AZURE_STORAGE_BLOB_ENDPOINT output>";
  log();
  log("First administrator API key of a partner (shown once; only its hash is stored). It uses your own Azure");
  log("sign-in (az login), which the deployment gave data access to (AZURE_PRINCIPAL_ID):");
  log();
  log("  # bash");
  log(`  export COSMOS_ENDPOINT='${cosmos}'`);
  log(`  export AzureWebJobsStorage__blobServiceUri='${blob}'`);
  log(`  npm run keys -- issue --partner <partner-id> --role administrator --name "First administrator"`);
  log();
  log("  # PowerShell");
  log(`  $env:COSMOS_ENDPOINT = '${cosmos}'`);
  log(`  $env:AzureWebJobsStorage__blobServiceUri = '${blob}'`);
  log(`  npm run keys -- issue --partner <partner-id> --role administrator --name "First administrator"`);
  log();
  log("Partner ids are 3-63 lowercase letters, digits or dashes. With the key, administrators issue more keys,");
  log("map Entra ID tenants or groups to their partner (POST /api/identity-mappings) and upload drops.");
}

async function main() {
  const appName = env.AZURE_FUNCTION_APP_NAME;
  const appUrl = env.AZURE_FUNCTION_APP_URL;
  if (!appName || !appUrl) {
    log("AZURE_FUNCTION_APP_NAME / AZURE_FUNCTION_APP_URL are not in the azd environment: run `azd provision` first.");
    process.exitCode = 1;
    return;
  }
  let subscribed = true;
  if (env.DROP_SUBSCRIPTION_DEPLOYED === "true") {
    log("BlobCreated events on drops/ already reach the ingestDrop blob trigger.");
  } else {
    subscribed = await subscribeDrops(appUrl);
  }
  log();
  log(`Partner opportunity insights is deployed: ${appUrl}/ (API under ${appUrl}/api, OpenAPI at ${appUrl}/api/openapi.json)`);
  if (!subscribed) {
    log();
    log("The BlobCreated subscription could not be created. Drops are still ingested: the sweep finds them within a");
    log("minute (SWEEP_SCHEDULE). To retry:  azd env set DEPLOY_DROP_SUBSCRIPTION true && azd provision");
  }
  printFirstKeyInstructions();
  if (!subscribed) process.exitCode = 1;
}

await main();
