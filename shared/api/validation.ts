import type { HttpRequest } from "@azure/functions";
import type { z } from "zod";
import { DomainError, InvalidRequestError } from "../errors.js";

// Turns query strings, path parameters and JSON bodies into typed values with the zod schemas
// of this folder; the first problem becomes a 400 naming the field.

type Issue = z.core.$ZodIssue;

function issueToError(issue: Issue, fallbackField: string): InvalidRequestError {
  if (issue.code === "unrecognized_keys") {
    const field = [...issue.path.map(String), issue.keys[0]].join(".");
    return new InvalidRequestError(`${field} is not a known parameter.`, field);
  }
  // Parameters and bodies are flat: name the parameter, not an index inside it.
  const field = issue.path.length > 0 ? String(issue.path[0]) : fallbackField;
  return new InvalidRequestError(`${field}: ${issue.message}`, field);
}

export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, fallbackField: string): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw issueToError(parsed.error.issues[0], fallbackField);
  return parsed.data;
}

/**
 * Query string → plain object. Repeatable parameters become arrays (each value may also be a comma
 * list); any other parameter given twice is a 400, so a caller never silently loses a value.
 */
export function queryToInput(query: URLSearchParams, repeatable: readonly string[] = []): Record<string, string | string[]> {
  const input: Record<string, string | string[]> = {};
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key);
    if (repeatable.includes(key)) {
      input[key] = values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
    } else if (values.length > 1) {
      throw new InvalidRequestError(`${key} must be given once.`, key);
    } else {
      input[key] = values[0];
    }
  }
  return input;
}

export function parseQuery<T extends z.ZodType>(schema: T, query: URLSearchParams, repeatable: readonly string[] = []): z.output<T> {
  return parseOrThrow(schema, queryToInput(query, repeatable), "query");
}

export const maxJsonBodyBytes = 64 * 1024;

/** Reads at most maxBytes of the body, so an oversized upload is refused without being held in memory. */
async function readBodyCapped(request: HttpRequest, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = () => new DomainError("payload_too_large", `body must be at most ${maxBytes} bytes.`, "body");
  const declared = Number(request.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * A JSON body: Content-Type must be application/json (415 otherwise), at most maxBytes (413), valid UTF-8
 * JSON holding an object (400 on "body"); then the schema names the field.
 */
export async function parseJsonBody<T extends z.ZodType>(schema: T, request: HttpRequest, maxBytes = maxJsonBodyBytes): Promise<z.output<T>> {
  const contentType = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (contentType !== "application/json") {
    throw new DomainError("unsupported_media_type", "content-type must be application/json.", "content-type");
  }
  const bytes = await readBodyCapped(request, maxBytes);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new InvalidRequestError("body must be a JSON object.", "body");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new InvalidRequestError("body must be a JSON object.", "body");
  }
  return parseOrThrow(schema, json, "body");
}
