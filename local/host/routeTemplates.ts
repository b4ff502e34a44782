// ASP.NET-style route templates as the Functions host reads them: parsing, matching a request path, and
// precedence when several routes match.

export type RouteSegment =
  | { kind: "literal"; text: string }
  | { kind: "param"; name: string; optional: boolean; catchAll: boolean; constraints: ((v: string) => boolean)[] };

/** Parses an ASP.NET-style route template: literals, {name}, {name?}, {name:int}, {name:regex(...)}, {*rest}. */
export function parseRouteTemplate(template: string): RouteSegment[] {
  const trimmed = template.replace(/^\/+|\/+$/g, "");
  if (trimmed === "") return [];
  return trimmed.split("/").map((segment): RouteSegment => {
    const m = /^\{(\*{1,2})?([A-Za-z_][A-Za-z0-9_]*)((?::[^:?}]+(?:\([^)]*\))?)*)(\?)?\}$/.exec(segment);
    if (!m) {
      if (segment.includes("{")) throw new Error(`route "${template}": unsupported segment "${segment}"`);
      return { kind: "literal", text: segment.toLowerCase() };
    }
    const [, star, name, constraintText, optional] = m;
    const constraints = (constraintText.match(/:[^:(]+(?:\([^)]*\))?/g) ?? []).map((c) => routeConstraint(c.slice(1), template));
    return { kind: "param", name, optional: Boolean(optional) || Boolean(star), catchAll: Boolean(star), constraints };
  });
}

function routeConstraint(spec: string, template: string): (v: string) => boolean {
  const m = /^([a-z]+)(?:\((.*)\))?$/i.exec(spec);
  if (!m) throw new Error(`route "${template}": unsupported constraint "${spec}"`);
  const [, name, argText] = m;
  const args = argText?.split(",").map((a) => a.trim()) ?? [];
  switch (name.toLowerCase()) {
    case "int":
    case "long":
      return (v) => /^-?\d+$/.test(v);
    case "double":
    case "decimal":
    case "float":
      return (v) => v.trim() !== "" && Number.isFinite(Number(v));
    case "bool":
      return (v) => /^(true|false)$/i.test(v);
    case "alpha":
      return (v) => /^[a-z]+$/i.test(v);
    case "guid":
      return (v) => /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i.test(v);
    case "datetime":
      return (v) => !Number.isNaN(Date.parse(v));
    case "minlength":
      return (v) => v.length >= Number(args[0]);
    case "maxlength":
      return (v) => v.length <= Number(args[0]);
    case "length":
      return args.length === 2 ? (v) => v.length >= Number(args[0]) && v.length <= Number(args[1]) : (v) => v.length === Number(args[0]);
    case "min":
      return (v) => Number(v) >= Number(args[0]);
    case "max":
      return (v) => Number(v) <= Number(args[0]);
    case "range":
      return (v) => Number(v) >= Number(args[0]) && Number(v) <= Number(args[1]);
    case "regex": {
      const re = new RegExp(argText ?? "");
      return (v) => re.test(v);
    }
    default:
      throw new Error(`route "${template}": unsupported constraint "${spec}"`);
  }
}

/** Matches path segments (already split, URL-decoded) against a route; returns the params or undefined. */
export function matchRoute(segments: RouteSegment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const part = parts[i];
    if (seg.kind === "literal") {
      if (part === undefined || part.toLowerCase() !== seg.text) return undefined;
      continue;
    }
    if (seg.catchAll) {
      const rest = parts.slice(i).join("/");
      if (rest !== "") params[seg.name] = rest;
      return params;
    }
    if (part === undefined || part === "") {
      if (!seg.optional) return undefined;
      continue;
    }
    if (!seg.constraints.every((c) => c(part))) return undefined;
    params[seg.name] = part;
  }
  return parts.length <= segments.length ? params : undefined;
}

// Literal segments win over parameters, constrained over unconstrained, required over optional (ASP.NET precedence).
function routeRank(segments: RouteSegment[]): number[] {
  return segments.map((s) => (s.kind === "literal" ? 0 : s.catchAll ? 4 : s.optional ? 3 : s.constraints.length ? 1 : 2));
}

/** Sort order of two routes: the one that should be tried first compares lower. */
export function compareRoutePrecedence(a: RouteSegment[], b: RouteSegment[]): number {
  const ra = routeRank(a);
  const rb = routeRank(b);
  for (let i = 0; i < Math.max(ra.length, rb.length); i++) {
    const x = ra[i] ?? -1;
    const y = rb[i] ?? -1;
    if (x !== y) return x - y;
  }
  return 0;
}
