import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { z } from "zod";
import type { ApiKeyAuth } from "../shared/auth/apiKeys.js";
import { roleSchema, type Role } from "../shared/domain/documents.js";
import { appDeps } from "../shared/wiring.js";

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

export type KeysCommand =
  | { command: "issue"; partnerId: string; role: Role; name: string }
  | { command: "list"; partnerId: string }
  | { command: "revoke"; partnerId: string; keyId: string };

/** Parses the command line; throws UsageError naming what is wrong. */
export function parseKeysArgs(argv: string[]): KeysCommand {
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
  if (command !== "issue" && command !== "list" && command !== "revoke") {
    throw new UsageError(command ? `unknown command "${command}"` : "a command is required");
  }
  if (!partnerId) throw new UsageError("--partner is required");
  if (command === "list") return { command, partnerId };
  if (command === "revoke") {
    if (!values["key-id"]) throw new UsageError("--key-id is required");
    return { command, partnerId, keyId: values["key-id"] };
  }
  const role = roleSchema.safeParse(values.role);
  if (!role.success) throw new UsageError(`--role must be one of ${roleSchema.options.join(", ")}`);
  if (!values.name) throw new UsageError("--name is required");
  return { command, partnerId, role: role.data, name: values.name };
}

/** Runs one CLI command and returns what to print (JSON). */
export async function runKeysCommand(argv: string[], keys: ApiKeyAuth, now = new Date()): Promise<unknown> {
  return executeKeysCommand(parseKeysArgs(argv), keys, now);
}

export async function executeKeysCommand(cmd: KeysCommand, keys: ApiKeyAuth, now = new Date()): Promise<unknown> {
  const { partnerId } = cmd;
  switch (cmd.command) {
    case "issue": {
      const issued = await keys.issue({ partnerId, role: cmd.role, name: cmd.name, createdBy: "cli" }, now);
      // The key is shown once; only its hash is stored.
      return { partnerId, key: issued.key, ...issued.info };
    }
    case "list":
      return { partnerId, keys: await keys.list(partnerId) };
    case "revoke": {
      const revoked = await keys.revoke(partnerId, cmd.keyId, now);
      if (!revoked) throw new UsageError(`partner ${partnerId} has no key ${cmd.keyId}`);
      return { partnerId, keyId: cmd.keyId, revoked: true };
    }
  }
}

async function main(): Promise<void> {
  try {
    // Arguments first, so a typo is reported without needing any setting.
    const command = parseKeysArgs(process.argv.slice(2));
    const result = await executeKeysCommand(command, appDeps().api.auth);
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
