import { createClients, type Clients } from "./adapters/clients.js";
import { createApiKeyStore, createSealingKeyStore } from "./adapters/cosmos/apiKeys.js";
import { createDealModelStore } from "./adapters/cosmos/dealModels.js";
import { createPartnerDocuments } from "./adapters/cosmos/partnerDocuments.js";
import { createScoreHistoryStore } from "./adapters/cosmos/dealScoreHistory.js";
import { createIdentityMappingStore } from "./adapters/cosmos/identities.js";
import { createIngestionReader, createIngestionStore } from "./adapters/cosmos/ingestions.js";
import { createOpportunityFeedbackStore, createOpportunityModelRegistry } from "./adapters/cosmos/opportunities.js";
import { createPartnerDataReader, createStagingStore } from "./adapters/cosmos/partnerData.js";
import { createPartnerRegistry } from "./adapters/cosmos/partners.js";
import { createClusterMappingStore, createFitModelRecords } from "./adapters/cosmos/propensity.js";
import { createResultReader, createResultSetStore } from "./adapters/cosmos/results.js";
import { requestBudget, withCosmosRetry } from "./adapters/cosmos/retry.js";
import { createDropStore } from "./adapters/storage/drops.js";
import { createDealTrainingQueue, createIngestQueue, createRefreshQueue } from "./adapters/storage/queues.js";
import { createModelStore } from "./adapters/storage/models.js";
import { createPartnerBlobs } from "./adapters/storage/partnerBlobs.js";
import { createUploadUrlIssuer } from "./adapters/storage/uploads.js";
import { createTokenSealer, type TokenSealer } from "./api/continuation.js";
import { createApiKeyAuth, createRejectionLog, type ApiKeyAuth } from "./auth/apiKeys.js";
import { createEntraTokenVerifier } from "./auth/entraTokens.js";
import { createIdentityMappings, type IdentityMappings } from "./auth/identityMappings.js";
import { createRequestBudgets } from "./auth/requestBudget.js";
import { createSignIn, type SignIn } from "./auth/signIn.js";
import { loadConfig, names, type Config } from "./config.js";
import type { DealModelDeps } from "./dealScoring/models.js";
import { createDealsReader } from "./dealScoring/readDeals.js";
import type { RetrainScheduleDeps } from "./dealScoring/retrainSchedule.js";
import type { DealTrainingDeps } from "./dealScoring/trainingJob.js";
import type { IngestDeps } from "./ingest/ingestDrop.js";
import type { OffboardingDeps } from "./offboarding/offboarding.js";
import type { SweepDeps } from "./ingest/sweepDrops.js";
import type { DropStore, IngestionReader } from "./ports/ingest.js";
import type { ScoreHistoryStore } from "./ports/dealScoring.js";
import type { ModelStore } from "./ports/models.js";
import type { OpportunityFeedbackStore, OpportunityModelRegistry } from "./ports/opportunities.js";
import type { PartnerDataReader } from "./ports/partnerData.js";
import type { OpportunitySettings } from "./domain/opportunities/index.js";
import type { PartnerReader, PartnerRegistry } from "./ports/partners.js";
import type { ClusterMappingStore } from "./ports/propensity.js";
import type { RefreshQueue } from "./ports/refreshQueue.js";
import type { ResultReader } from "./ports/results.js";
import type { UploadUrlIssuer } from "./ports/uploads.js";
import { propensitySettingsSchema } from "./domain/propensity/score.js";
import { cloudEndpointsProducer } from "./refresh/producers/cloudEndpoints.js";
import { dealScoresProducer } from "./refresh/producers/dealScores.js";
import { propensityProducer } from "./refresh/producers/propensity.js";
import { opportunitiesProducer } from "./refresh/producers/opportunities.js";
import type { RefreshDeps } from "./refresh/refreshPartner.js";
import type { RefreshSettleDeps } from "./refresh/settle.js";

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
  /** Who is calling: an API key, an Entra ID token, or a trusted App Service principal. */
  signIn: SignIn;
  /** API keys: issue, list, revoke. */
  auth: ApiKeyAuth;
  /** Sign-in mappings (Entra tenant or group → partner). */
  identities: IdentityMappings;
  rejections: ReturnType<typeof createRejectionLog>;
  partners: PartnerReader;
  results: ResultReader;
  ingestions: IngestionReader;
  refreshQueue: RefreshQueue;
  uploads: UploadUrlIssuer;
  /** The Propensity tab's cell → cluster mapping, per partner. */
  clusterMappings: ClusterMappingStore;
  /** Seals and opens continuation tokens (the key is read once per process). */
  tokens(): Promise<TokenSealer>;
  /** Cheap reachability checks; each rejects when its store is unreachable. */
  health: { cosmos(): Promise<unknown>; storage(): Promise<unknown> };
  opportunities: OpportunitiesApiDeps;
  /** Deal scoring: models, their training queue, the deals, each deal's score history. */
  dealScoring: DealScoringApiDeps;
}

