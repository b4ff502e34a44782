import { z } from "zod";
import { opportunitySettingsSchema } from "./domain/opportunities/inputs.js";

// Every setting the code reads, parsed once into the typed Config (its type is inferred from this schema).
// infra/ must declare each of these that applies in Azure (a test checks it).

const positiveInt = z.coerce.number().int().positive();

const settingsSchema = z.object({
  COSMOS_ENDPOINT: z.string().url(),
  // Only for the local emulator; in Azure the app authenticates with its managed identity.
  COSMOS_KEY: z.string().min(1).optional(),
  COSMOS_DATABASE: z.string().min(1).default("insights"),
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
  /** Upload URLs (POST /api/uploads) expire after this many minutes. */
  UPLOAD_URL_MINUTES: positiveInt.max(60).default(15),
  /** Requests per minute one API key may make to one instance before it gets 429. */
  API_REQUESTS_PER_MINUTE: positiveInt.default(600),
  FRONTLINE_INDUSTRIES: z.string().default("Retail,Manufacturing,Healthcare,Hospitality,Transportation and Logistics"),
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
  .transform((s) => ({
    cosmos: { endpoint: s.COSMOS_ENDPOINT, key: s.COSMOS_KEY, database: s.COSMOS_DATABASE },
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
    uploadUrlMinutes: s.UPLOAD_URL_MINUTES,
    apiRequestsPerMinute: s.API_REQUESTS_PER_MINUTE,
    frontlineIndustries: s.FRONTLINE_INDUSTRIES.split(",").map((x) => x.trim()).filter(Boolean),
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
  queues: { refresh: "refresh-jobs", ingest: "ingest-jobs" },
  // The app setting that holds the storage connection for triggers (identity-based in Azure).
  storageConnection: "AzureWebJobsStorage",
} as const;
