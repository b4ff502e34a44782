import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { cosmosContainers } from "../../shared/adapters/cosmos/layout.js";
import { azureInstanceMemoryMB, azureWorkerHeapMB } from "../../local/host/workerHeap.js";
import { loadConfig, names, settingNames } from "../../shared/config.js";

// The Bicep cannot be compiled here, so this test keeps it consistent with the code by reading its text:
// every setting, container, queue and function name the code relies on must be declared in infra/.

const root = join(import.meta.dirname, "..", "..");
const infraDir = join(root, "infra");
const read = (...parts: string[]) => readFileSync(join(root, ...parts), "utf8");

const mainBicep = read("infra", "main.bicep");
const moduleFiles = readdirSync(join(infraDir, "modules")).filter((f) => f.endsWith(".bicep"));
const modules = Object.fromEntries(moduleFiles.map((f) => [f, read("infra", "modules", f)]));
const allBicep = [mainBicep, ...Object.values(modules)].join("\n");

/** Settings that exist only on a developer machine (emulator key, Azurite connection string). */
const localOnlySettings = ["COSMOS_KEY", "AzureWebJobsStorage"] as const;

/** The text of a bracketed block that starts right after `opener` (e.g. "appSettings: ["). */
function block(text: string, opener: string): string {
  const start = text.indexOf(opener);
  if (start < 0) throw new Error(`"${opener}" not found in the Bicep`);
  const open = text[start + opener.length - 1];
  const close = open === "[" ? "]" : "}";
  let depth = 0;
  for (let i = start + opener.length - 1; i < text.length; i++) {
    if (text[i] === open) depth++;
    else if (text[i] === close && --depth === 0) return text.slice(start + opener.length, i);
  }
  throw new Error(`"${opener}" is not closed in the Bicep`);
}

const quoted = (text: string) => [...text.matchAll(/'([^']+)'/g)].map((m) => m[1]);
const appSettingsBlock = block(modules["functionApp.bicep"] ?? "", "appSettings: [");
const declaredSettings = [...appSettingsBlock.matchAll(/name:\s*'([^']+)'/g)].map((m) => m[1]);

function missing(expected: readonly string[], declared: readonly string[]): string[] {
  return expected.filter((name) => !declared.includes(name));
}

