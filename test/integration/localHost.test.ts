import { request as httpRequest } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalHost, type LocalHost } from "../../local/host/index.js";
// Imported directly before the host loads the folder (as a handler unit test might): the host still gets its functions.
import "./fixtures/hostFunctions/httpEcho.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";
import { callsOf, streamGate } from "./fixtures/hostCalls.js";

// The local host against real Azurite, with test-only function files that register through @azure/functions.

const here = path.dirname(fileURLToPath(import.meta.url));
const functionsDir = path.join(here, "fixtures", "hostFunctions");
const queueName = "host-test-jobs";

let env: TestEnvironment;
let host: LocalHost;
const logLines: string[] = [];

beforeAll(async () => {
  env = await startTestEnvironment();
  await env.clients.blobs.getContainerClient("host-test-drops").createIfNotExists();
  await env.clients.blobs.getContainerClient("host-test-done").createIfNotExists();
  await env.clients.queues.getQueueClient(queueName).createIfNotExists();
  host = await startLocalHost({
    settings: { ...env.emulators.settings, HOST_TEST_QUEUE: queueName, HOST_TEST_SCHEDULE: "*/1 * * * * *" },
    functionsDir,
    hostJsonPath: path.join(here, "..", "..", "host.json"),
    // Retries come back at once so the poison paths run in seconds; the fixtures are served under a route
    // prefix (the app's own host.json has none), so the prefix handling stays covered.
    hostJsonOverrides: { extensions: { http: { routePrefix: "api" }, queues: { visibilityTimeout: "00:00:00", maxDequeueCount: 3 } } },
    port: 0,
    pollIntervalMs: 100,
    maxBlobBytes: 4096,
    log: (line) => logLines.push(line),
  });
});

afterAll(async () => {
  await host?.stop();
  await env?.stop();
});

const blobs = () => env.clients.blobs.getContainerClient("host-test-drops");
const upload = async (name: string, text: string) => (await blobs().getBlockBlobClient(name).upload(text, Buffer.byteLength(text))).etag!;

