import { createClients, type Clients } from "./adapters/clients.js";
import { createApiKeyStore, createSealingKeyStore } from "./adapters/cosmos/apiKeys.js";
import { createIngestionReader, createIngestionStore } from "./adapters/cosmos/ingestions.js";
import { createOpportunityFeedbackStore, createOpportunityModelRegistry } from "./adapters/cosmos/opportunities.js";
import { createPartnerDataReader, createStagingStore } from "./adapters/cosmos/partnerData.js";
import { createPartnerRegistry } from "./adapters/cosmos/partners.js";
import { createResultReader, createResultSetStore } from "./adapters/cosmos/results.js";
import { requestBudget, withCosmosRetry } from "./adapters/cosmos/retry.js";
import { createDropStore } from "./adapters/storage/drops.js";
import { createIngestQueue, createRefreshQueue } from "./adapters/storage/queues.js";
import { createModelStore } from "./adapters/storage/models.js";
import { createUploadUrlIssuer } from "./adapters/storage/uploads.js";
import { createTokenSealer, type TokenSealer } from "./api/continuation.js";
import { createApiKeyAuth, createRejectionLog, type ApiKeyAuth } from "./auth/apiKeys.js";
import { loadConfig, names, type Config } from "./config.js";
import type { IngestDeps } from "./ingest/ingestDrop.js";
import type { SweepDeps } from "./ingest/sweepDrops.js";
import type { DropStore, IngestionReader } from "./ports/ingest.js";
import type { ModelStore } from "./ports/models.js";
import type { OpportunityFeedbackStore, OpportunityModelRegistry } from "./ports/opportunities.js";
import type { PartnerDataReader } from "./ports/partnerData.js";
import type { OpportunitySettings } from "./domain/opportunities/index.js";
import type { PartnerReader, PartnerRegistry } from "./ports/partners.js";
import type { RefreshQueue } from "./ports/refreshQueue.js";
import type { ResultReader } from "./ports/results.js";
import type { UploadUrlIssuer } from "./ports/uploads.js";
import { cloudEndpointsProducer } from "./refresh/producers/cloudEndpoints.js";
import { opportunitiesProducer } from "./refresh/producers/opportunities.js";
import type { RefreshDeps } from "./refresh/refreshPartner.js";

// The composition root: settings parsed and SDK clients built once per process (on first use, so a function
// file can be imported without any setting present), then every adapter, and from them what each use case and
// handler needs. Handlers receive use-case-shaped dependencies, never an SDK client or container.

export interface Services {
  config: Config;
  clients: Clients;
}

/** What the HTTP handlers need. */
export interface ApiDeps {
  config: Pick<Config, "uploadUrlMinutes">;
  auth: ApiKeyAuth;
  rejections: ReturnType<typeof createRejectionLog>;
  partners: PartnerReader;
  results: ResultReader;
  ingestions: IngestionReader;
  refreshQueue: RefreshQueue;
  uploads: UploadUrlIssuer;
  /** Seals and opens continuation tokens (the key is read once per process). */
  tokens(): Promise<TokenSealer>;
  /** Cheap reachability checks; each rejects when its store is unreachable. */
  health: { cosmos(): Promise<unknown>; storage(): Promise<unknown> };
  opportunities: OpportunitiesApiDeps;
}

/** What the Opportunities routes need beyond the result reader. */
export interface OpportunitiesApiDeps {
  feedback: OpportunityFeedbackStore;
  models: Pick<OpportunityModelRegistry, "read">;
  /** Live partner data, for the customer detail's subscriptions and usage. */
  data: PartnerDataReader;
  settings: OpportunitySettings;
}

export interface ScheduleDeps {
  partners: Pick<PartnerRegistry, "listForSchedule">;
  queue: RefreshQueue;
}

export interface IngestQueueDeps {
  ingest: IngestDeps;
  drops: DropStore;
}

export interface AppDeps {
  api: ApiDeps;
  ingest: IngestDeps;
  ingestQueue: IngestQueueDeps;
  sweep: SweepDeps;
  refresh: RefreshDeps;
  schedule: ScheduleDeps;
  /** For failure records written beside a refresh. */
  partners: PartnerRegistry;
  /** Trained model artifacts (JSON in Blob Storage). */
  models: ModelStore;
}

