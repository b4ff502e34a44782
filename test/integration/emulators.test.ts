import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";

describe("local emulators", () => {
  let env: TestEnvironment;
  beforeAll(async () => {
    env = await startTestEnvironment();
  });
  afterAll(async () => {
    await env?.stop();
  });

  it("creates every container the code uses, so a fresh start needs no manual step", async () => {
    const { resources } = await env.clients.database.containers.readAll().fetchAll();
    expect(resources.map((c) => c.id).sort()).toEqual(["ingestions", "partnerData", "partners", "results"]);
    const blobContainers: string[] = [];
    for await (const c of env.clients.blobs.listContainers()) blobContainers.push(c.name);
    expect(blobContainers.sort()).toEqual(["drops", "models", "processed", "rejected"]);
  });

  it("rejects a stale write with 412 so a result pointer can be switched conditionally", async () => {
    const container = env.clients.containers.results;
    const { resource } = await container.items.upsert({ id: "current", partnerId: "p1", v: 1 });
    await container.item("current", "p1").replace({ id: "current", partnerId: "p1", v: 2 });
    await expect(
      container.item("current", "p1").replace(
        { id: "current", partnerId: "p1", v: 3 },
        { accessCondition: { type: "IfMatch", condition: resource!._etag } },
      ),
    ).rejects.toMatchObject({ code: 412 });
  });
});
