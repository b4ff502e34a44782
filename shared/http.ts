import type { HttpResponseInit, InvocationContext } from "@azure/functions";
import { isDomainError, type ErrorCode } from "./errors.js";
import { redactSecrets } from "./logging.js";

// Response helpers and the one place where errors become HTTP statuses.
// Every error body has the same shape: { error: { code, message, field? } }.

export interface ErrorBody {
  error: { code: string; message: string; field?: string; details?: Record<string, unknown> };
}

export const statusByCode: Record<ErrorCode, number> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  unavailable: 503,
};

// Unauthenticated callers all get the same answer, so keys cannot be probed.
export const unauthorizedMessage = "A valid API key or sign-in token is required (header x-api-key or Authorization: Bearer).";

// Partner data is never cached by browsers or proxies; nosniff keeps browsers from reinterpreting a body.
export const jsonHeaders = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" };

function errorResponse(status: number, code: string, message: string, field?: string, headers: Record<string, string> = {}, details?: Record<string, unknown>): HttpResponseInit {
  const body: ErrorBody = { error: { code, message, ...(field === undefined ? {} : { field }), ...(details === undefined ? {} : { details }) } };
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

export function serviceUnavailable(message = "The service is temporarily unavailable; try again shortly.", retryAfterSeconds = 5): HttpResponseInit {
  return errorResponse(503, "unavailable", message, undefined, { "retry-after": String(retryAfterSeconds) });
}

/** The generic 500: logged in full with the invocation id, answered without internals. */
export function internalError(context: InvocationContext, err: unknown): HttpResponseInit {
  context.error(`Unhandled error in ${context.functionName} (invocation ${context.invocationId})`, redactError(err));
  return errorResponse(500, "internal", `An unexpected error occurred. Reference: ${context.invocationId}.`);
}

/** Maps an error to its response: domain errors by code (429 and 503 with Retry-After), anything else 500. */
export function errorToResponse(err: unknown, context: InvocationContext): HttpResponseInit {
  const code = codeOf(err);
  if (code === undefined) return internalError(context, err);
  if (code === "unauthorized") return unauthorized();
  const e = err as { message?: unknown; field?: unknown; retryAfterSeconds?: unknown; details?: unknown };
  const status = statusByCode[code];
  const headers: Record<string, string> = {};
  if (status === 429 || status === 503) headers["retry-after"] = String(typeof e.retryAfterSeconds === "number" ? e.retryAfterSeconds : 5);
  if (status === 503) {
    context.warn(`Unavailable in ${context.functionName} (invocation ${context.invocationId}): ${redactSecrets(String(e.message))}`);
    // Which store, and why, stays in the log.
    return errorResponse(503, "unavailable", "The service is temporarily unavailable; try again shortly.", undefined, headers);
  }
  const details = isDomainError(err) ? err.details : undefined;
  return errorResponse(status, code, String(e.message ?? code), typeof e.field === "string" ? e.field : undefined, headers, details);
}

/** A domain error's code, or the own `code` property of another error when it is one of ours. */
function codeOf(err: unknown): ErrorCode | undefined {
  if (isDomainError(err)) return err.code;
  if (typeof err !== "object" || err === null || !Object.hasOwn(err, "code")) return undefined;
  const code = (err as { code: unknown }).code;
  // Own keys only: an error whose code is "constructor" or "toString" must not pick a status off the prototype.
  return typeof code === "string" && Object.hasOwn(statusByCode, code) ? (code as ErrorCode) : undefined;
}

function redactError(err: unknown): unknown {
  if (err instanceof Error) {
    const copy = new Error(redactSecrets(err.message));
    copy.name = err.name;
    copy.stack = err.stack ? redactSecrets(err.stack) : undefined;
    return copy;
  }
  return typeof err === "string" ? redactSecrets(err) : err;
}
