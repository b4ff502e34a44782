// The Cosmos DB containers the code uses; infra/ declares the same (a test checks both agree).
// Every partner-owned container is partitioned by /partnerId and every query carries the caller's partnerId.
export const cosmosContainers = {
  /** Partner registry (type "partner") and API keys (type "apiKey", id "key:{sha256}"). */
  partners: { id: "partners", partitionKey: "/partnerId" },
  /** Ingested customer data: one document per tenant per dataset (tenant, subscriptions, usage, incentives). */
  partnerData: { id: "partnerData", partitionKey: "/partnerId" },
  /** One record per ingested blob version: status, counts, first errors. */
  ingestions: { id: "ingestions", partitionKey: "/partnerId" },
  /** Refresh result sets (rows, summaries) and the partner's current-result pointer (id "current"). */
  results: { id: "results", partitionKey: "/partnerId" },
} as const;

export type ContainerName = keyof typeof cosmosContainers;
