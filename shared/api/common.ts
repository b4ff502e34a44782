import { z } from "zod";

// Request-parameter shapes shared by every route.

/** GET routes that take no parameters. */
export const emptyQuerySchema = z.strictObject({});

const pageSizeSchema = (max: number, fallback: number) =>
  z.coerce
    .number({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(1, { error: "must be at least 1" })
    .max(max, { error: `must be at most ${max}` })
    .default(fallback);

export const continuationTokenSchema = z
  .string()
  .min(1, { error: "must not be empty" })
  .max(4096, { error: "is too long" })
  .optional()
  .meta({ description: "Opaque token from the previous page; valid only with the same filters, sort and result set." });

/** `pageSize` and `continuationToken` of a paged list. */
export function pagingShape(max: number, fallback: number, what = "Rows") {
  return {
    pageSize: pageSizeSchema(max, fallback).meta({ description: `${what} per page (default ${fallback}, at most ${max}).` }),
    continuationToken: continuationTokenSchema,
  };
}

/** Longest keyword a list's `search` takes. */
export const maxSearchLength = 100;

/** `search`: a keyword, trimmed and lower-cased; `where` says which fields it is matched in. */
export function searchParam(where: string) {
  return z
    .string()
    .max(maxSearchLength, { error: `must be at most ${maxSearchLength} characters` })
    .transform((v) => v.trim().toLowerCase())
    .optional()
    .meta({ description: `Keyword, case-insensitive, matched in ${where}.` });
}

/** `sort`: one of the sortable columns, with its default. */
export function sortParam<const C extends readonly [string, ...string[]]>(columns: C, fallback: C[number], description: string) {
  return z
    .enum(columns, { error: `must be one of: ${columns.join(", ")}` })
    .default(fallback as never)
    .meta({ description });
}

/** `order`: asc or desc; each list says its default per column. */
export function orderParam(description: string) {
  return z.enum(["asc", "desc"], { error: "must be asc or desc" }).optional().meta({ description });
}
