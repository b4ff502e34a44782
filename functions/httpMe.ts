import { registerRoute, type RouteHandler } from "../shared/api/register.js";
import { routes } from "../shared/api/routes.js";
import { ok } from "../shared/http.js";
import type { ApiDeps } from "../shared/wiring.js";

// Who the caller is: the web page signs in with a key and shows what that key's role may do.

export const me = (_deps: ApiDeps): RouteHandler<typeof routes.me> =>
  async ({ caller }) => ok({ partnerId: caller.partnerId, role: caller.role, keyId: caller.keyId });

registerRoute(routes.me, me);
