import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKeysCommand, UsageError } from "../../scripts/keys.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");

describe("keys CLI (scripts/keys.ts)", () => {
  let env: TestEnvironment;
  beforeAll(async () => {
    env = await startTestEnvironment();
  });
  afterAll(async () => {
    await env?.stop();
  });

  it("issues an administrator key that authenticates, lists it without its secret, and revokes it", async () => {
    const containers = env.deps.api.auth;
    const issued = (await runKeysCommand(["issue", "--partner", "contoso", "--role", "administrator", "--name", "First admin"], containers)) as {
      key: string;
      keyId: string;
      role: string;
    };
    expect(issued.role).toBe("administrator");
    expect(await containers.authenticate(issued.key)).toMatchObject({ partnerId: "contoso", role: "administrator", keyId: issued.keyId });

    const listed = (await runKeysCommand(["list", "--partner", "contoso"], containers)) as { keys: { keyId: string }[] };
    expect(listed.keys.map((k) => k.keyId)).toEqual([issued.keyId]);
    expect(JSON.stringify(listed)).not.toContain(issued.key.split("_").at(-1));

    await runKeysCommand(["revoke", "--partner", "contoso", "--key-id", issued.keyId], containers);
    containers.forget();
    await expect(containers.authenticate(issued.key)).rejects.toMatchObject({ reason: "revoked" });
  });

  it("refuses an unknown role, a missing name and another partner's key id with a usage error", async () => {
    const containers = env.deps.api.auth;
    await expect(runKeysCommand(["issue", "--partner", "contoso", "--role", "owner", "--name", "x"], containers)).rejects.toThrow(/--role must be one of/);
    await expect(runKeysCommand(["issue", "--partner", "contoso", "--role", "reportViewer"], containers)).rejects.toBeInstanceOf(UsageError);
    const other = (await runKeysCommand(["issue", "--partner", "fabrikam", "--role", "reportViewer", "--name", "viewer"], containers)) as { keyId: string };
    await expect(runKeysCommand(["revoke", "--partner", "contoso", "--key-id", other.keyId], containers)).rejects.toThrow(/has no key/);
  });

  it("prints the issued key as JSON when run as npm run keys with the app's settings in the environment", async () => {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "scripts/keys.ts", "issue", "--partner", "northwind", "--role", "reportViewer", "--name", "cli"], {
      cwd: root,
      env: { ...process.env, ...env.emulators.settings },
    });
    const printed = JSON.parse(stdout) as { key: string };
    expect(printed.key).toMatch(/^poi_northwind_/);
    expect(await env.deps.api.auth.authenticate(printed.key)).toMatchObject({ partnerId: "northwind", role: "reportViewer" });
  });
});
