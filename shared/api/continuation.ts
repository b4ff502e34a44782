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
  /** the SDK's token for the phase */
  t: z.string().optional(),
});
export type ContinuationState = z.infer<typeof tokenSchema>;

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
    throw new ApiError("invalid_request", "continuationToken is not a token this API issued.", field);
  }
  if (state.p !== expected.partnerId) {
    throw new ApiError("invalid_request", "continuationToken is not a token this API issued.", field);
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
