import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { partnerIdSchema } from "../shared/domain/documents.js";
import { deletionDueAt, offboardPartner, UnknownPartnerError, type OffboardingDeps } from "../shared/offboarding/offboarding.js";
import { appDeps } from "../shared/wiring.js";

// Operator CLI for partners:
//   npm run partners -- offboard --partner contoso     marks it off-boarded; its data is deleted 30 days later
//   npm run partners -- deletions                      the records of partners whose data was deleted
// It reads the app's settings from the environment (COSMOS_ENDPOINT, ...), like npm run keys.

export const partnersUsage = [
  "usage: npm run partners -- <command> [options]",
  "  offboard  --partner ID   stop refreshes and scoring now; delete all of the partner's data 30 days later",
  "  deletions                list the recorded deletions of off-boarded partners",
].join("\n");

export class UsageError extends Error {
  readonly code = "usage";
}

export type PartnersCommand = { command: "offboard"; partnerId: string } | { command: "deletions" };

/** Parses the command line; throws UsageError naming what is wrong. */
export function parsePartnersArgs(argv: string[]): PartnersCommand {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { partner: { type: "string" } } });
  const [command] = positionals;
  if (command === "deletions") return { command };
  if (command !== "offboard") throw new UsageError(command ? `unknown command "${command}"` : "a command is required");
  if (!values.partner) throw new UsageError("--partner is required");
  const partner = partnerIdSchema.safeParse(values.partner);
  if (!partner.success) throw new UsageError(`--partner ${partner.error.issues[0].message}`);
  return { command, partnerId: partner.data };
}

/** Runs one command and returns what to print (JSON). */
export async function executePartnersCommand(cmd: PartnersCommand, deps: Pick<OffboardingDeps, "documents" | "now">): Promise<unknown> {
  if (cmd.command === "deletions") {
    const records = await deps.documents.listDeletions();
    return { deletions: records.sort((a, b) => (a.deletedAt < b.deletedAt ? 1 : -1)) };
  }
  const marked = await offboardPartner(deps, cmd.partnerId);
  return { ...marked, deletionDueAt: deletionDueAt(marked.offboardedAt).toISOString() };
}

async function main(): Promise<void> {
  try {
    // Arguments first, so a typo is reported without needing any setting.
    const command = parsePartnersArgs(process.argv.slice(2));
    const result = await executePartnersCommand(command, appDeps().offboarding);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } catch (err) {
    const badArgs = err instanceof UsageError || String((err as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS");
    if (badArgs) {
      process.stderr.write(`${(err as Error).message}\n${partnersUsage}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`partners: ${(err as Error).message}\n`);
    process.exitCode = err instanceof UnknownPartnerError ? 2 : 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
