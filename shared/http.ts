import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import type { Role } from "./domain/documents.js";

// Response helpers and the one place where errors become HTTP statuses.
// Every error body has the same shape: { error: { code, message, field? } }.

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/** The authenticated caller: bound to one partner and one role. */
export interface Caller {
  partnerId: string;
  role: Role;
  keyId: string;
}

export const readerRoles: readonly Role[] = ["reportViewer", "executiveReportViewer", "administrator"];
export const administratorRoles: readonly Role[] = ["administrator"];

/** Expected failures carry a stable code; `statusByCode` maps them to a status. */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ApiError";
  }
}

export const statusByCode = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unavailable: 503,
} as const;
export type ApiErrorCode = keyof typeof statusByCode;

// Unauthenticated callers all get the same answer, so keys cannot be probed.
export const unauthorizedMessage = "A valid API key is required (header x-api-key or Authorization: Bearer).";

// Partner data is never cached by browsers or proxies; nosniff keeps browsers from reinterpreting a body.
const jsonHeaders = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" };

function errorResponse(status: number, code: string, message: string, field?: string, headers: Record<string, string> = {}): HttpResponseInit {
  const body: ErrorBody = { error: field === undefined ? { code, message } : { code, message, field } };
  return { status, headers: { ...jsonHeaders, ...headers }, jsonBody: body };
}

export function ok(body: unknown, status = 200, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, headers: { ...jsonHeaders, ...headers }, jsonBody: body };
}

export function created(body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return ok(body, 201, headers);
}

export function accepted(body: unknown): HttpResponseInit {
  return ok(body, 202);
}

export function noContent(): HttpResponseInit {
  return { status: 204, headers: { "cache-control": "no-store" } };
}

export function badRequest(field: string, message: string): HttpResponseInit {
  return errorResponse(400, "invalid_request", message, field);
}

export function unauthorized(): HttpResponseInit {
  return errorResponse(401, "unauthorized", unauthorizedMessage, undefined, { "www-authenticate": 'Bearer realm="api"' });
}

export function forbidden(message = "Your API key's role does not allow this operation."): HttpResponseInit {
  return errorResponse(403, "forbidden", message);
}

export function notFound(message = "Not found."): HttpResponseInit {
  return errorResponse(404, "not_found", message);
}

export function conflict(message: string): HttpResponseInit {
  return errorResponse(409, "conflict", message);
}

export function serviceUnavailable(message = "The service is temporarily unavailable; try again shortly."): HttpResponseInit {
  return errorResponse(503, "unavailable", message);
}

/** The generic 500: logged in full with the invocation id, answered without internals. */
export function internalError(context: InvocationContext, err: unknown): HttpResponseInit {
  context.error(`Unhandled error in ${context.functionName} (invocation ${context.invocationId})`, err);
  return errorResponse(500, "internal", `An unexpected error occurred. Reference: ${context.invocationId}.`);
}

/** Maps an error to its response: ApiError (and errors from other modules with a known `code`) by code, anything else 500. */
export function errorToResponse(err: unknown, context: InvocationContext): HttpResponseInit {
  const code = typeof err === "object" && err !== null && "code" in err ? (err as { code: unknown }).code : undefined;
  // Own properties only: an error whose code is "constructor" or "toString" must not pick a status off the prototype.
  if (typeof code === "string" && Object.hasOwn(statusByCode, code)) {
    const e = err as { message?: string; field?: string };
    if (code === "unauthorized") return unauthorized();
    const status = statusByCode[code as ApiErrorCode];
    if (status === 503) context.warn(`Unavailable in ${context.functionName} (invocation ${context.invocationId})`, err);
    return errorResponse(status, code, e.message ?? code, typeof e.field === "string" ? e.field : undefined);
  }
  return internalError(context, err);
}

/** Wraps a handler so any thrown error is mapped (typed errors to their status, the rest to a generic 500). */
export function withErrors(handler: HttpHandler): HttpHandler {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (err) {
      return errorToResponse(err, context);
    }
  };
}

export type AuthenticatedHandler = (
  request: HttpRequest,
  context: InvocationContext,
  caller: Caller,
) => Promise<HttpResponseInit>;

/** Resolves the caller from the request or throws an error whose code is "unauthorized". */
export type Authenticator = (request: HttpRequest) => Promise<Caller>;

/**
 * Authenticates every call (401 on any failure, one generic message), checks the role (403),
 * then runs the handler with the caller. Errors are mapped by `errorToResponse`.
 */
export function withAuth(
  handler: AuthenticatedHandler,
  options: { roles: readonly Role[]; authenticate: Authenticator },
): HttpHandler {
  return withErrors(async (request, context) => {
    let caller: Caller;
    try {
      caller = await options.authenticate(request);
    } catch (err) {
      const code = (err as { code?: unknown })?.code;
      if (code === "unauthorized") {
        // The reason (missing, malformed, unknown, revoked) is logged, never answered.
        context.warn(`Rejected API key (${(err as { reason?: string }).reason ?? "unknown"}) on ${context.functionName}`);
        return unauthorized();
      }
      throw err;
    }
    if (!options.roles.includes(caller.role)) return forbidden();
    return handler(request, context, caller);
  });
}

/** The API key from `x-api-key`, else from `Authorization: Bearer …`. */
export function apiKeyHeader(request: HttpRequest): string | undefined {
  const direct = request.headers.get("x-api-key");
  if (direct) return direct;
  const authorization = request.headers.get("authorization");
  if (!authorization) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(authorization.trim());
  return m ? m[1].trim() : authorization;
}
