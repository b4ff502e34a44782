import { startEmulators, type Emulators } from "../../local/emulators.js";
import { createClients, ensureResources, type Clients } from "../../shared/adapters/clients.js";
import { loadConfig, type Config } from "../../shared/config.js";
import { wire, type AppDeps } from "../../shared/wiring.js";

// Integration tests use the real local emulators (Azurite, cosmosdb-server), each suite its own pair.

export interface TestEnvironment {
  emulators: Emulators;
  config: Config;
  clients: Clients;
  /** The app's dependencies wired to these emulators, as the functions get them. */
  deps: AppDeps;
  stop(): Promise<void>;
}

export async function startTestEnvironment(overrides: Record<string, string> = {}): Promise<TestEnvironment> {
  const emulators = await startEmulators();
  const config = loadConfig({ ...emulators.settings, ...overrides });
  const clients = createClients(config);
  await ensureResources(config, clients);
  return { emulators, config, clients, deps: wire({ config, clients }), stop: () => emulators.stop() };
}
