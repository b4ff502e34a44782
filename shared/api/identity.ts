import { z } from "zod";
import { administratorRoles as administrators } from "../auth/roles.js";
import { guidPattern } from "../domain/common.js";
import { identityKindSchema, identityMappingSchema } from "../domain/identityMappings.js";
import { emptyQuerySchema } from "./common.js";
import type { RouteSpec } from "./routeSpec.js";

// Sign-in mappings: which Entra ID tenant or group signs in as the caller's partner (administrators, own partner only).

const objectIdSchema = z
  .string()
  .regex(guidPattern, { error: "must be a GUID" })
  .transform((s) => s.toLowerCase());

export const createIdentityMappingBodySchema = z.strictObject({
  kind: identityKindSchema.meta({ description: "tenant: everyone signed in from this Entra tenant; group: members of this security group." }),
  objectId: objectIdSchema.meta({ description: "The Entra tenant id, or the group's object id." }),
  name: z.string().trim().min(1, { error: "must not be empty" }).max(100, { error: "must be at most 100 characters" }).optional().meta({ description: "A label: which company or team this is." }),
});
export type CreateIdentityMappingBody = z.output<typeof createIdentityMappingBodySchema>;

export const identityMappingParamsSchema = z.strictObject({
  kind: identityKindSchema.meta({ description: "tenant or group." }),
  objectId: objectIdSchema.meta({ description: "The tenant id or group object id." }),
});

export const identityMappingsListResponseSchema = z.object({ items: z.array(identityMappingSchema) });

export const identityRoutes = {
  listIdentityMappings: {
    name: "listIdentityMappings",
    method: "GET",
    route: "identity-mappings",
    summary: "The Entra ID tenants and groups that sign in as the caller's partner (administrator).",
    roles: administrators,
    query: emptyQuerySchema,
    responses: { 200: { description: "The partner's sign-in mappings.", schema: identityMappingsListResponseSchema } },
  },
  createIdentityMapping: {
    name: "createIdentityMapping",
    method: "POST",
    route: "identity-mappings",
    summary:
      "Let everyone signed in from an Entra ID tenant, or the members of a group, sign in as the caller's partner (administrator). Their app role decides what they may do.",
    roles: administrators,
    query: emptyQuerySchema,
    body: createIdentityMappingBodySchema,
    responses: {
      201: { description: "Mapped.", schema: identityMappingSchema },
      200: { description: "The partner already had this mapping.", schema: identityMappingSchema },
      409: { description: "Another partner has this tenant or group." },
    },
  },
  deleteIdentityMapping: {
    name: "deleteIdentityMapping",
    method: "DELETE",
    route: "identity-mappings/{kind}/{objectId}",
    summary: "Stop a tenant or group signing in as the caller's partner (administrator). Takes effect within 30 seconds everywhere.",
    roles: administrators,
    query: emptyQuerySchema,
    params: identityMappingParamsSchema,
    responses: {
      204: { description: "Removed." },
      404: { description: "The partner has no such mapping." },
    },
  },
} as const satisfies Record<string, RouteSpec>;
