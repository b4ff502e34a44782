import { CosmosClient, type Container, type Database } from "@azure/cosmos";
import { DefaultAzureCredential } from "@azure/identity";
import { BlobServiceClient } from "@azure/storage-blob";
import { QueueServiceClient } from "@azure/storage-queue";
import { names, type Config } from "../config.js";
import { cosmosContainers, type ContainerName } from "./cosmos/layout.js";

// SDK clients, built once per process. Locally they use the emulators' keys and connection strings;
// in Azure they authenticate with the app's managed identity (no keys in settings).

export interface Clients {
  database: Database;
  containers: Record<ContainerName, Container>;
  blobs: BlobServiceClient;
  queues: QueueServiceClient;
}

export function createClients(config: Config): Clients {
  const credential = needsCredential(config) ? new DefaultAzureCredential({ managedIdentityClientId: config.storage.clientId }) : undefined;
  // A request that hangs fails after requestTimeoutMs; the SDK's own throttling retries are kept short, because
  // the adapters retry transient failures themselves (adapters/cosmos/retry.ts) within a budget of their own.
  const policy = {
    requestTimeout: config.cosmos.requestTimeoutMs,
    retryOptions: { maxRetryAttemptCount: 3, fixedRetryIntervalInMilliseconds: 0, maxWaitTimeInSeconds: 5 },
  };
  const cosmos = config.cosmos.key
    ? new CosmosClient({
        endpoint: config.cosmos.endpoint,
        key: config.cosmos.key,
        // The local emulator advertises https locations it does not serve; stay on the given endpoint.
        connectionPolicy: { ...policy, enableEndpointDiscovery: false },
      })
    : new CosmosClient({ endpoint: config.cosmos.endpoint, aadCredentials: credential!, connectionPolicy: policy });
  const database = cosmos.database(config.cosmos.database);
  const containers = Object.fromEntries(
    Object.entries(cosmosContainers).map(([name, def]) => [name, database.container(def.id)]),
  ) as Record<ContainerName, Container>;

  const blobs = config.storage.connectionString
    ? BlobServiceClient.fromConnectionString(config.storage.connectionString)
    : new BlobServiceClient(config.storage.blobServiceUri!, credential!);
  const queues = config.storage.connectionString
    ? QueueServiceClient.fromConnectionString(config.storage.connectionString)
    : new QueueServiceClient(config.storage.queueServiceUri!, credential!);
  return { database, containers, blobs, queues };
}

function needsCredential(config: Config): boolean {
  return !config.cosmos.key || !config.storage.connectionString;
}

/**
 * Creates the database, containers, blob containers and queues if missing.
 * Used locally (npm start, tests); in Azure, infra/ creates them.
 */
export async function ensureResources(config: Config, clients: Clients): Promise<void> {
  const cosmos = clients.database.client;
  await cosmos.databases.createIfNotExists({ id: config.cosmos.database });
  for (const def of Object.values(cosmosContainers)) {
    await clients.database.containers.createIfNotExists({ id: def.id, partitionKey: { paths: [def.partitionKey] } });
  }
  for (const container of Object.values(names.blobContainers)) {
    await clients.blobs.getContainerClient(container).createIfNotExists();
  }
  for (const queue of Object.values(names.queues)) {
    await clients.queues.getQueueClient(queue).createIfNotExists();
  }
}
