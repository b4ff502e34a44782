import type { InvocationContext } from "@azure/functions";

// Logs never carry a secret. An API key (or a bearer token) can reach a log line through a URL (a caller who put it in the query
// or the path), an error message or a stack: every line is passed through redactSecrets first, wherever it
// is written (function logs via safeContext, the local host's own lines).

// "poi_{partner}_{secret}", also percent-encoded ("%5F" for "_", "%2D" for "-"), case-insensitive.
const keyShaped = /poi(?:_|%5f)(?:[a-z0-9-]|%2d){3,63}?(?:_|%5f)(?:[A-Za-z0-9_-]|%2d|%5f){20,}/gi;

export const redactedKey = "poi_[redacted]";

// A signed JWT (an Entra ID access token): header and payload are base64url JSON, so both start "eyJ".
const tokenShaped = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;
export const redactedToken = "eyJ[redacted]";

export function redactSecrets(text: string): string {
  return text.replace(keyShaped, redactedKey).replace(tokenShaped, redactedToken);
}

/** True when the text holds something shaped like an API key (for refusing keys sent in URLs). */
export function containsKeyShaped(text: string): boolean {
  keyShaped.lastIndex = 0;
  const found = keyShaped.test(text);
  keyShaped.lastIndex = 0;
  return found;
}

function redactValue(value: unknown): unknown {
  if (typeof value === "string") return redactSecrets(value);
  if (value instanceof Error) {
    const copy = new Error(redactSecrets(value.message));
    copy.name = value.name;
    copy.stack = value.stack ? redactSecrets(value.stack) : undefined;
    if (value.cause !== undefined) (copy as Error & { cause?: unknown }).cause = redactValue(value.cause);
    return copy;
  }
  return value;
}

export interface Logger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** The invocation's logger with every argument redacted. */
export function safeLogger(context: InvocationContext): Logger {
  return {
    info: (...args) => context.log(...args.map(redactValue)),
    warn: (...args) => context.warn(...args.map(redactValue)),
    error: (...args) => context.error(...args.map(redactValue)),
  };
}
