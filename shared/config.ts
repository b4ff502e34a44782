import { z } from "zod";
import { guidPattern } from "./domain/common.js";
import { opportunitySettingsSchema } from "./domain/opportunities/inputs.js";

// Every setting the code reads, parsed once into the typed Config (its type is inferred from this schema).
// infra/ must declare each of these that applies in Azure (a test checks it).

const positiveInt = z.coerce.number().int().positive();
/** ENTRA_TENANT_ID that accepts work accounts of any tenant (each still needs a sign-in mapping to a partner). */
export const entraMultiTenant = "organizations";
const multiTenant = entraMultiTenant;

/** Entra ID's v2.0 token issuer ("{tenantid}" is the token's tenant) and the key set it publishes for a tenant. */
export function defaultEntraEndpoints(tenantId: string): { issuer: string; jwksUri: string } {
  return {
    issuer: "https://login.microsoftonline.com/{tenantid}/v2.0",
    jwksUri: `https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys`,
  };
}

// Infra declares every setting, some of them empty: an empty value means "not set".
const optionalText = z.preprocess((v) => (v === "" ? undefined : v), z.string().trim().min(1).optional());

const settingsSchema = z.object({
  COSMOS_ENDPOINT: z.string().url(),
  // Only for the local emulator; in Azure the app authenticates with its managed identity.
  COSMOS_KEY: z.string().min(1).optional(),
  COSMOS_DATABASE: z.string().min(1).default("insights"),
  /** A Cosmos DB request that has not answered after this long fails (and is retried if it may be). */
  COSMOS_REQUEST_TIMEOUT_MS: positiveInt.default(10_000),
  // Local: an Azurite connection string. Azure: identity-based (AzureWebJobsStorage__blobServiceUri / __queueServiceUri).
  AzureWebJobsStorage: z.string().min(1).optional(),
  AzureWebJobsStorage__blobServiceUri: z.string().url().optional(),
  AzureWebJobsStorage__queueServiceUri: z.string().url().optional(),
  AzureWebJobsStorage__clientId: z.string().min(1).optional(),
  INGEST_MAX_BYTES: positiveInt.default(256 * 1024 * 1024),
  INGEST_MAX_ERRORS_KEPT: positiveInt.default(100),
  /** A delivery working on a drop renews its lease; one silent for this long is taken over. */
  INGEST_LEASE_SECONDS: positiveInt.default(60),
  /** Deliveries of one drop before it ends failed instead of being retried forever. */
  INGEST_MAX_ATTEMPTS: positiveInt.default(5),
  /** The sweep's NCRONTAB schedule (finds drops without a final record and stalled ingestions). */
  SWEEP_SCHEDULE: z.string().min(1).default("0 */1 * * * *"),
  /** Longest a drop-triggered refresh waits for the partner's other files still being ingested (0: never). */
  REFRESH_SETTLE_SECONDS: z.coerce.number().int().min(0).max(600).default(60),
  /** Upload URLs (POST /api/uploads) expire after this many minutes. */
  UPLOAD_URL_MINUTES: positiveInt.max(60).default(15),
  /** Requests per minute one API key may make to one instance before it gets 429. */
  API_REQUESTS_PER_MINUTE: positiveInt.default(600),
  FRONTLINE_INDUSTRIES: z.string().default("Retail,Manufacturing,Healthcare,Hospitality,Transportation and Logistics"),
  /** Entra ID sign-in (beside API keys) is on when ENTRA_AUDIENCE is set: the app registration's tenant id, or "organizations". */
  ENTRA_TENANT_ID: optionalText.refine((v) => v === undefined || guidPattern.test(v) || v === multiTenant, {
    message: `must be a tenant id (GUID) or "${multiTenant}"`,
  }),
  /** Accepted token audiences, comma-separated: the app registration's client id and/or Application ID URI. */
  ENTRA_AUDIENCE: optionalText,
  /** Expected token issuer; "{tenantid}" stands for the token's tenant. Default: Entra ID's v2.0 issuer. */
  ENTRA_ISSUER: optionalText,
  /** Where the signing keys are published. Default: the tenant's v2.0 JWKS on login.microsoftonline.com. */
  ENTRA_JWKS_URI: z.preprocess((v) => (v === "" ? undefined : v), z.string().url().optional()),
  /** "true" only behind App Service authentication: then its x-ms-client-principal header is trusted. */
  ENTRA_TRUST_APP_SERVICE_AUTH: z.preprocess((v) => (v === "" ? undefined : v), z.enum(["true", "false"]).default("false")),
  /** Propensity: the fit model is relearned at least this often (and whenever tenants or subscriptions change). */
  PROPENSITY_FIT_EVERY_MONTHS: positiveInt.max(24).default(3),
  /** Propensity: a signal's weight halves every this many days. */
  PROPENSITY_INTENT_HALF_LIFE_DAYS: positiveInt.max(3650).default(30),
  /** Propensity: signal type weights over the defaults, "Demo request=1.5|Webinar=0.6" (empty: the defaults). */
  PROPENSITY_SIGNAL_WEIGHTS: z
    .string()
    .default("")
    .transform((text, ctx) => {
      const weights: Record<string, number> = {};
      for (const pair of text.split("|").map((p) => p.trim()).filter(Boolean)) {
        const at = pair.lastIndexOf("=");
        const type = pair.slice(0, at).trim();
        const weight = Number(pair.slice(at + 1).trim());
        if (at <= 0 || type === "" || pair.slice(at + 1).trim() === "" || !Number.isFinite(weight) || weight < 0) {
          ctx.addIssue({ code: "custom", message: `"${pair}" is not "signal type=weight" with a weight ≥ 0` });
          return z.NEVER;
        }
        weights[type] = weight;
      }
      return weights;
    }),
  /** Opportunities tab thresholds as JSON (bands, label horizon, churn share, ...; README "Opportunities tab"); {} = the defaults. */
  OPPORTUNITY_SETTINGS: z
    .string()
    .default("{}")
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "must be a JSON object" });
        return z.NEVER;
      }
    })
    .pipe(opportunitySettingsSchema),
});

