import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBlobEventRelay, type BlobCreatedEvent } from "../../local/blobEvents.js";
import { appTitle, choosePort, funcEnvironment, NotOurHostError, prepareLocalSettings, waitForOurHost } from "../../local/funcHost.js";
import { startLocalHost, type LocalHost } from "../../local/host/index.js";
import { names } from "../../shared/config.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";

// The `func start` path of `npm start`, without a func binary (none can be installed here): the settings file is
// kept, the port falls back, readiness tells this app from another server, and the relay that plays Event Grid
// announces every new blob in drops/ to the blob webhook the way func's blob extension expects it.

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

let env: TestEnvironment;
beforeAll(async () => {
  env = await startTestEnvironment();
});
afterAll(async () => {
  await env?.stop();
});

async function listen(handler: (req: IncomingMessage, body: string) => { status: number; body?: string }, port = 0): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const answer = handler(req, body);
      res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body ?? "{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe("local.settings.json under func", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "poi-settings-"));
    await copyFile(path.join(projectRoot, "local.settings.sample.json"), path.join(dir, "local.settings.sample.json"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps an existing file byte for byte, and the emulator settings win as environment variables", async () => {
    const own = '{ "IsEncrypted": false, "Values": { "FUNCTIONS_WORKER_RUNTIME": "node", "COSMOS_ENDPOINT": "https://mine.example", "MY_SETTING": "x" } }\n';
    await writeFile(path.join(dir, "local.settings.json"), own);
    expect(await prepareLocalSettings(dir)).toEqual({ action: "kept", file: path.join(dir, "local.settings.json") });
    expect(await readFile(path.join(dir, "local.settings.json"), "utf8")).toBe(own);
    const childEnv = funcEnvironment(env.emulators.settings, { PATH: "/bin", COSMOS_ENDPOINT: "https://from-shell.example" });
    expect(childEnv).toMatchObject({ ...env.emulators.settings, FUNCTIONS_WORKER_RUNTIME: "node", PATH: "/bin" });
  });

  it("creates a missing file from the sample", async () => {
    await rm(path.join(dir, "local.settings.json"), { force: true });
    expect((await prepareLocalSettings(dir)).action).toBe("created");
    const created = JSON.parse(await readFile(path.join(dir, "local.settings.json"), "utf8"));
    expect(created.Values.FUNCTIONS_WORKER_RUNTIME).toBe("node");
    expect(created).toEqual(JSON.parse(await readFile(path.join(projectRoot, "local.settings.sample.json"), "utf8")));
  });
});

describe("the port under func", () => {
  it("uses the port asked for when free, and a free one when it is taken", async () => {
    const taken = await listen(() => ({ status: 200 }));
    const port = Number(new URL(taken.url).port);
    try {
      const fallback = await choosePort(port);
      expect(fallback.fellBack).toBe(true);
      expect(fallback.port).not.toBe(port);
    } finally {
      await close(taken.server);
    }
    expect(await choosePort(port)).toEqual({ port, fellBack: false });
  });
});

