import { z } from "zod";

// Every setting the code reads, parsed once. infra/ must declare each of these (a test checks it).
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
  INGEST_MAX_BYTES: z.coerce.number().int().positive().default(256 * 1024 * 1024),
  INGEST_MAX_ERRORS_KEPT: z.coerce.number().int().positive().default(100),
  FRONTLINE_INDUSTRIES: z
    .string()
    .default("Retail,Manufacturing,Healthcare,Hospitality,Transportation and Logistics"),
});

export type Settings = z.infer<typeof settingsSchema>;

/** Names of every setting the code reads (infra/ declares those that apply in Azure; a test checks it). */
export const settingNames = Object.keys(settingsSchema.shape) as (keyof Settings)[];

export interface Config {
  cosmos: { endpoint: string; key?: string; database: string };
  storage: { connectionString?: string; blobServiceUri?: string; queueServiceUri?: string; clientId?: string };
  ingest: { maxBytes: number; maxErrorsKept: number };
  frontlineIndustries: string[];
}

export class ConfigError extends Error {
  readonly code = "config_invalid";
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`Invalid settings: ${fields}`);
  }
  const s = parsed.data;
  if (!s.AzureWebJobsStorage && !s.AzureWebJobsStorage__blobServiceUri) {
    throw new ConfigError("Invalid settings: AzureWebJobsStorage or AzureWebJobsStorage__blobServiceUri is required");
  }
  return {
    cosmos: { endpoint: s.COSMOS_ENDPOINT, key: s.COSMOS_KEY, database: s.COSMOS_DATABASE },
    storage: {
      connectionString: s.AzureWebJobsStorage,
      blobServiceUri: s.AzureWebJobsStorage__blobServiceUri,
      queueServiceUri: s.AzureWebJobsStorage__queueServiceUri,
      clientId: s.AzureWebJobsStorage__clientId,
    },
    ingest: { maxBytes: s.INGEST_MAX_BYTES, maxErrorsKept: s.INGEST_MAX_ERRORS_KEPT },
    frontlineIndustries: s.FRONTLINE_INDUSTRIES.split(",").map((x) => x.trim()).filter(Boolean),
  };
}

/** Names fixed by the code and declared in infra/ (a test checks both agree). */
export const names = {
  blobContainers: { drops: "drops", processed: "processed", rejected: "rejected" },
  queues: { refresh: "refresh-jobs" },
  // The app setting that holds the storage connection for triggers (identity-based in Azure).
  storageConnection: "AzureWebJobsStorage",
} as const;
