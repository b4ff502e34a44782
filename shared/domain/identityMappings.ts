import { z } from "zod";
import { guidSchema } from "./common.js";

// Who may sign in with Entra ID for a partner: a partner's administrator maps an Entra tenant (everyone signed in
// from it) or a security group (its members) to the partner. The token proves who someone is and which app role
// they hold; only this mapping says which partner's data they see. Stored in the partners container, in the
// partner's partition, id "identity:{kind}:{objectId}".

export const identityKinds = ["tenant", "group"] as const;
export const identityKindSchema = z.enum(identityKinds, { error: `must be one of: ${identityKinds.join(", ")}` });
export type IdentityKind = z.infer<typeof identityKindSchema>;

export const identityMappingDocSchema = z.object({
  id: z.string().startsWith("identity:"),
  partnerId: z.string(),
  type: z.literal("identityMapping"),
  kind: identityKindSchema,
  /** The Entra tenant id (the token's `tid`) or the group's object id (in the token's `groups`), lower-case. */
  objectId: guidSchema,
  /** A label for people: which company or team this is. */
  name: z.string().optional(),
  createdAt: z.string(),
  createdBy: z.string().optional(),
});
export type IdentityMappingDoc = z.infer<typeof identityMappingDocSchema>;

export const identityMappingIdFor = (kind: IdentityKind, objectId: string) => `identity:${kind}:${objectId.toLowerCase()}`;

/** What the API shows of a mapping. */
export const identityMappingSchema = identityMappingDocSchema.pick({ kind: true, objectId: true, name: true, createdAt: true, createdBy: true });
export type IdentityMapping = z.infer<typeof identityMappingSchema>;