describe("readiness under func", () => {
  it("is ready once this app answers: its OpenAPI title and a healthy /api/health", async () => {
    let host: LocalHost | undefined;
    try {
      host = await startLocalHost({ settings: env.emulators.settings, port: 0, functionsDir: path.join(projectRoot, "functions"), log: () => {} });
      await expect(waitForOurHost(host.baseUrl, { timeoutMs: 30_000, intervalMs: 100 })).resolves.toBeUndefined();
    } finally {
      await host?.stop();
    }
  });

  it("fails at once when another server answers on the port", async () => {
    const other = await listen((req) => ({ status: 200, body: JSON.stringify(req.url === "/api/openapi.json" ? { info: { title: "Some other API" } } : { status: "ok" }) }));
    try {
      const started = Date.now();
      await expect(waitForOurHost(other.url, { timeoutMs: 60_000, intervalMs: 100 })).rejects.toBeInstanceOf(NotOurHostError);
      // At once, not after the timeout: the first answer already says it is someone else.
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await close(other.server);
    }
  });

  it("waits while nothing listens yet, and while the health check says a store is unreachable", async () => {
    const { port } = await choosePort(0);
    let healthy = false;
    const waiting = waitForOurHost(`http://127.0.0.1:${port}`, { timeoutMs: 30_000, intervalMs: 100 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const late = await listen(
      (req) =>
        req.url === "/api/openapi.json"
          ? { status: 200, body: JSON.stringify({ info: { title: appTitle } }) }
          : { status: healthy ? 200 : 503, body: JSON.stringify({ status: healthy ? "ok" : "unavailable" }) },
      port,
    );
    try {
      setTimeout(() => (healthy = true), 300);
      await expect(waiting).resolves.toBeUndefined();
    } finally {
      await close(late.server);
    }
  });

  it("stops waiting when func has exited", async () => {
    const { port } = await choosePort(0);
    await expect(waitForOurHost(`http://127.0.0.1:${port}`, { timeoutMs: 30_000, intervalMs: 50, exited: () => "func start exited with code 1" })).rejects.toThrow(/exited with code 1/);
  });
});

describe("BlobCreated relay (Event Grid's part under func)", () => {
  it("posts one BlobCreated per new blob version in drops/, whoever wrote it, as the blob webhook expects", async () => {
    const drops = env.clients.blobs.getContainerClient(names.blobContainers.drops);
    const received: { headers: IncomingMessage["headers"]; url: string; events: BlobCreatedEvent[] }[] = [];
    let failNext = 1;
    const webhook = await listen((req, body) => {
      if (failNext-- > 0) return { status: 503 };
      received.push({ headers: req.headers, url: req.url ?? "", events: JSON.parse(body) as BlobCreatedEvent[] });
      return { status: 202 };
    });
    const lines: string[] = [];
    const post = async (event: BlobCreatedEvent) => {
      const res = await fetch(`${webhook.url}/runtime/webhooks/blobs?functionName=Host.Functions.ingestDrop`, {
        method: "POST",
        headers: { "content-type": "application/json", "aeg-event-type": "Notification" },
        body: JSON.stringify([event]),
      });
      if (!res.ok) throw new Error(`answered ${res.status}`);
    };
    const relay = startBlobEventRelay({ container: drops, post, intervalMs: 60_000, log: (l) => lines.push(l) });
    try {
      // A user's upload (not the demo's): the same path an upload URL or Storage Explorer writes.
      const first = await drops.getBlockBlobClient("relay-partner/tenants/mine.csv").upload("tenantId,tenantName\n", 20);
      await relay.poll(); // the webhook fails once: nothing is marked announced
      expect(received).toHaveLength(0);
      expect(lines.join("\n")).toContain("not delivered yet");
      await relay.poll();
      expect(received).toHaveLength(1);
      const [event] = received[0].events;
      expect(received[0].headers["aeg-event-type"]).toBe("Notification");
      expect(received[0].url).toBe("/runtime/webhooks/blobs?functionName=Host.Functions.ingestDrop");
      expect(event).toMatchObject({
        eventType: "Microsoft.Storage.BlobCreated",
        subject: "/blobServices/default/containers/drops/blobs/relay-partner/tenants/mine.csv",
        data: { eTag: first.etag, blobType: "BlockBlob", url: drops.getBlockBlobClient("relay-partner/tenants/mine.csv").url, contentLength: 20 },
      });

      // Nothing new: nothing posted. A second file and a new version of the first: one event each.
      await relay.poll();
      expect(received).toHaveLength(1);
      await drops.getBlockBlobClient("relay-partner/usage/usage_2026-10-01.csv").upload("x", 1);
      const second = await drops.getBlockBlobClient("relay-partner/tenants/mine.csv").upload("tenantId,tenantName\nx,y\n", 24);
      await relay.poll();
      const subjects = received.slice(1).map((r) => r.events[0]);
      expect(subjects.map((e) => e.subject).sort()).toEqual([
        "/blobServices/default/containers/drops/blobs/relay-partner/tenants/mine.csv",
        "/blobServices/default/containers/drops/blobs/relay-partner/usage/usage_2026-10-01.csv",
      ]);
      expect(subjects.find((e) => e.subject.endsWith("mine.csv"))?.data.eTag).toBe(second.etag);
      expect(relay.announced()).toBe(3);
    } finally {
      await relay.stop();
      await close(webhook.server);
    }
  });
});
