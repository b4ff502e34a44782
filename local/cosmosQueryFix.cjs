// Loaded into the Cosmos DB emulator process (see emulators.ts) before it starts.
// @zeit/cosmosdb-query, which @vercel/cosmosdb-server uses, builds every query's row list with
// `reduce((acc, c) => [...acc, { c }], [])` and strips undefined values from arrays the same way:
// both copy the array at every step, so one query costs O(n^2) in the container's document count
// (seconds at 20,000 documents, minutes at 80,000). These replacements compute the same values in O(n).
"use strict";
const Module = require("node:module");
const path = require("node:path");

const serverDir = path.dirname(require.resolve("@vercel/cosmosdb-server/package.json"));
const requireFromServer = Module.createRequire(path.join(serverDir, "lib", "index.js"));
const helpers = requireFromServer("@zeit/cosmosdb-query/lib/helpers");
const { default: createQuery } = requireFromServer("@zeit/cosmosdb-query");

const stripArray = helpers.stripUndefined;
helpers.stripUndefined = function stripUndefined(obj) {
  if (Array.isArray(obj)) {
    const out = [];
    for (const v of obj) if (typeof v !== "undefined") out.push(stripUndefined(v));
    return out;
  }
  if (obj && typeof obj === "object") {
    const out = {};
    for (const k of Object.keys(obj)) if (typeof obj[k] !== "undefined") out[k] = stripUndefined(obj[k]);
    return out;
  }
  return stripArray(obj);
};

// `FROM c` compiles to `$c.reduce(($, c) => typeof c !== "undefined" ? [...$, { c: c }] : $, [])`.
const fromClause = /\$c\.reduce\(\(\$, (\w+)\) => typeof \1 !== "undefined" \? \[\.\.\.\$, \{\s*\1: \1\s*\}\] : \$, \[\]\)/g;
const Query = Object.getPrototypeOf(createQuery("SELECT * FROM c")).constructor;
const codeGetter = Object.getOwnPropertyDescriptor(Query.prototype, "code").get;
Object.defineProperty(Query.prototype, "code", {
  configurable: true,
  get() {
    const code = codeGetter.call(this);
    return code && code.replace(fromClause, (_m, alias) => `$c.filter((${alias}) => typeof ${alias} !== "undefined").map((${alias}) => ({ ${alias}: ${alias} }))`);
  },
});
