import { BlobServiceClient } from "@azure/storage-blob";
import { QueueServiceClient } from "@azure/storage-queue";

// Blob and queue service clients for the storage triggers, one per connection setting's value.

export interface StorageClients {
  /** `connection`: the trigger's connection setting name; default AzureWebJobsStorage. */
  blobService(connection: unknown): BlobServiceClient;
  queueService(connection: unknown): QueueServiceClient;
}

export function createStorageClients(): StorageClients {
  const blobClients = new Map<string, BlobServiceClient>();
  const queueClients = new Map<string, QueueServiceClient>();
  const connectionString = (connection: unknown) => {
    const name = typeof connection === "string" && connection ? connection : "AzureWebJobsStorage";
    const value = process.env[name];
    if (!value) throw new Error(`storage connection "${name}" is not set (the local host needs a connection string)`);
    return value;
  };
  return {
    blobService(connection) {
      const cs = connectionString(connection);
      let client = blobClients.get(cs);
      if (!client) blobClients.set(cs, (client = BlobServiceClient.fromConnectionString(cs)));
      return client;
    },
    queueService(connection) {
      const cs = connectionString(connection);
      let client = queueClients.get(cs);
      if (!client) queueClients.set(cs, (client = QueueServiceClient.fromConnectionString(cs)));
      return client;
    },
  };
}
