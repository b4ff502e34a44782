// The page's only way to the API: relative /api/... URLs (its own origin), the key in the x-api-key header
// (never in a URL) or, signed in with a work account, no key at all (the platform's session cookie goes along),
// and errors turned into sentences a person can act on.

export type QueryValue = string | number | boolean | readonly string[] | undefined;
export type Query = Record<string, QueryValue>;

/** An answer other than 2xx, or no answer at all (status 0), with a message in words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly field?: string,
    /** The API's machine-readable detail (deal scoring: `problem` and the counts behind a refusal). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export type SendMethod = "POST" | "PUT" | "PATCH" | "DELETE";

export interface Api {
  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T>;
  send<T>(method: SendMethod, path: string, body?: unknown, query?: Query): Promise<T | undefined>;
  /** A file answer (CSV export): its bytes and the file name the server suggests. */
  download(path: string, query?: Query): Promise<{ blob: Blob; fileName: string }>;
}

/** Lists go as comma lists (the API accepts both forms); empty values are left out. */
export function toQueryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === "") continue;
    if (Array.isArray(value)) {
      if (value.length) params.set(name, value.join(","));
    } else params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

function sameOriginUrl(path: string, query?: Query): string {
  // Only paths of this site's API: the key never leaves this origin.
  if (!/^\/api\/[^/]/.test(path)) throw new Error(`not an API path: ${path}`);
  return path + toQueryString(query);
}

const messagesByStatus: Record<number, string> = {
  401: "Your sign-in was not accepted.",
  403: "Your role may not do this.",
  404: "Not found.",
  413: "That is too large for the service.",
  503: "The service is temporarily unavailable; try again shortly.",
};

async function errorFrom(response: Response): Promise<ApiError> {
  let body: { error?: { code?: string; message?: string; field?: string; details?: Record<string, unknown> } } | undefined;
  try {
    body = (await response.json()) as typeof body;
  } catch {
    body = undefined;
  }
  const message = body?.error?.message ?? messagesByStatus[response.status] ?? `The service answered ${response.status}.`;
  return new ApiError(response.status, message, body?.error?.code, body?.error?.field, body?.error?.details);
}

const unreachable = () => new ApiError(0, "Could not reach the service. Check your connection and try again.");

/**
 * Calls the API with `apiKey`, or without one (undefined) as the work account the platform's session cookie signs
 * in; a 401 also calls `onUnauthorized` (the key was revoked or is wrong, or the session ended).
 */
export function createApi(apiKey: string | undefined, onUnauthorized: () => void = () => undefined): Api {
  const call = async (method: string, path: string, query?: Query, body?: unknown, signal?: AbortSignal): Promise<Response> => {
    const headers: Record<string, string> = { accept: "application/json" };
    if (apiKey !== undefined) headers["x-api-key"] = apiKey;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(sameOriginUrl(path, query), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
        signal,
      });
    } catch (err) {
      if ((err as Error).name === "AbortError") throw err;
      throw unreachable();
    }
    if (response.ok) return response;
    const error = await errorFrom(response);
    if (response.status === 401) onUnauthorized();
    throw error;
  };
  return {
    async get<T>(path: string, query?: Query, signal?: AbortSignal) {
      return (await (await call("GET", path, query, undefined, signal)).json()) as T;
    },
    async send<T>(method: SendMethod, path: string, body?: unknown, query?: Query) {
      const response = await call(method, path, query, body);
      return response.status === 204 ? undefined : ((await response.json()) as T);
    },
    async download(path: string, query?: Query) {
      const response = await call("GET", path, query);
      const disposition = response.headers.get("content-disposition") ?? "";
      const fileName = /filename="?([^";]+)"?/i.exec(disposition)?.[1] ?? "export.csv";
      return { blob: await response.blob(), fileName };
    },
  };
}

export const isAbort = (err: unknown) => (err as Error | undefined)?.name === "AbortError";

/** A sentence for any error a call may throw. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return "Something went wrong in the page. Reload it and try again.";
}
