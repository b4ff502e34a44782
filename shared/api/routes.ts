import { cloudEndpointsRoutes } from "./cloudEndpoints.js";
import { managementRoutes } from "./management.js";
import { opportunitiesRoutes } from "./opportunities.js";

// Every HTTP route in one table, gathered from each tab's own file: the functions register from it, the route
// pipeline applies its authentication, roles and validation, and the OpenAPI document is built from it.

export { apiBasePath, apiRoute, type RouteSpec } from "./routeSpec.js";

export const routes = {
  ...managementRoutes,
  ...cloudEndpointsRoutes,
  ...opportunitiesRoutes,
};

export type RouteName = keyof typeof routes;
