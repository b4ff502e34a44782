import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { ForeignTokenError, InvalidRequestError } from "../errors.js";

// Our continuation tokens wrap the store's token with what it is valid for: the partner, the result set and a
// fingerprint of the filters and sort. They are sealed (AES-256-GCM with a key only the service holds), so a
// token shows nothing readable (the store's token carries sort values, which are customer data) and cannot be
// forged or altered: anything we did not issue is a clear 400, never a wrong page.

const stateSchema = z.object({
  v: z.literal(2),
  /** partner id */
  p: z.string(),
  /** result set id (absent for tokens not tied to a result set, e.g. ingestions) */
  rs: z.string().optional(),
  /** fingerprint of the query the token continues */
  f: z.string(),
  /** query phase (rows with a sort value, then rows without one) */
  ph: z.number().int().min(0).max(1).default(0),
  /** the store's token for the phase: printable ASCII only, since the SDK sends it as a request header */
  t: z.string().regex(/^[\x20-\x7E]*$/).optional(),
});
export type ContinuationState = z.infer<typeof stateSchema>;

/** The message for any token we did not issue (tampered, truncated, from another partner). */
export const foreignTokenMessage = ForeignTokenError.message;
const field = "continuationToken";
const ivBytes = 12;
const tagBytes = 16;

export function fingerprint(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("base64url").slice(0, 16);
}

export interface TokenSealer {
  seal(state: ContinuationState): string;
  /** The state inside a token of ours, unchecked (throws the 400 for anything we did not seal). */
  unseal(token: string): ContinuationState;
  /** Opens a token and checks it belongs to this partner, result set and query; else a 400 on continuationToken. */
  open(token: string, expected: { partnerId: string; resultSetIds?: readonly string[]; fingerprint: string }): ContinuationState;
}

export function createTokenSealer(key: Buffer): TokenSealer {
  if (key.length !== 32) throw new Error("the sealing key must be 32 bytes");
  function unseal(token: string): ContinuationState {
    try {
      const bytes = Buffer.from(token, "base64url");
      if (bytes.length < ivBytes + tagBytes + 1) throw new Error("too short");
      const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, ivBytes));
      decipher.setAuthTag(bytes.subarray(bytes.length - tagBytes));
      const plain = Buffer.concat([decipher.update(bytes.subarray(ivBytes, bytes.length - tagBytes)), decipher.final()]);
      return stateSchema.parse(JSON.parse(plain.toString("utf8")));
    } catch {
      throw new ForeignTokenError();
    }
  }
  return {
    seal(state) {
      const iv = randomBytes(ivBytes);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(state), "utf8"), cipher.final()]);
      return Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url");
    },

    unseal,

    open(token, expected) {
      const state = unseal(token);
      if (state.p !== expected.partnerId) throw new ForeignTokenError();
      if (expected.resultSetIds !== undefined && (state.rs === undefined || !expected.resultSetIds.includes(state.rs))) {
        throw new InvalidRequestError(
          "continuationToken belongs to an earlier result set: the data has been refreshed since. Start again without continuationToken.",
          field,
        );
      }
      if (state.f !== expected.fingerprint) {
        throw new InvalidRequestError(
          "continuationToken was issued for different filters or sort order. Repeat the same query parameters, or start again without continuationToken.",
          field,
        );
      }
      return state;
    },
  };
}
