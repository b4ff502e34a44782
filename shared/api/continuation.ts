import { createHash } from "node:crypto";
import { z } from "zod";
import { ApiError } from "../http.js";

// Our continuation tokens wrap the Cosmos DB SDK's token with what it is valid for: the partner,
// the result set and a fingerprint of the filters and sort. A token used with other filters, by
// another partner or after a refresh replaced the result set is a clear 400, never a wrong page.

const tokenSchema = z.object({
  v: z.literal(1),
  /** partner id */
  p: z.string(),
  /** result set id (absent for tokens not tied to a result set, e.g. ingestions) */
  rs: z.string().optional(),
  /** fingerprint of the query the token continues */
  f: z.string(),
  /** query phase (rows with a sort value, then rows without one) */
  ph: z.number().int().min(0).max(1).default(0),
  /** the SDK's token for the phase: printable ASCII only, since the SDK sends it as a request header */
  t: z.string().regex(/^[\x20-\x7E]*$/).optional(),
});
export type ContinuationState = z.infer<typeof tokenSchema>;

/** The message for any token we did not issue (tampered, truncated, from another partner). */
export const foreignTokenMessage = "continuationToken is not a token this API issued.";

/**
 * True when the database refused a caller-supplied SDK token (it answers 400 for a token it cannot read).
 * Tokens are not signed: a tampered one can only move within the caller's own query, which always
 * filters on the caller's partner, so the worst it earns is a 400 (never a 5xx, never other data).
 */
export function isRejectedToken(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  const causeCode = ((err as { cause?: { code?: unknown } })?.cause)?.code;
  return code === 400 || causeCode === 400;
}

export function fingerprint(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("base64url").slice(0, 16);
}

export function encodeContinuation(state: ContinuationState): string {
  return Buffer.from(JSON.stringify(state), "utf8").toString("base64url");
}

const field = "continuationToken";

/** Decodes a token and checks it belongs to this partner, result set and query; else a 400 on continuationToken. */
export function decodeContinuation(
  token: string,
  expected: { partnerId: string; resultSetIds?: readonly string[]; fingerprint: string },
): ContinuationState {
  let state: ContinuationState;
  try {
    state = tokenSchema.parse(JSON.parse(Buffer.from(token, "base64url").toString("utf8")));
  } catch {
    throw new ApiError("invalid_request", foreignTokenMessage, field);
  }
  if (state.p !== expected.partnerId) {
    throw new ApiError("invalid_request", foreignTokenMessage, field);
  }
  if (expected.resultSetIds !== undefined && (state.rs === undefined || !expected.resultSetIds.includes(state.rs))) {
    throw new ApiError(
      "invalid_request",
      "continuationToken belongs to an earlier result set: the data has been refreshed since. Start again without continuationToken.",
      field,
    );
  }
  if (state.f !== expected.fingerprint) {
    throw new ApiError(
      "invalid_request",
      "continuationToken was issued for different filters or sort order. Repeat the same query parameters, or start again without continuationToken.",
      field,
    );
  }
  return state;
}
