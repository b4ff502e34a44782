import { app, type HttpHandler, type HttpMethod } from "@azure/functions";
import { unknownRouteResponse } from "../shared/api/unknownRoute.js";

// Every path under /api that no other function takes (a catch-all has the lowest route precedence, in Azure and in
// the local host): 404, or 405 with Allow for a known path, as the JSON error shape instead of the platform's own.

const everyMethod: HttpMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

export const unknownRouteHandler: HttpHandler = async (request) => unknownRouteResponse(request.method, request.params.path ?? "");

app.http("apiUnknownRoute", { methods: everyMethod, route: "api/{*path}", authLevel: "anonymous", handler: unknownRouteHandler });
