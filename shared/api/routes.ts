import { cloudEndpointsRoutes } from "./cloudEndpoints.js";
import { dealScoringRoutes } from "./dealScoring.js";
import { identityRoutes } from "./identity.js";
import { managementRoutes } from "./management.js";
import { propensityRoutes } from "./propensity.js";
import { opportunitiesRoutes } from "./opportunities.js";

// Every HTTP route in one table, gathered from each tab's own file: the functions register from it, the route
// pipeline applies its authentication, roles and validation, and the OpenAPI document is built from it.

export { apiBasePath, apiRoute, type RouteSpec } from "./routeSpec.js";

export const routes = {
  ...managementRoutes,
  ...cloudEndpointsRoutes,
  ...dealScoringRoutes,
  ...identityRoutes,
  ...propensityRoutes,
  ...opportunitiesRoutes,
};

export type RouteName = keyof typeof routes;
