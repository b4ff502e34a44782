import type { Container } from "@azure/cosmos";
import { z } from "zod";
import { backoff, isRetryable, statusOf } from "../adapters/resultStore.js";
import {
  incentivesDocSchema,
  partnerDocSchema,
  subscriptionsDocSchema,
  tenantDocSchema,
  usageDocSchema,
  type PartnerDoc,
} from "../domain/documents.js";
import { latestMonth } from "../domain/cloudEndpoints.js";
import type { RefreshSource, UsageMonths } from "../ports/results.js";

// The refresh's read adapter over Cosmos DB: the partner doc (partners container) and the partner's
// ingested documents (partnerData), streamed a page at a time with the partner's partition key and a
// partnerId filter (the local emulator ignores the partition key on queries). Documents are validated
// with the schemas they were written with; one that does not parse is skipped and counted, never fatal.

export class RefreshSourceError extends Error {
  readonly code = "refresh_source_failed";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RefreshSourceError";
  }
}

export interface CosmosRefreshSourceOptions {
  /** Documents per query page; large pages mean fewer round trips (each page is capped at 4 MB by Cosmos DB). */
  pageSize?: number;
  /**
   * Usage documents per page when read whole (those written before `latest` existed): each carries a year of
   * months, so fewer per page keeps memory bounded.
   */
  usagePageSize?: number;
  /** Called when documents are skipped because they do not match their schema. */
  onInvalid?: (type: string, count: number) => void;
}

const maxAttempts = 8;

const latestSubscriptionsSchema = z.object({
  tenantId: z.string(),
  latest: subscriptionsDocSchema.shape.snapshots.element.optional(),
});
// Usage documents are the bulk of the read (a year of months × workloads per tenant) and the tab needs
// only the latest month: the shell is checked, then only that month is validated and kept.
const usageShellSchema = z.object({ tenantId: z.string(), months: z.record(z.string(), z.unknown()) });
const usageMonthSchema = usageDocSchema.shape.months.valueType;
const latestUsageMonthSchema = z.unknown().transform((doc, ctx): UsageMonths => {
  const shell = usageShellSchema.safeParse(doc);
  if (!shell.success) {
    ctx.addIssue({ code: "custom", message: "not a usage document" });
    return z.NEVER;
  }
  const month = latestMonth(shell.data.months);
  if (month === undefined) return { tenantId: shell.data.tenantId, months: {} };
  const figures = usageMonthSchema.safeParse(shell.data.months[month]);
  if (!figures.success) {
    ctx.addIssue({ code: "custom", message: `usage month ${month} is malformed` });
    return z.NEVER;
  }
  return { tenantId: shell.data.tenantId, months: { [month]: figures.data } };
});
// Usage documents written by ingest carry `latest` (the newest month): that is all that travels. Older ones
// without it are read again with their months, in one query at the end, and reduced the same way.
const usageLatestSchema = z.object({
  tenantId: z.string(),
  latest: usageDocSchema.shape.latest,
});
const tenantFields = Object.keys(tenantDocSchema.shape).map((field) => `c.${field}`).join(", ");
const tenantIncentivesSchema = incentivesDocSchema.pick({ tenantId: true, asOf: true, engagements: true });