describe("infra declares what the code reads", () => {
  it("declares every app setting the code reads in Azure as a function app setting", () => {
    const azureSettings = settingNames.filter((n) => !(localOnlySettings as readonly string[]).includes(n));
    expect(missing(azureSettings, declaredSettings), "settings read by shared/config.ts but not declared in infra/modules/functionApp.bicep").toEqual([]);
    // The identity-based storage connection needs the credential type beside the service URIs.
    expect(declaredSettings).toContain("AzureWebJobsStorage__credential");
    expect(declaredSettings).toContain("APPLICATIONINSIGHTS_CONNECTION_STRING");
  });

  it("keeps local-only settings (emulator key, storage connection string) out of Azure", () => {
    // The list must name real settings, or this check would pass by accident.
    expect(missing(localOnlySettings, settingNames), "local-only settings unknown to shared/config.ts").toEqual([]);
    const present = localOnlySettings.filter((n) => declaredSettings.includes(n));
    expect(present, "local-only settings must not be app settings in Azure").toEqual([]);
  });

  it("declares no app setting that Flex Consumption forbids", () => {
    const forbidden = ["FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "AzureWebJobsStorage"];
    expect(declaredSettings.filter((n) => forbidden.includes(n))).toEqual([]);
  });

  it("declares every Cosmos DB container of cosmosLayout.ts with the same partition key", () => {
    const declared = new Map(
      [...block(mainBicep, "var cosmosContainers = [").matchAll(/name:\s*'([^']+)'\s*\n\s*partitionKey:\s*'([^']+)'/g)].map((m) => [m[1], m[2]]),
    );
    for (const def of Object.values(cosmosContainers)) {
      expect(declared.has(def.id), `Cosmos container "${def.id}" is not declared in infra/main.bicep`).toBe(true);
      expect(declared.get(def.id), `Cosmos container "${def.id}" has another partition key in infra/main.bicep`).toBe(def.partitionKey);
    }
    // The module must actually use the declared key for each container.
    expect(modules["cosmos.bicep"]).toMatch(/paths:\s*\[\s*container\.partitionKey\s*\]/);
  });

  it("names the Cosmos DB database the code uses by default", () => {
    const database = loadConfig({ COSMOS_ENDPOINT: "http://127.0.0.1:1", AzureWebJobsStorage: "local" }).cosmos.database;
    expect(mainBicep).toContain(`var cosmosDatabaseName = '${database}'`);
  });

  it("declares every blob container and queue of config.ts names, with the runtime's poison queues", () => {
    const containers = quoted(block(mainBicep, "var blobContainerNames = ["));
    expect(missing(Object.values(names.blobContainers), containers), "blob containers missing from infra/main.bicep").toEqual([]);
    const queues = quoted(block(mainBicep, "var queueNames = ["));
    const expectedQueues = [
      ...Object.values(names.queues),
      // The Functions runtime moves a message that failed maxDequeueCount times to "{queue}-poison".
      ...Object.values(names.queues).map((q) => `${q}-poison`),
      "webjobs-blobtrigger-poison",
    ];
    expect(missing(expectedQueues, queues), "queues missing from infra/main.bicep").toEqual([]);
    expect(modules["storage.bicep"]).toMatch(/for containerName in blobContainerNames/);
    expect(modules["storage.bicep"]).toMatch(/for queueName in queueNames/);
  });

  it("subscribes the blob trigger webhook to BlobCreated events on drops/", () => {
    const functionName = /var ingestFunctionName = '([^']+)'/.exec(mainBicep)?.[1];
    expect(functionName, "infra/main.bicep must name the blob-triggered function (ingestFunctionName)").toBeTruthy();
    expect(mainBicep).toMatch(/functionName:\s*ingestFunctionName/);
    expect(modules["dropSubscription.bicep"]).toContain("/runtime/webhooks/blobs?functionName=Host.Functions.${functionName}");
    expect(modules["dropSubscription.bicep"]).toContain("'Microsoft.Storage.BlobCreated'");
    expect(mainBicep).toMatch(/containerName:\s*'drops'/);
  });

  it("points the Event Grid subscription at the blob trigger registered in functions/ (Event Grid source, drops/)", () => {
    const functionName = /var ingestFunctionName = '([^']+)'/.exec(mainBicep)?.[1];
    const functionFiles = readdirSync(join(root, "functions")).filter((f) => /\.[cm]?ts$/.test(f));
    const registrations = functionFiles.flatMap((f) =>
      [...read("functions", f).matchAll(/app\.storageBlob\(\s*["'`]([^"'`]+)["'`],\s*\{([\s\S]*?)handler/g)].map((m) => ({ name: m[1], options: m[2] })),
    );
    const registered = registrations.find((r) => r.name === functionName);
    expect(registered, `no blob trigger named "${functionName}" is registered with app.storageBlob in functions/ (found: ${registrations.map((r) => r.name).join(", ") || "none"})`).toBeDefined();
    // Flex Consumption delivers blob triggers only through Event Grid.
    expect(registered!.options, `${functionName} must use source: "EventGrid"`).toMatch(/source:\s*["']EventGrid["']/);
    expect(registered!.options, `${functionName} must watch the drops container`).toMatch(/names\.blobContainers\.drops|["'`]drops\//);
  });
});

describe("infra uses identities, not keys", () => {
  it("disables shared keys on storage and local auth on Cosmos DB and Application Insights", () => {
    expect(modules["storage.bicep"]).toContain("allowSharedKeyAccess: false");
    expect(modules["storage.bicep"]).toContain("allowBlobPublicAccess: false");
    expect(modules["storage.bicep"]).toContain("minimumTlsVersion: 'TLS1_2'");
    expect(modules["cosmos.bicep"]).toContain("disableLocalAuth: true");
    expect(modules["monitoring.bicep"]).toContain("DisableLocalAuth: true");
  });

  it("grants the app identity the data roles it needs", () => {
    const roles = {
      "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
      "Storage Queue Data Contributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
      "Cosmos DB Built-in Data Contributor": "00000000-0000-0000-0000-000000000002",
      "Monitoring Metrics Publisher": "3913510d-42f4-4e42-8a64-420c390055eb",
    };
    const absent = Object.entries(roles).filter(([, id]) => !allBicep.includes(id)).map(([role]) => role);
    expect(absent, "role assignments missing from infra/").toEqual([]);
    expect(modules["cosmos.bicep"]).toContain("Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments");
  });

  it("runs on Flex Consumption with Node 20+ and 2,048 MB instances", () => {
    const app = modules["functionApp.bicep"];
    expect(app).toContain("tier: 'FlexConsumption'");
    expect(app).toContain("name: 'FC1'");
    expect(app).toContain("kind: 'functionapp,linux'");
    expect(app).toContain(`var instanceMemoryMB = ${azureInstanceMemoryMB}`);
    expect(app).toContain("instanceMemoryMB: instanceMemoryMB");
    expect(app).toMatch(/runtime: \{\s*name: 'node'/);
    expect(app).toMatch(/type: 'UserAssignedIdentity'/);
    const nodeVersions = quoted(/@allowed\(\[([^\]]*)\]\)\s*param nodeVersion/.exec(mainBicep)?.[1] ?? "");
    expect(nodeVersions.length).toBeGreaterThan(0);
    expect(nodeVersions.every((v) => Number(v) >= 20), `node versions ${nodeVersions.join(", ")}`).toBe(true);
  });

  it("starts the Node worker with the heap the benchmark's host runs with: half the instance", () => {
    const app = modules["functionApp.bicep"];
    expect(app).toContain("var nodeHeapMB = instanceMemoryMB / 2");
    expect(azureWorkerHeapMB).toBe(azureInstanceMemoryMB / 2);
    expect(declaredSettings).toContain("languageWorkers__node__arguments");
    expect(app).toMatch(/name: 'languageWorkers__node__arguments'\s*value: '--max-old-space-size=\$\{nodeHeapMB\}'/);
  });

  it("contains no secret-looking strings", () => {
    const suspicious = [
      /AccountKey=/i,
      /SharedAccessSignature|\bsig=/i,
      /InstrumentationKey=/i,
      /listConnectionStrings|primaryMasterKey|primaryKey/,
      /COSMOS_KEY/,
    ];
    // Long base64 runs mixing digits and both cases look like keys (resource type paths have no digits).
    const keyLike = (text: string) =>
      [...text.matchAll(/[A-Za-z0-9+/]{40,}={0,2}/g)].map((m) => m[0]).filter((t) => /\d/.test(t) && /[a-z]/.test(t) && /[A-Z]/.test(t));
    const files = { "main.bicep": mainBicep, "main.parameters.json": read("infra", "main.parameters.json"), ...modules };
    const found = Object.entries(files).flatMap(([file, text]) => {
      const code = text.replace(/^\s*\/\/.*$/gm, "");
      return [...suspicious.filter((re) => re.test(code)).map((re) => `${file}: ${re}`), ...keyLike(code).map((t) => `${file}: ${t}`)];
    });
    expect(found, "secret-looking strings in infra/").toEqual([]);
    // The only key read is the blob extension's webhook key, at deployment time.
    const listKeys = [...allBicep.matchAll(/listKeys\(([^)]*)\)(\.[\w.]+)?/g)].map((m) => `${m[1]}${m[2] ?? ""}`);
    expect(listKeys.every((call) => call.includes("/host/default") && call.endsWith(".systemKeys.blobs_extension")), listKeys.join("; ")).toBe(true);
  });

  it("passes only parameters that main.bicep declares", () => {
    const parameters = Object.keys(JSON.parse(read("infra", "main.parameters.json")).parameters as object);
    const declared = [...mainBicep.matchAll(/^param (\w+) /gm)].map((m) => m[1]);
    expect(missing(parameters, declared), "infra/main.parameters.json passes undeclared parameters").toEqual([]);
  });
});

