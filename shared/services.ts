import { createClients, type Clients } from "./adapters/clients.js";
import { loadConfig, type Config } from "./config.js";

// The composition root: settings parsed and SDK clients built once per process, on first use,
// so a function file can be imported (e.g. to register it) without any setting present.

export interface Services {
  config: Config;
  clients: Clients;
}

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
 * Something built from the services (a use case's deps, a handler), built on first use and again after
 * resetServices, so nothing keeps clients of emulators that are gone.
 */
export function fromServices<T>(build: (services: Services) => T): () => T {
  const built = new WeakMap<Services, T>();
  return () => {
    const current = getServices();
    if (!built.has(current)) built.set(current, build(current));
    return built.get(current)!;
  };
}