export function wire({ config, clients }: Services): AppDeps {
  const { containers, blobs, queues } = clients;
  const partners = createPartnerRegistry(containers.partners);
  const ingestions = createIngestionStore(containers.ingestions);
  const staging = createStagingStore(containers.partnerData);
  const drops = createDropStore(blobs);
  const refreshQueue = createRefreshQueue(queues);
  const sealing = createSealingKeyStore(containers.partners);
  const results = createResultReader(containers.results);
  const models = createModelStore(blobs);
  const opportunityFeedback = createOpportunityFeedbackStore(containers.partners);
  const opportunityModels = createOpportunityModelRegistry(containers.partners);
  let sealer: Promise<TokenSealer> | undefined;

  const ingest: IngestDeps = {
    limits: {
      maxBytes: config.ingest.maxBytes,
      maxErrorsKept: config.ingest.maxErrorsKept,
      leaseMs: config.ingest.leaseSeconds * 1000,
      maxAttempts: config.ingest.maxAttempts,
    },
    ingestions,
    staging,
    drops,
    partners,
    refreshQueue,
  };

  return {
    api: {
      config: { uploadUrlMinutes: config.uploadUrlMinutes },
      auth: createApiKeyAuth(createApiKeyStore(containers.partners), { requestsPerMinute: config.apiRequestsPerMinute }),
      rejections: createRejectionLog(),
      partners,
      results,
      ingestions: createIngestionReader(containers.ingestions),
      refreshQueue,
      uploads: createUploadUrlIssuer(blobs),
      tokens: () => {
        sealer ??= sealing.sealingKey().then(createTokenSealer, (err) => {
          sealer = undefined;
          throw err;
        });
        return sealer;
      },
      health: {
        cosmos: () => withCosmosRetry("checking Cosmos DB", () => clients.database.read(), requestBudget),
        storage: () => blobs.getContainerClient(names.blobContainers.drops).getProperties(),
      },
      opportunities: {
        feedback: opportunityFeedback,
        models: opportunityModels,
        data: createPartnerDataReader(containers.partnerData, ingestions),
        settings: config.opportunitySettings,
      },
    },
    ingest,
    ingestQueue: { ingest, drops },
    sweep: { drops, ingestions, queue: createIngestQueue(queues), leaseMs: ingest.limits.leaseMs },
    refresh: {
      partners,
      data: createPartnerDataReader(containers.partnerData, ingestions),
      results: createResultSetStore(containers.results),
      producers: [
        cloudEndpointsProducer({ data: createPartnerDataReader(containers.partnerData, ingestions), frontlineIndustries: config.frontlineIndustries }),
        opportunitiesProducer({
          // The history is read whole: large pages of the small snapshot documents, smaller ones of usage months.
          data: {
            snapshots: createPartnerDataReader(containers.partnerData, ingestions, { pageSize: 25_000 }),
            usage: createPartnerDataReader(containers.partnerData, ingestions, { pageSize: 2_500 }),
          },
          results,
          feedback: opportunityFeedback,
          registry: opportunityModels,
          models,
          settings: config.opportunitySettings,
        }),
      ],
      cleanup: { ingestions, staging },
    },
    schedule: { partners, queue: refreshQueue },
    partners,
    models,
  };
}

// ---- one set of services per process --------------------------------------------------------------

let services: Services | undefined;

export function getServices(): Services {
  if (!services) {
    const config = loadConfig();
    services = { config, clients: createClients(config) };
  }
  return services;
}

/** For hosts and tests that start fresh emulators in the same process. */
export function resetServices(): void {
  services = undefined;
}

/**
 * Something built from the services, built on first use and again after resetServices, so nothing keeps
 * clients of emulators that are gone.
 */
export function fromServices<T>(build: (services: Services) => T): () => T {
  const built = new WeakMap<Services, T>();
  return () => {
    const current = getServices();
    if (!built.has(current)) built.set(current, build(current));
    return built.get(current)!;
  };
}

/** The app's dependencies, wired once per set of services. */
export const appDeps = fromServices(wire);