export function createCosmosRefreshSource(
  containers: { partners: Container; partnerData: Container },
  options: CosmosRefreshSourceOptions = {},
): RefreshSource {
  const pageSize = options.pageSize ?? 2000;
  const usagePageSize = options.usagePageSize ?? 1000;

  async function* stream<T>(
    partnerId: string,
    type: string,
    select: string,
    schema: z.ZodType<T>,
    maxItemCount = pageSize,
    andWhere?: string,
  ): AsyncIterable<T[]> {
    const iterator = containers.partnerData.items.query(
      {
        query: `SELECT ${select} FROM c WHERE c.partnerId = @partnerId AND c.type = @type${andWhere ? ` AND ${andWhere}` : ""}`,
        parameters: [
          { name: "@partnerId", value: partnerId },
          { name: "@type", value: type },
        ],
      },
      { partitionKey: partnerId, maxItemCount },
    );
    while (iterator.hasMoreResults()) {
      let resources: unknown[];
      for (let attempt = 1; ; attempt++) {
        try {
          ({ resources } = await iterator.fetchNext());
          break;
        } catch (err) {
          if (isRetryable(err) && attempt < maxAttempts) {
            await backoff(attempt);
            continue;
          }
          throw new RefreshSourceError(`reading ${type} documents of partner ${partnerId} failed`, { cause: err });
        }
      }
      const page: T[] = [];
      let invalid = 0;
      for (const doc of resources) {
        const parsed = schema.safeParse(doc);
        if (parsed.success) page.push(parsed.data);
        else invalid += 1;
      }
      if (invalid > 0) options.onInvalid?.(type, invalid);
      if (page.length > 0) yield page;
    }
  }

  /**
   * Ingest updates the same document (datasets, dataVersion): a conditional replace that keeps every other
   * field, retried on conflict. `change` returns the new document, or undefined when there is nothing to write.
   */
  async function updatePartner(partnerId: string, what: string, change: (partner: PartnerDoc) => PartnerDoc | undefined) {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        const { resource, etag } = await containers.partners.item("partner", partnerId).read<PartnerDoc>();
        if (!resource) return;
        const next = change(resource);
        if (!next) return;
        await containers.partners.item("partner", partnerId).replace(next, { accessCondition: { type: "IfMatch", condition: etag } });
        return;
      } catch (err) {
        if ((statusOf(err) === 412 || isRetryable(err)) && attempt < maxAttempts) {
          await backoff(attempt);
          continue;
        }
        throw new RefreshSourceError(`${what} of partner ${partnerId} failed`, { cause: err });
      }
    }
  }

  return {
    async readPartner(partnerId) {
      try {
        const { resource } = await containers.partners.item("partner", partnerId).read();
        if (!resource || resource.partnerId !== partnerId) return undefined;
        return partnerDocSchema.parse(resource);
      } catch (err) {
        if (statusOf(err) === 404) return undefined;
        throw new RefreshSourceError(`reading partner ${partnerId} failed`, { cause: err });
      }
    },

    async recordRefreshed(partnerId, dataVersion) {
      // Never moves refreshedDataVersion backwards; a success also ends a run of failures.
      await updatePartner(partnerId, "recording the refresh", (partner) => {
        const covered = partner.refreshedDataVersion !== undefined && partner.refreshedDataVersion >= dataVersion;
        if (covered && !partner.refreshFailure) return undefined;
        const { refreshFailure: _ended, ...rest } = partner;
        return covered ? rest : { ...rest, refreshedDataVersion: dataVersion };
      });
    },

    async recordRefreshFailure(partnerId, { failedAt, reference }) {
      await updatePartner(partnerId, "recording a failed refresh", (partner) => ({
        ...partner,
        refreshFailure: { count: (partner.refreshFailure?.count ?? 0) + 1, lastFailedAt: failedAt, reference },
      }));
    },

    // The document's own fields only: the system properties (_rid, _self, _etag, ...) would travel for nothing.
    tenants: (partnerId) => stream(partnerId, "tenant", tenantFields, tenantDocSchema),
    // Only the newest snapshot travels: the history (up to two years) is for the models, not this tab.
    latestSubscriptions: (partnerId) =>
      stream(partnerId, "subscriptions", "c.tenantId, c.snapshots[0] AS latest", latestSubscriptionsSchema),
    usage: async function* (partnerId) {
      let withoutLatest = 0;
      for await (const page of stream(partnerId, "usage", "c.tenantId, c.latest", usageLatestSchema)) {
        const out: UsageMonths[] = [];
        for (const doc of page) {
          if (doc.latest) out.push({ tenantId: doc.tenantId, months: { [doc.latest.month]: doc.latest.workloads } });
          else withoutLatest += 1;
        }
        if (out.length > 0) yield out;
      }
      if (withoutLatest > 0) {
        yield* stream(partnerId, "usage", "c.tenantId, c.months", latestUsageMonthSchema, usagePageSize, "NOT IS_DEFINED(c.latest)");
      }
    },
    incentives: (partnerId) =>
      stream(partnerId, "incentives", "c.tenantId, c.asOf, c.engagements", tenantIncentivesSchema),
  };
}
