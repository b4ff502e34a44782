import { HttpRequest, InvocationContext, type HttpHandler, type HttpResponseInit } from "@azure/functions";
import * as deals from "../../functions/httpDealScoring.js";
import { routeHandler } from "../../shared/api/register.js";
import { routes } from "../../shared/api/routes.js";
import { names } from "../../shared/config.js";
import type { IngestDeps, IngestOutcome } from "../../shared/ingest/ingestDrop.js";
import { ingestDrop } from "../../shared/ingest/ingestDrop.js";
import type { ApiDeps } from "../../shared/wiring.js";
import type { TestEnvironment } from "./emulators.js";

// Deal scoring over its HTTP handlers (built from the route table, as the host runs them) and deals drops
// through the real ingest use case, for the integration tests.

export type DealRouteName = Extract<keyof typeof deals, keyof typeof routes>;

export interface DealApi {
  call(route: DealRouteName, init: { key: string; params?: Record<string, string>; query?: string; body?: unknown }): Promise<{ status: number; body: any; text: string; headers: Record<string, string> }>;
}

export function dealApi(deps: ApiDeps): DealApi {
  const handlers = new Map<string, HttpHandler>();
  return {
    async call(route, init) {
      let handler = handlers.get(route);
      if (!handler) {
        const factory = deals[route] as unknown as (d: ApiDeps) => Parameters<typeof routeHandler>[2];
        handlers.set(route, (handler = routeHandler(routes[route], deps, factory(deps))));
      }
      const spec = routes[route];
      const headers: Record<string, string> = { "x-api-key": init.key };
      if (init.body !== undefined) headers["content-type"] = "application/json";
      const request = new HttpRequest({
        method: spec.method,
        url: `http://localhost/api/${spec.route}${init.query ? `?${init.query}` : ""}`,
        headers,
        params: init.params ?? {},
        ...(init.body !== undefined ? { body: { string: JSON.stringify(init.body) } } : {}),
      });
      const res = (await handler(request, new InvocationContext({ functionName: route, logHandler: () => {} }))) as HttpResponseInit;
      const text =
        res.body instanceof ReadableStream
          ? new TextDecoder("utf-8", { ignoreBOM: true }).decode(await new Response(res.body).arrayBuffer())
          : res.jsonBody !== undefined
            ? JSON.stringify(res.jsonBody)
            : "";
      const headersOut = Object.fromEntries(Object.entries((res.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), String(v)]));
      return { status: res.status ?? 200, body: res.jsonBody, text, headers: headersOut };
    },
  };
}

/** Uploads a deals file into drops/ and ingests it with the real use case. */
export async function dropDeals(env: TestEnvironment, deps: IngestDeps, partnerId: string, fileName: string, csv: string): Promise<IngestOutcome> {
  const path = `${partnerId}/deals/${fileName}`;
  const bytes = Buffer.from(csv, "utf8");
  const res = await env.clients.blobs.getContainerClient(names.blobContainers.drops).getBlockBlobClient(path).uploadData(bytes);
  return ingestDrop(deps, { blobPath: `drops/${path}`, content: bytes, etag: res.etag!, writtenAt: res.lastModified! });
}

/** Takes every message off a queue (base64 JSON text, as the Functions host hands it over). */
export async function drainQueue(env: TestEnvironment, queueName: string): Promise<string[]> {
  const queue = env.clients.queues.getQueueClient(queueName);
  const out: string[] = [];
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32 });
    if (receivedMessageItems.length === 0) return out;
    for (const m of receivedMessageItems) {
      out.push(Buffer.from(m.messageText, "base64").toString("utf8"));
      await queue.deleteMessage(m.messageId, m.popReceipt);
    }
  }
}
