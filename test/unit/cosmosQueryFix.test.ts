import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

// local/cosmosQueryFix.cjs replaces two quadratic steps of the Cosmos emulator's query engine;
// the emulator must still answer exactly as before.
const require = createRequire(import.meta.url);
const serverRequire = createRequire(require.resolve("@vercel/cosmosdb-server"));
const { default: createQuery } = serverRequire("@zeit/cosmosdb-query") as {
  default: (sql: string) => { code: string; exec(docs: unknown[], options?: object): { result: unknown[]; continuation: unknown } };
};

const docs = Array.from({ length: 300 }, (_, i) => ({
  id: `d${i}`,
  partnerId: i % 3 === 0 ? "p1" : "p2",
  tenantName: `Tenant ${(i * 7) % 300}`,
  tags: i % 5 === 0 ? ["a", undefined, "b"] : ["c"],
  _rid: `rid${String(i).padStart(5, "0")}`,
}));
const params = { parameters: [{ name: "@p", value: "p1" }] };

function run(sql: string, options: object = {}) {
  return createQuery(sql).exec(docs, { ...params, ...options });
}

describe("Cosmos emulator query fix", () => {
  const before = {
    filter: run("SELECT * FROM c WHERE c.partnerId = @p"),
    ordered: run("SELECT c.id, c.tenantName FROM c WHERE c.partnerId = @p ORDER BY c.tenantName DESC", { maxItemCount: 10 }),
    count: run("SELECT VALUE COUNT(1) FROM c WHERE c.partnerId = @p"),
    top: run("SELECT TOP 5 * FROM root r WHERE r.partnerId = @p"),
  };
  require("../../local/cosmosQueryFix.cjs");

  it("compiles FROM without copying the row list at every document", () => {
    expect(createQuery("SELECT * FROM c WHERE c.partnerId = @p").code).not.toContain("[...$");
  });

  it("answers filters, ORDER BY pages, aggregates and TOP exactly as the unpatched engine", () => {
    expect(run("SELECT * FROM c WHERE c.partnerId = @p")).toEqual(before.filter);
    expect(run("SELECT c.id, c.tenantName FROM c WHERE c.partnerId = @p ORDER BY c.tenantName DESC", { maxItemCount: 10 })).toEqual(before.ordered);
    expect(run("SELECT VALUE COUNT(1) FROM c WHERE c.partnerId = @p")).toEqual(before.count);
    expect(run("SELECT TOP 5 * FROM root r WHERE r.partnerId = @p")).toEqual(before.top);
    expect(before.filter.result).toHaveLength(100);
    // Undefined array entries are still dropped, as in JSON.
    expect((before.filter.result[0] as { tags: unknown[] }).tags).toEqual(["a", "b"]);
  });
});
