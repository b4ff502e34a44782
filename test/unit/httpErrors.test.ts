import { InvocationContext } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { DomainError, InvalidRequestError, StoreUnavailableError } from "../../shared/errors.js";
import { errorToResponse, ok } from "../../shared/http.js";

// How errors become responses: typed codes map to their status, everything else to a generic 500.

function capture() {
  const lines: string[] = [];
  const context = new InvocationContext({
    functionName: "test",
    invocationId: "inv-123",
    logHandler: (_level, ...args) => lines.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : String(a))).join(" ")),
  });
  return { context, lines };
}

describe("error responses", () => {
  it("answers an unexpected error with a generic 500 carrying the invocation id and nothing of the error", () => {
    const { context, lines } = capture();
    const err = new Error("connect ECONNREFUSED https://acct.documents.azure.com key=poi_alpha_secret");
    const res = errorToResponse(err, context);
    expect(res.status).toBe(500);
    expect(res.jsonBody).toEqual({ error: { code: "internal", message: "An unexpected error occurred. Reference: inv-123." } });
    expect(JSON.stringify(res)).not.toMatch(/ECONNREFUSED|documents\.azure|poi_|at /);
    // The full error goes to the log, for the operator.
    expect(lines.join("\n")).toContain("inv-123");
  });

  it("never takes a status from the prototype: an error coded constructor or toString is a 500", () => {
    for (const code of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      const res = errorToResponse(Object.assign(new Error("x"), { code }), capture().context);
      expect(res.status, code).toBe(500);
      expect(res.jsonBody.error.code).toBe("internal");
    }
  });

  it("maps typed errors to their status with the field named", () => {
    const context = capture().context;
    expect(errorToResponse(new InvalidRequestError("pageSize: too big", "pageSize"), context)).toMatchObject({
      status: 400,
      jsonBody: { error: { code: "invalid_request", field: "pageSize" } },
    });
    expect(errorToResponse(new DomainError("payload_too_large", "too big", "body"), context).status).toBe(413);
    expect(errorToResponse(new DomainError("unsupported_media_type", "json only", "content-type"), context).status).toBe(415);
    expect(errorToResponse(Object.assign(new Error("Could not read"), { code: "unavailable" }), context).status).toBe(503);
  });

  it("answers 503, not 500, when the ingestion or result store cannot be reached", () => {
    const context = capture().context;
    const cause = new Error("connect ECONNREFUSED 127.0.0.1:8081");
    for (const err of [new StoreUnavailableError("listing ingestions failed", { cause }), new StoreUnavailableError("reading rows failed", { cause })]) {
      const res = errorToResponse(err, context);
      expect(res.status).toBe(503);
      expect(JSON.stringify(res.jsonBody)).not.toContain("ECONNREFUSED");
    }
  });

  it("marks JSON answers as JSON, never cached, never sniffed", () => {
    for (const res of [ok({ a: 1 }), errorToResponse(new Error("x"), capture().context)]) {
      expect(res.headers).toMatchObject({
        "content-type": "application/json; charset=utf-8",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      });
    }
  });
});
