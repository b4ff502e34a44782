import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// The shape as the product grows (ARCHITECTURE.md): adapters never reach into the HTTP layer, ports never into
// a use case, handlers never into the database SDK, and the domain does no I/O.

const root = join(import.meta.dirname, "..", "..");

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** What one file imports: project files as .ts paths from the root, packages as their names. */
function importsOf(file: string): { project: string[]; packages: string[] } {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)["']([^"']+)["']/g)].map((m) => m[1]);
  return {
    project: specifiers.filter((s) => s.startsWith(".")).map((s) => relative(root, resolve(dirname(file), s)).replace(/\.js$/, ".ts")),
    packages: specifiers.filter((s) => !s.startsWith(".")),
  };
}

function violations(dir: string, forbidden: (target: string, kind: "project" | "package") => boolean): string[] {
  return typeScriptFiles(join(root, dir)).flatMap((file) => {
    const { project, packages } = importsOf(file);
    return [
      ...project.filter((t) => forbidden(t, "project")).map((t) => `${relative(root, file)} → ${t}`),
      ...packages.filter((t) => forbidden(t, "package")).map((t) => `${relative(root, file)} → ${t}`),
    ];
  });
}

describe("architecture", () => {
  it("keeps adapters out of the HTTP layer: no import of shared/api or shared/http.ts", () => {
    expect(violations("shared/adapters", (t, kind) => kind === "project" && (t.startsWith("shared/api/") || t === "shared/http.ts"))).toEqual([]);
  });

  it("keeps ports free of use cases: they import only the domain, other ports and zod", () => {
    const allowed = (t: string, kind: string) => (kind === "package" ? t === "zod" : t.startsWith("shared/domain/") || t.startsWith("shared/ports/"));
    expect(violations("shared/ports", (t, kind) => !allowed(t, kind))).toEqual([]);
  });

  it("keeps handlers away from the database and storage SDKs and from adapters", () => {
    const sdk = (t: string, kind: string) => (kind === "package" ? t.startsWith("@azure/cosmos") || t.startsWith("@azure/storage") : t.startsWith("shared/adapters/"));
    expect(violations("functions", sdk)).toEqual([]);
  });

  it("keeps the domain pure: no SDK, no adapters, no node I/O", () => {
    const io = (t: string, kind: string) =>
      kind === "package" ? t.startsWith("@azure/") || t === "node:fs" || t === "node:fs/promises" || t === "node:http" : t.startsWith("shared/adapters/") || t === "shared/wiring.ts";
    expect(violations("shared/domain", io)).toEqual([]);
    expect(violations("shared/scoring", io)).toEqual([]);
  });
});
