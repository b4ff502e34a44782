// Expected failures, raised anywhere (domain, use cases, adapters) and mapped to HTTP statuses in one place
// (shared/http.ts). Each carries a stable code a client can rely on and, where it applies, the field at fault.

export const errorCodes = [
  "invalid_request",
  "unauthorized",
  "forbidden",
  "not_found",
  "conflict",
  "payload_too_large",
  "unsupported_media_type",
  "too_many_requests",
  "unavailable",
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export class DomainError extends Error {
  /** Seconds a client should wait before trying again (429, 503). */
  readonly retryAfterSeconds?: number;
  /** Machine-readable detail for the caller (a refusal's counts, a warning); answered beside the message. */
  readonly details?: Record<string, unknown>;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    options?: { cause?: unknown; retryAfterSeconds?: number; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DomainError";
    if (options?.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
    if (options?.details !== undefined) this.details = options.details;
  }
}

/** Bad input from the caller; `field` names the parameter, header or body field. */
export class InvalidRequestError extends DomainError {
  constructor(message: string, field?: string, options?: { cause?: unknown }) {
    super("invalid_request", message, field, options);
    this.name = "InvalidRequestError";
  }
}

/** A continuation token we did not issue (tampered, truncated, from another partner), or one the store refused. */
export class ForeignTokenError extends InvalidRequestError {
  static readonly message = "continuationToken is not a token this API issued.";
  constructor(options?: { cause?: unknown }) {
    super(ForeignTokenError.message, "continuationToken", options);
    this.name = "ForeignTokenError";
  }
}

export class NotFoundError extends DomainError {
  constructor(message = "Not found.") {
    super("not_found", message);
    this.name = "NotFoundError";
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, field?: string) {
    super("conflict", message, field);
    this.name = "ConflictError";
  }
}

/** The caller sent more requests than its budget allows; it may try again after `retryAfterSeconds`. */
export class TooManyRequestsError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super("too_many_requests", "Too many requests for this API key; try again shortly.", undefined, { retryAfterSeconds });
    this.name = "TooManyRequestsError";
  }
}

/** A store (Cosmos DB, Storage) cannot be reached or keeps throttling: not the caller's fault, worth a retry. */
export class StoreUnavailableError extends DomainError {
  constructor(message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super("unavailable", message, undefined, { retryAfterSeconds: options?.retryAfterSeconds ?? 5, cause: options?.cause });
    this.name = "StoreUnavailableError";
  }
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}

export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
