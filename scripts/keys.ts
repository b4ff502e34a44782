import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { Container } from "@azure/cosmos";
import { z } from "zod";
import { issueApiKey, listApiKeys, revokeApiKey } from "../shared/auth/apiKeys.js";
import { roleSchema } from "../shared/domain/documents.js";
import { getServices } from "../shared/services.js";

// Operator CLI for API keys, e.g. the first administrator key of a partner after a deployment:
//   npm run keys -- issue  --partner contoso --role administrator --name "Ops admin"
//   npm run keys -- list   --partner contoso
//   npm run keys -- revoke --partner contoso --key-id k_...
// It reads the app's settings from the environment (COSMOS_ENDPOINT, ...): locally the emulator key,
// in Azure the operator's own Entra ID sign-in (az login) with the Cosmos DB data role.

export const keysUsage = [
  "usage: npm run keys -- <command> --partner ID [options]",
  "  issue  --partner ID --role reportViewer|executiveReportViewer|administrator --name NAME",
  "  list   --partner ID",
  "  revoke --partner ID --key-id KEY_ID",
].join("\n");

export class UsageError extends Error {
  readonly code = "usage";
}

/** Runs one CLI command and returns what to print (JSON). */
export async function runKeysCommand(argv: string[], containers: { partners: Container }, now = new Date()): Promise<unknown> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      partner: { type: "string" },
      role: { type: "string" },
      name: { type: "string" },
      "key-id": { type: "string" },
    },
  });
  const [command] = positionals;
  const partnerId = values.partner;
  if (!partnerId) throw new UsageError("--partner is required");
  switch (command) {
    case "issue": {
      const role = roleSchema.safeParse(values.role);
      if (!role.success) throw new UsageError(`--role must be one of ${roleSchema.options.join(", ")}`);
      if (!values.name) throw new UsageError("--name is required");
      const issued = await issueApiKey(containers, { partnerId, role: role.data, name: values.name, createdBy: "cli" }, now);
      // The key is shown once; only its hash is stored.
      return { partnerId, key: issued.key, ...issued.info };
    }
    case "list":
      return { partnerId, keys: await listApiKeys(containers, partnerId) };
    case "revoke": {
      const keyId = values["key-id"];
      if (!keyId) throw new UsageError("--key-id is required");
      const revoked = await revokeApiKey(containers, partnerId, keyId, now);
      if (!revoked) throw new UsageError(`partner ${partnerId} has no key ${keyId}`);
      return { partnerId, keyId, revoked: true };
    }
    default:
      throw new UsageError(command ? `unknown command "${command}"` : "a command is required");
  }
}

async function main(): Promise<void> {
  try {
    const result = await runKeysCommand(process.argv.slice(2), getServices().clients.containers);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } catch (err) {
    // parseArgs rejects unknown options with an ERR_PARSE_ARGS_* error whose message says which.
    const badArgs = err instanceof UsageError || String((err as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS");
    if (badArgs || err instanceof z.ZodError) {
      const message = err instanceof z.ZodError ? err.issues.map((i) => `${i.path.join(".") || "value"}: ${i.message}`).join("; ") : (err as Error).message;
      process.stderr.write(`${message}\n${keysUsage}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`keys: ${(err as Error).message}${(err as Error).cause ? ` (${String((err as Error).cause)})` : ""}\n`);
    process.exitCode = 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
