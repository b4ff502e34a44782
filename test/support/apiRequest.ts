import { HttpRequest } from "@azure/functions";

// A request to one of the API's handlers, as the host would hand it over: the key in x-api-key, a JSON body.

export interface ApiRequestInit {
  key?: string;
  headers?: Record<string, string>;
  /** Sent as JSON (a string is sent as it is, to test malformed bodies). */
  body?: unknown;
  params?: Record<string, string>;
}

export function apiRequest(method: string, path: string, init: ApiRequestInit = {}): HttpRequest {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.key) headers["x-api-key"] = init.key;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  return new HttpRequest({
    method,
    url: `http://localhost/api/${path}`,
    headers,
    params: init.params ?? {},
    ...(init.body !== undefined ? { body: { string: typeof init.body === "string" ? init.body : JSON.stringify(init.body) } } : {}),
  });
}