export interface DealScoringApiDeps extends DealModelDeps {
  scoreHistory: ScoreHistoryStore;
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
  /** A drop-triggered refresh waits for the partner's other files still being ingested. */
  refreshSettle: RefreshSettleDeps;
  schedule: ScheduleDeps;
  /** For failure records written beside a refresh. */
  partners: PartnerRegistry;
  /** Trained model artifacts (JSON in Blob Storage). */
  models: ModelStore;
  /** The deal model training queue's job and the retraining timer. */
  dealTraining: DealTrainingDeps;
  retrainSchedule: RetrainScheduleDeps;
  /** Marking partners off-boarded and deleting their data 30 days later. */
  offboarding: OffboardingDeps;
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
  const clusterMappings = createClusterMappingStore(containers.partners);
  const data = createPartnerDataReader(containers.partnerData, ingestions);
  const opportunityFeedback = createOpportunityFeedbackStore(containers.partners);
  const opportunityModels = createOpportunityModelRegistry(containers.partners);
  let sealer: Promise<TokenSealer> | undefined;
  const partnerData = data;
  const dealModels = createDealModelStore(containers.partners);
  const scoreHistory = createScoreHistoryStore(containers.partners);
  const deals = createDealsReader(partnerData);
  const dealTrainingQueue = createDealTrainingQueue(queues);
  // One request budget per caller and instance, however they sign in.
  const budgets = createRequestBudgets(config.apiRequestsPerMinute);
  const auth = createApiKeyAuth(createApiKeyStore(containers.partners), { budgets });
  const identities = createIdentityMappings(createIdentityMappingStore(containers.partners));

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
      signIn: createSignIn({
        apiKeys: auth,
        entra: config.entra ? createEntraTokenVerifier(config.entra) : undefined,
        mappings: identities,
        budgets,
        trustAppServicePrincipal: config.trustAppServiceAuth,
      }),
      auth,
      identities,
      rejections: createRejectionLog(),
      partners,
      results,
      ingestions: createIngestionReader(containers.ingestions),
      refreshQueue,
      uploads: createUploadUrlIssuer(blobs),
      clusterMappings,
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
      dealScoring: { models: dealModels, artifacts: models, deals, trainingQueue: dealTrainingQueue, refreshQueue, scoreHistory },
      opportunities: {
        feedback: opportunityFeedback,
        models: opportunityModels,
        data,
        settings: config.opportunitySettings,
      },
    },
    ingest,
    ingestQueue: { ingest, drops },
    sweep: { drops, ingestions, queue: createIngestQueue(queues), leaseMs: ingest.limits.leaseMs },
    refresh: {
      partners,
      data,
      results: createResultSetStore(containers.results),
      producers: [
        cloudEndpointsProducer({ data, frontlineIndustries: config.frontlineIndustries }),
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
        dealScoresProducer({ data, models: dealModels, artifacts: models, scoreHistory }),
        propensityProducer({
          data,
          models,
          fitModels: createFitModelRecords(containers.partners),
          clusterMappings,
          settings: propensitySettingsSchema.parse({
            intent: { halfLifeDays: config.propensity.halfLifeDays, signalWeights: config.propensity.signalWeights },
          }),
          fitEveryMonths: config.propensity.fitEveryMonths,
        }),
      ],
      cleanup: { ingestions, staging },
    },
    refreshSettle: { drops, ingestions, queue: refreshQueue, maxWaitMs: config.refreshSettleSeconds * 1000, recheckSeconds: 3 },
    schedule: { partners, queue: refreshQueue },
    partners,
    models,
    dealTraining: { models: dealModels, artifacts: models, deals, refreshQueue },
    retrainSchedule: { models: dealModels, trainingQueue: dealTrainingQueue, partners },
    offboarding: { partners, documents: createPartnerDocuments(containers), blobs: createPartnerBlobs(blobs) },
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