describe("local host: HTTP", () => {
  it("routes by template under the api prefix with route params, query, headers and a real InvocationContext", async () => {
    const res = await fetch(`${host.baseUrl}/api/tenants/t-1/items/42?salesMotion=Land%20W365`, { headers: { "x-custom": "hello" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-echo")).toBe("yes");
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(res.headers.get("set-cookie")).toMatch(/^session=a%20b; Path=\/; HttpOnly/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      method: "GET",
      params: { tenantId: "t-1", id: "42" },
      query: { salesMotion: "Land W365" },
      header: "hello",
      functionName: "echo",
    });
    expect(body.url).toBe(`${host.baseUrl}/api/tenants/t-1/items/42?salesMotion=Land%20W365`);
    expect(body.invocationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("accepts a missing optional parameter and rejects a value that breaks its int constraint", async () => {
    const res = await fetch(`${host.baseUrl}/api/tenants/t-1/items`);
    expect(await res.json()).toMatchObject({ params: { tenantId: "t-1" } });
    expect((await fetch(`${host.baseUrl}/api/tenants/t-1/items/abc`)).status).toBe(404);
  });

  it("prefers a literal segment over a parameter", async () => {
    const res = await fetch(`${host.baseUrl}/api/tenants/t-1/items/latest`);
    expect(await res.json()).toEqual({ literal: true });
  });

  it("passes a POST body to the handler", async () => {
    const res = await fetch(`${host.baseUrl}/api/tenants/t-2/items/7`, { method: "POST", body: JSON.stringify({ a: 1 }) });
    expect(await res.json()).toMatchObject({ method: "POST", body: '{"a":1}', params: { tenantId: "t-2", id: "7" } });
  });

  it("answers 404 for unknown routes and routes without the prefix, 405 with Allow for a wrong method", async () => {
    expect((await fetch(`${host.baseUrl}/api/nope`)).status).toBe(404);
    expect((await fetch(`${host.baseUrl}/tenants/t-1/items/42`)).status).toBe(404);
    const wrong = await fetch(`${host.baseUrl}/api/things/9`, { method: "GET" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("DELETE");
    const right = await fetch(`${host.baseUrl}/api/things/9`, { method: "DELETE" });
    expect(right.status).toBe(202);
    expect(await right.text()).toBe("deleted 9");
  });

  it("answers 500 when a handler throws and 204 when it returns nothing", async () => {
    const failed = await fetch(`${host.baseUrl}/api/boom`);
    expect(failed.status).toBe(500);
    expect(await failed.text()).not.toContain("handler failed");
    expect(logLines.some((l) => l.includes("[boom] error: about to fail"))).toBe(true);
    expect((await fetch(`${host.baseUrl}/api/nothing`)).status).toBe(204);
  });

  it("streams a response body to the client as the handler produces it", async () => {
    const received: string[] = [];
    const done = new Promise<string>((resolve, reject) => {
      const req = httpRequest(`${host.baseUrl}/api/stream/4`, (res) => {
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          received.push(chunk);
          // The handler is blocked until we release it: "first" reached us before the body was complete.
          if (received.length === 1) streamGate.release?.();
        });
        res.on("end", () => resolve(received.join("")));
      });
      req.on("error", reject);
      req.end();
    });
    expect(await done).toBe("first\nline 1\nline 2\nline 3\n");
    expect(received[0]).toBe("first\n");
  });
});

describe("local host: blob trigger", () => {
  it("fires once per blob version with the content and the path's binding data", async () => {
    const etag = await upload("g1/once.csv", "a,b\n1,2\n");
    await host.idle();
    await new Promise((r) => setTimeout(r, 400)); // a few more polls: still no second invocation
    await host.idle();
    const calls = callsOf("blobSeen").filter((c) => c.triggerMetadata?.fileName === "once.csv");
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(Buffer.isBuffer(call.input)).toBe(true);
    expect((call.input as Buffer).toString("utf8")).toBe("a,b\n1,2\n");
    expect(call.triggerMetadata).toMatchObject({
      group: "g1",
      fileName: "once.csv",
      blobTrigger: "host-test-drops/g1/once.csv",
      properties: { eTag: etag, contentLength: 8 },
    });
    expect(String(call.triggerMetadata?.uri)).toMatch(/\/host-test-drops\/g1\/once\.csv$/);
  });

  it("fires again when the blob is overwritten with new content", async () => {
    const first = await upload("g1/overwrite.csv", "v1");
    await host.idle();
    const second = await upload("g1/overwrite.csv", "v2");
    expect(second).not.toBe(first);
    await host.idle();
    const calls = callsOf("blobSeen").filter((c) => c.triggerMetadata?.fileName === "overwrite.csv");
    expect(calls.map((c) => (c.input as Buffer).toString())).toEqual(["v1", "v2"]);
    expect(calls.map((c) => (c.triggerMetadata?.properties as { eTag: string }).eTag)).toEqual([first, second]);
  });

  it("does not fire again for a blob the function moved away", async () => {
    await upload("g2/moved.csv", "move me");
    await host.idle();
    expect(await blobs().getBlockBlobClient("g2/moved.csv").exists()).toBe(false);
    expect(await env.clients.blobs.getContainerClient("host-test-done").getBlockBlobClient("g2/moved.csv").exists()).toBe(true);
    await host.idle();
    expect(callsOf("blobSeen").filter((c) => c.triggerMetadata?.fileName === "moved.csv")).toHaveLength(1);
  });

  it("retries a failing blob up to the poison threshold, then puts it on webjobs-blobtrigger-poison", async () => {
    const etag = await upload("g3/bad.csv", "this will fail");
    await host.idle();
    const calls = callsOf("blobSeen").filter((c) => c.triggerMetadata?.fileName === "bad.csv");
    expect(calls).toHaveLength(3); // host.json poisonBlobThreshold
    const poison = env.clients.queues.getQueueClient("webjobs-blobtrigger-poison");
    const { receivedMessageItems } = await poison.receiveMessages({ numberOfMessages: 32 });
    const messages = receivedMessageItems.map((m) => JSON.parse(Buffer.from(m.messageText, "base64").toString("utf8")));
    expect(messages).toContainEqual({
      Type: "BlobTrigger",
      FunctionId: "Host.Functions.blobSeen",
      BlobType: "BlockBlob",
      ContainerName: "host-test-drops",
      BlobName: "g3/bad.csv",
      ETag: etag,
    });
    expect(logLines.some((l) => l.includes("poisoned host-test-drops/g3/bad.csv"))).toBe(true);
    await host.idle();
    expect(callsOf("blobSeen").filter((c) => c.triggerMetadata?.fileName === "bad.csv")).toHaveLength(3);
  });
});

describe("local host: limits and logs", () => {
  it("never downloads a blob over its size limit: the delivery is poisoned at once, with the size in the log", async () => {
    const etag = await upload("g4/huge.csv", "x".repeat(10_000));
    await host.idle();
    expect(callsOf("blobSeen").filter((c) => c.triggerMetadata?.fileName === "huge.csv")).toHaveLength(0);
    const { receivedMessageItems } = await env.clients.queues.getQueueClient("webjobs-blobtrigger-poison").receiveMessages({ numberOfMessages: 32 });
    const messages = receivedMessageItems.map((m) => JSON.parse(Buffer.from(m.messageText, "base64").toString("utf8")));
    expect(messages).toContainEqual(expect.objectContaining({ BlobName: "g4/huge.csv", ETag: etag }));
    expect(logLines.some((l) => l.includes("g4/huge.csv is 10000 bytes, over the local host's limit of 4096 bytes"))).toBe(true);
  });

  it("redacts a key-shaped string from every line it writes, in the path or the query, encoded or not", async () => {
    const secret = "S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3t0";
    await fetch(`${host.baseUrl}/api/tenants/poi_contoso_${secret}/items/1?k=poi%5Fcontoso%5F${secret}`);
    await fetch(`${host.baseUrl}/api/nothing-here?key=poi_contoso-demo_${secret}`);
    const written = logLines.join("\n");
    expect(written).toContain("poi_[redacted]");
    expect(written).not.toContain(secret);
  });
});

describe("local host: queue trigger", () => {
  const queue = () => env.clients.queues.getQueueClient(queueName);
  const send = (text: string) => queue().sendMessage(Buffer.from(text).toString("base64"));

  it("decodes base64 JSON messages, passes the dequeue count and deletes the message on success", async () => {
    await send(JSON.stringify({ partnerId: "p-1", reason: "drop" }));
    await send("plain text job");
    await host.idle();
    const inputs = callsOf("jobSeen").map((c) => c.input);
    expect(inputs).toContainEqual({ partnerId: "p-1", reason: "drop" });
    expect(inputs).toContain("plain text job");
    const call = callsOf("jobSeen").find((c) => (c.input as { partnerId?: string }).partnerId === "p-1")!;
    expect(call.triggerMetadata).toMatchObject({ dequeueCount: 1 });
    expect((await queue().getProperties()).approximateMessagesCount).toBe(0);
  });

  it("retries a failing message and moves it to the -poison queue after maxDequeueCount", async () => {
    await send(JSON.stringify({ id: "bad-job", fail: true }));
    await host.idle();
    const calls = callsOf("jobSeen").filter((c) => (c.input as { id?: string }).id === "bad-job");
    expect(calls.map((c) => c.triggerMetadata?.dequeueCount)).toEqual([1, 2, 3]);
    const poison = await env.clients.queues.getQueueClient(`${queueName}-poison`).receiveMessages({ numberOfMessages: 32 });
    expect(poison.receivedMessageItems.map((m) => JSON.parse(Buffer.from(m.messageText, "base64").toString()))).toContainEqual({
      id: "bad-job",
      fail: true,
    });
    expect((await queue().getProperties()).approximateMessagesCount).toBe(0);
  });
});

describe("local host: timer trigger", () => {
  it("fires on a seconds schedule with a Timer like the real one", async () => {
    const before = callsOf("tick").length;
    await new Promise((r) => setTimeout(r, 2300));
    const ticks = callsOf("tick").slice(before);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    const timer = ticks[ticks.length - 1].input as { isPastDue: boolean; scheduleStatus: { last: string; next: string } };
    expect(timer.isPastDue).toBe(false);
    expect(Date.parse(timer.scheduleStatus.next) - Date.parse(timer.scheduleStatus.last)).toBe(2000);
    // Each occurrence runs once, even when a timeout fires a few milliseconds early.
    const lasts = ticks.map((t) => (t.input as { scheduleStatus: { last: string } }).scheduleStatus.last);
    expect(new Set(lasts).size).toBe(lasts.length);
  });
});

describe("local host: lifecycle", () => {
  it("lists the functions it loaded and stops cleanly, closing the port", async () => {
    expect(host.functions.map((f) => f.name).sort()).toEqual(
      ["blobSeen", "boom", "echo", "itemsByName", "jobSeen", "noContent", "remove", "stream", "tick"].sort(),
    );
    await host.stop();
    await expect(fetch(`${host.baseUrl}/api/nope`)).rejects.toThrow();
  });
});