// ---- azd up: azure.yaml, the environment's parameters, tags, the post-deploy hook ------------------------

const azureYaml = parseYaml(read("azure.yaml")) as {
  name: string;
  infra: { provider: string; path: string; module: string };
  services: Record<string, { project: string; language: string; host: string; dist?: string; remoteBuild?: boolean; hooks?: Record<string, Record<string, { run: string }>> }>;
  hooks: Record<string, Record<string, { run: string; shell: string }>>;
};
const parametersFile = JSON.parse(read("infra", "main.parameters.json")) as { parameters: Record<string, { value: unknown }> };
const postDeployHook = read("scripts", "hooks", "postdeploy.mjs");
const declaredOutputs = [...mainBicep.matchAll(/^output (\w+) /gm)].map((m) => m[1]);

describe("azd up", () => {
  it("deploys one function service to the app tagged with its name, from infra/main.bicep", () => {
    expect(azureYaml.infra).toEqual({ provider: "bicep", path: "infra", module: "main" });
    const services = Object.entries(azureYaml.services);
    expect(services).toHaveLength(1);
    const [name, service] = services[0];
    expect(service).toMatchObject({ project: ".", host: "function", language: "ts" });
    // azd deploys to the resource whose azd-service-name tag is the service's name.
    expect(modules["functionApp.bicep"]).toContain(`param serviceName string = '${name}'`);
    expect(modules["functionApp.bicep"]).toMatch(/tags: union\(tags, \{ 'azd-service-name': serviceName \}\)/);
  });

  it("deploys the production package that npm run package stages, built locally (no build in Azure)", () => {
    const service = Object.values(azureYaml.services)[0];
    expect(service.dist).toBe(".deploy");
    expect(read("scripts", "package.ts")).toContain('path.join(projectRoot, ".deploy")');
    const prepackage = Object.values(service.hooks?.prepackage ?? {}).map((h) => h.run);
    expect(prepackage.length).toBeGreaterThan(0);
    expect(prepackage.every((run) => run === "npm run package")).toBe(true);
    expect(JSON.parse(read("package.json")).scripts.package).toBe("tsx scripts/package.ts");
    // remoteBuild false needs node_modules kept in the package (azd checks .funcignore agrees).
    expect(service.remoteBuild).toBe(false);
    const ignored = read(".funcignore").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
    expect(ignored.filter((l) => /node_modules/.test(l))).toEqual([]);
    expect(ignored).toContain("/local.settings.json");
    // Anchored entries only (besides file patterns): an unanchored "functions/" would also drop dist/functions.
    expect(ignored.filter((l) => l.endsWith("/") && !l.startsWith("/"))).toEqual([]);
  });

  it("takes the environment's name, location and signed-in principal as parameters", () => {
    const values = Object.fromEntries(Object.entries(parametersFile.parameters).map(([k, v]) => [k, v.value]));
    expect(values).toMatchObject({
      environmentName: "${AZURE_ENV_NAME}",
      location: "${AZURE_LOCATION}",
      operatorPrincipalId: "${AZURE_PRINCIPAL_ID}",
    });
    expect(values.deployDropSubscription).toMatch(/^\$\{DEPLOY_DROP_SUBSCRIPTION(=false)?\}$/);
  });

  it("tags every resource with azd-env-name", () => {
    expect(mainBicep).toMatch(/var tags = \{\s*'azd-env-name': environmentName\s*\}/);
    for (const [file, text] of Object.entries(modules)) {
      const topLevel = (text.match(/\n {2}location: location\n/g) ?? []).length;
      const tagged = (text.match(/\n {2}location: location\n {2}tags: (tags|union\(tags,[^\n]*\))\n/g) ?? []).length;
      expect(tagged, `${file}: every resource with a location carries the tags`).toBe(topLevel);
    }
    const moduleBlocks = [...mainBicep.matchAll(/^module \w+ '[^']+' = (?:if \([^)]*\) )?\{([\s\S]*?)^\}/gm)].map((m) => m[1]);
    const withLocation = moduleBlocks.filter((b) => /\n {4}location: location\n/.test(b));
    expect(withLocation.length).toBeGreaterThan(5);
    expect(withLocation.every((b) => /\n {4}location: location\n {4}tags: tags\n/.test(b))).toBe(true);
  });

  it("runs the post-deploy hook with node on every platform, and resets the second pass after azd down", () => {
    for (const platform of ["posix", "windows"]) {
      expect(azureYaml.hooks.postdeploy[platform].run, platform).toBe("node scripts/hooks/postdeploy.mjs");
      expect(azureYaml.hooks.postdown[platform].run, platform).toBe("azd env set DEPLOY_DROP_SUBSCRIPTION false");
    }
  });

  it("gives the hook every output it reads, and the hook sets the variable the parameters file reads", () => {
    // Variables azd itself sets, and the hook's own tuning knobs, are not outputs.
    const azdOwn: string[] = [];
    const read = [...new Set([...postDeployHook.matchAll(/env\.([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]))].filter((n) => !azdOwn.includes(n) && !n.startsWith("POI_HOOK_"));
    expect(read.length).toBeGreaterThan(3);
    expect(missing(read, declaredOutputs), "variables the hook reads that main.bicep does not output").toEqual([]);
    expect(postDeployHook).toContain('["env", "set", "DEPLOY_DROP_SUBSCRIPTION", "true"]');
    expect(postDeployHook).toContain('["provision", "--no-prompt"]');
    expect(mainBicep).toMatch(/output DROP_SUBSCRIPTION_DEPLOYED bool = deployDropSubscription/);
    expect(mainBicep).toMatch(/module dropSubscription 'modules\/dropSubscription\.bicep' = if \(deployDropSubscription\)/);
  });

  it("dead-letters undeliverable BlobCreated events into a declared container, with the topic's identity", () => {
    const container = /var deadLetterContainerName = '([^']+)'/.exec(mainBicep)?.[1];
    expect(container).toBeTruthy();
    expect(mainBicep).toMatch(/blobContainerNames: concat\(blobContainerNames, \[[^\]]*deadLetterContainerName[^\]]*\]\)/);
    expect(modules["dropSubscription.bicep"]).toMatch(/deadLetterWithResourceIdentity: \{[\s\S]*type: 'SystemAssigned'[\s\S]*endpointType: 'StorageBlob'[\s\S]*blobContainerName: deadLetterContainerName/);
    expect(modules["eventGrid.bicep"]).toMatch(/identity: \{\s*type: 'SystemAssigned'\s*\}/);
    // Storage Blob Data Contributor for the topic, on that container (shared keys are disabled).
    expect(modules["eventGrid.bicep"]).toMatch(/scope: deadLetterContainer[\s\S]*principalId: systemTopic\.identity\.principalId/);
    const blocks = [...mainBicep.matchAll(/^module (eventGrid|dropSubscription) [\s\S]*?^\}/gm)].map((m) => m[0]);
    expect(blocks.every((b) => b.includes("deadLetterContainerName: deadLetterContainerName"))).toBe(true);
  });

  it("runs Node 22 by default", () => {
    expect(mainBicep).toMatch(/param nodeVersion string = '22'/);
  });

  it("declares the Entra ID sign-in settings with the app registration left to the README (no Graph extension)", () => {
    for (const setting of ["ENTRA_TENANT_ID", "ENTRA_AUDIENCE", "ENTRA_ISSUER", "ENTRA_JWKS_URI", "ENTRA_TRUST_APP_SERVICE_AUTH"]) {
      expect(declaredSettings, setting).toContain(setting);
    }
    expect(mainBicep).toMatch(/param entraTrustAppServiceAuth bool = false/);
    expect(allBicep).not.toContain("Microsoft.Graph");
  });

  it("declares App Service authentication for the page only when its client id is given, letting anonymous callers (API keys) through", () => {
    expect(mainBicep).toMatch(/param appServiceAuthClientId string = ''/);
    const app = modules["functionApp.bicep"];
    expect(app).toMatch(/resource appServiceAuth 'Microsoft\.Web\/sites\/config@[\d-]+' = if \(!empty\(appServiceAuthClientId\)\) \{\s*parent: app\s*name: 'authsettingsV2'/);
    expect(app).toMatch(/requireAuthentication: false\s*unauthenticatedClientAction: 'AllowAnonymous'/);
    expect(app).toMatch(/clientId: appServiceAuthClientId\s*openIdIssuer: appServiceAuthIssuer/);
    expect(mainBicep).toMatch(/appServiceAuthIssuer: '\$\{environment\(\)\.authentication\.loginEndpoint\}.*\/v2\.0'/);
    expect(JSON.parse(read("infra", "main.parameters.json")).parameters.appServiceAuthClientId).toEqual({ value: "${APP_SERVICE_AUTH_CLIENT_ID=}" });
  });
});