export type Settings = z.infer<typeof settingsSchema>;

/** Names of every setting the code reads (infra/ declares those that apply in Azure; a test checks it). */
export const settingNames = Object.keys(settingsSchema.shape) as (keyof Settings)[];

export const configSchema = settingsSchema
  .refine((s) => Boolean(s.AzureWebJobsStorage || s.AzureWebJobsStorage__blobServiceUri), {
    message: "AzureWebJobsStorage or AzureWebJobsStorage__blobServiceUri is required",
    path: ["AzureWebJobsStorage"],
  })
  .refine((s) => !s.ENTRA_AUDIENCE || s.ENTRA_TENANT_ID, {
    message: "ENTRA_TENANT_ID is required when ENTRA_AUDIENCE is set",
    path: ["ENTRA_TENANT_ID"],
  })
  .transform((s) => ({
    cosmos: { endpoint: s.COSMOS_ENDPOINT, key: s.COSMOS_KEY, database: s.COSMOS_DATABASE, requestTimeoutMs: s.COSMOS_REQUEST_TIMEOUT_MS },
    storage: {
      connectionString: s.AzureWebJobsStorage,
      blobServiceUri: s.AzureWebJobsStorage__blobServiceUri,
      queueServiceUri: s.AzureWebJobsStorage__queueServiceUri,
      clientId: s.AzureWebJobsStorage__clientId,
    },
    ingest: {
      maxBytes: s.INGEST_MAX_BYTES,
      maxErrorsKept: s.INGEST_MAX_ERRORS_KEPT,
      leaseSeconds: s.INGEST_LEASE_SECONDS,
      maxAttempts: s.INGEST_MAX_ATTEMPTS,
    },
    sweepSchedule: s.SWEEP_SCHEDULE,
    refreshSettleSeconds: s.REFRESH_SETTLE_SECONDS,
    uploadUrlMinutes: s.UPLOAD_URL_MINUTES,
    apiRequestsPerMinute: s.API_REQUESTS_PER_MINUTE,
    frontlineIndustries: s.FRONTLINE_INDUSTRIES.split(",").map((x) => x.trim()).filter(Boolean),
    entra:
      s.ENTRA_AUDIENCE && s.ENTRA_TENANT_ID
        ? {
            tenantId: s.ENTRA_TENANT_ID,
            audiences: s.ENTRA_AUDIENCE.split(",").map((a) => a.trim()).filter(Boolean),
            issuer: s.ENTRA_ISSUER ?? defaultEntraEndpoints(s.ENTRA_TENANT_ID).issuer,
            jwksUri: s.ENTRA_JWKS_URI ?? defaultEntraEndpoints(s.ENTRA_TENANT_ID).jwksUri,
          }
        : undefined,
    trustAppServiceAuth: s.ENTRA_TRUST_APP_SERVICE_AUTH === "true",
    propensity: {
      fitEveryMonths: s.PROPENSITY_FIT_EVERY_MONTHS,
      halfLifeDays: s.PROPENSITY_INTENT_HALF_LIFE_DAYS,
      signalWeights: s.PROPENSITY_SIGNAL_WEIGHTS,
    },
    opportunitySettings: s.OPPORTUNITY_SETTINGS,
  }));

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  readonly code = "config_invalid";
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    // Names the settings at fault, never their values (a connection string may hold a key).
    const fields = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`Invalid settings: ${fields}`);
  }
  return parsed.data;
}

/** Names fixed by the code and declared in infra/ (a test checks both agree). */
export const names = {
  blobContainers: { drops: "drops", processed: "processed", rejected: "rejected", models: "models" },
  queues: { refresh: "refresh-jobs", ingest: "ingest-jobs", dealTraining: "deal-training-jobs" },
  // The app setting that holds the storage connection for triggers (identity-based in Azure).
  storageConnection: "AzureWebJobsStorage",
} as const;
