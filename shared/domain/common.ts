import { z } from "zod";

// Schemas of concepts used everywhere (CSV rows, stored documents, request parameters): one definition each.

export const guidPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** A GUID, lower-cased (tenant ids are compared and stored lower-case). */
export const guidSchema = z
  .string()
  .regex(guidPattern, { error: "must be a GUID" })
  .transform((s) => s.toLowerCase());

/** A month, YYYY-MM. */
export const yearMonthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: "must be a month YYYY-MM" });
