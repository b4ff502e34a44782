import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

// A fault-injecting HTTP proxy between the service and the Cosmos DB emulator: each request is passed through,
// throttled (429 with x-ms-retry-after-ms), refused (503), held until the client gives up (a timeout), cut
// (the connection dropped), or passed through with some operations of a bulk answer turned into 429s (a
// partial bulk failure, after the emulator applied them). A rule decides per request.

export type Fault =
  | { kind: "pass" }
  | { kind: "throttle"; retryAfterMs: number }
  | { kind: "unavailable" }
  | { kind: "hang" }
  | { kind: "drop" }
  /** Passes the request, then reports this share of a bulk answer's operations as throttled. */
  | { kind: "partialBulk"; share: number };

export interface ProxiedRequest {
  method: string;
  path: string;
  isBulk: boolean;
  /** 1-based count of requests the proxy has seen. */
  n: number;
}

export interface FaultProxy {
  url: string;
  setRule(rule: (req: ProxiedRequest) => Fault): void;
  counts: Record<Fault["kind"], number>;
  stop(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let rule: (req: ProxiedRequest) => Fault = () => ({ kind: "pass" });
  let n = 0;
  const counts: FaultProxy["counts"] = { pass: 0, throttle: 0, unavailable: 0, hang: 0, drop: 0, partialBulk: 0 };
  const sockets = new Set<Socket>();
  const hung = new Set<ServerResponse>();

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const info: ProxiedRequest = {
        method: req.method ?? "GET",
        path: req.url ?? "/",
        isBulk: String(req.headers["x-ms-cosmos-is-batch-request"] ?? "") === "True" || String(req.headers["x-ms-cosmos-is-batch-request"] ?? "") === "true",
        n: ++n,
      };
      const fault = rule(info);
      counts[fault.kind]++;
      if (fault.kind === "throttle" || fault.kind === "unavailable") {
        const status = fault.kind === "throttle" ? 429 : 503;
        res.writeHead(status, {
          "content-type": "application/json",
          "x-ms-activity-id": "00000000-0000-0000-0000-000000000000",
          ...(fault.kind === "throttle" ? { "x-ms-retry-after-ms": String(fault.retryAfterMs), "x-ms-substatus": "3200" } : {}),
        });
        res.end(JSON.stringify({ code: fault.kind === "throttle" ? "TooManyRequests" : "ServiceUnavailable", message: "injected fault" }));
        return;
      }
      if (fault.kind === "hang") {
        hung.add(res);
        return;
      }
      if (fault.kind === "drop") {
        req.socket.destroy();
        return;
      }
      const headers = { ...req.headers, host: upstream.host };
      const forward = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on("data", (c: Buffer) => parts.push(c));
          answer.on("end", () => {
            let payload = Buffer.concat(parts);
            const outHeaders = { ...answer.headers };
            if (fault.kind === "partialBulk" && info.isBulk && (answer.statusCode ?? 0) < 300) {
              try {
                const results = JSON.parse(payload.toString("utf8")) as { statusCode: number; retryAfterMilliseconds?: number }[];
                results.forEach((r, i) => {
                  if (((i + info.n * 31) * 7919) % 100 < fault.share * 100) {
                    r.statusCode = 429;
                    r.retryAfterMilliseconds = 5;
                  }
                });
                payload = Buffer.from(JSON.stringify(results));
                delete outHeaders["content-length"];
              } catch {
                // Not a JSON array: pass it as it is.
              }
            }
            res.writeHead(answer.statusCode ?? 502, outHeaders);
            res.end(payload);
          });
        },
      );
      forward.on("error", () => res.destroy());
      forward.end(body);
    });
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setRule(next) {
      rule = next;
      // Requests held so far are let go (cut), so nothing waits for a rule that no longer applies.
      for (const res of hung) res.destroy();
      hung.clear();
    },
    counts,
    async stop() {
      for (const res of hung) res.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
