import { createResultStore } from "../adapters/resultStore.js";
import type { Services } from "../services.js";
import { createCosmosRefreshSource } from "./cosmosRefreshSource.js";
import type { RefreshDeps, RefreshLogger } from "./refreshPartner.js";

/** Wires refreshPartner to Cosmos DB: the partner registry and data it reads, the results container it writes. */
export function createRefreshDeps({ config, clients }: Services, log?: RefreshLogger): RefreshDeps {
  return {
    source: createCosmosRefreshSource(clients.containers, {
      onInvalid: (type, count) => log?.warn(`refresh: skipped ${count} ${type} document(s) that do not match their schema`),
    }),
    results: createResultStore(clients.containers.results),
    frontlineIndustries: config.frontlineIndustries,
    log,
  };
}
