import type { Container, SqlParameter, SqlQuerySpec } from "@azure/cosmos";
import {
  defaultOrder,
  optionalSortColumns,
  type CloudEndpointsFilter,
  type CloudEndpointsListQuery,
} from "../api/cloudEndpoints.js";
import { decodeContinuation, encodeContinuation, fingerprint, foreignTokenMessage, isRejectedToken } from "../api/continuation.js";
import { ApiError } from "../http.js";
import {
  cloudEndpointsRowDocSchema,
  cloudEndpointsSummaryDocSchema,
  resultPointerDocSchema,
  type CloudEndpointsRowDoc,
  type CloudEndpointsSummaryDoc,
  type ResultPointerDoc,
} from "../domain/results.js";
import type { ContainerName } from "./cosmosLayout.js";

// Reads the partner's current result set (results container). Every read carries the caller's
// partition key, and every query also filters on partnerId: the local emulator does not scope
// queries by partition key, and the filter costs nothing on Cosmos DB.
//
// Sorting: one ORDER BY field (multi-field ORDER BY needs a composite index per combination on
// Cosmos DB and is refused by the emulator); ties come back in storage order, which is stable.
// Rows lacking an optional sort field are read in a second phase, so they come last either way
// and the same rows appear on the emulator (which drops them from ORDER BY) and on Cosmos DB.

type Containers = Pick<Record<ContainerName, Container>, "results">;

export class ResultStoreError extends Error {
  readonly code = "unavailable";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ResultStoreError";
  }
}

function isStatus(err: unknown, status: number): boolean {
  return (err as { code?: unknown })?.code === status;
}

export async function readCurrentPointer(containers: Containers, partnerId: string): Promise<ResultPointerDoc | undefined> {
  try {
    const { resource } = await containers.results.item("current", partnerId).read();
    if (!resource || resource.partnerId !== partnerId) return undefined;
    return resultPointerDocSchema.parse(resource);
  } catch (err) {
    if (isStatus(err, 404)) return undefined;
    throw new ResultStoreError("Could not read the current result pointer", { cause: err });
  }
}

export async function readSummary(containers: Containers, partnerId: string, resultSetId: string): Promise<CloudEndpointsSummaryDoc | undefined> {
  return pointRead(containers, partnerId, `ceSummary:${resultSetId}`, (d) => cloudEndpointsSummaryDocSchema.parse(d));
}

export async function readRow(containers: Containers, partnerId: string, resultSetId: string, tenantId: string): Promise<CloudEndpointsRowDoc | undefined> {
  return pointRead(containers, partnerId, `ce:${resultSetId}:${tenantId}`, (d) => cloudEndpointsRowDocSchema.parse(d));
}

async function pointRead<T>(containers: Containers, partnerId: string, id: string, parse: (doc: unknown) => T): Promise<T | undefined> {
  let resource: { partnerId?: unknown } | undefined;
  try {
    ({ resource } = await containers.results.item(id, partnerId).read());
  } catch (err) {
    if (isStatus(err, 404)) return undefined;
    throw new ResultStoreError(`Could not read ${id.split(":")[0]}`, { cause: err });
  }
  if (!resource || resource.partnerId !== partnerId) return undefined;
  return parse(resource);
}

/** The parameterised query for one phase of a filtered, sorted read of a result set's rows. */
export function buildRowsQuery(partnerId: string, resultSetId: string, filter: CloudEndpointsFilter, phase: 0 | 1): SqlQuerySpec {
  const where = ["c.partnerId = @partnerId", "c.type = 'ceRow'", "c.resultSetId = @resultSetId"];
  const parameters: SqlParameter[] = [
    { name: "@partnerId", value: partnerId },
    { name: "@resultSetId", value: resultSetId },
  ];
  if (filter.salesMotion?.length) {
    where.push("ARRAY_CONTAINS(@salesMotions, c.salesMotion)");
    parameters.push({ name: "@salesMotions", value: filter.salesMotion });
  }
  if (filter.segment?.length) {
    where.push("ARRAY_CONTAINS(@segments, c.tenantSegment)");
    parameters.push({ name: "@segments", value: filter.segment });
  }
  if (filter.renewalPeriod !== undefined) {
    where.push("c.renewalPeriod = @renewalPeriod");
    parameters.push({ name: "@renewalPeriod", value: filter.renewalPeriod });
  }
  if (filter.renewalFrom !== undefined) {
    where.push("c.renewalPeriod >= @renewalFrom");
    parameters.push({ name: "@renewalFrom", value: filter.renewalFrom });
  }
  if (filter.renewalTo !== undefined) {
    where.push("c.renewalPeriod <= @renewalTo");
    parameters.push({ name: "@renewalTo", value: filter.renewalTo });
  }
  if (filter.incentiveEligible !== undefined) {
    where.push("c.incentiveEligible = @incentiveEligible");
    parameters.push({ name: "@incentiveEligible", value: filter.incentiveEligible });
  }
  if (filter.search) {
    // searchText is stored lower-case; the schema lower-cases the keyword.
    where.push("CONTAINS(c.searchText, @search)");
    parameters.push({ name: "@search", value: filter.search });
  }
  // sort is one of a fixed whitelist (zod enum), never caller text, so it may appear in the SQL.
  const sort = filter.sort;
  const order = (filter.order ?? defaultOrder(sort)).toUpperCase();
  let orderBy = `ORDER BY c.${sort} ${order}`;
  if (optionalSortColumns.has(sort)) {
    if (phase === 0) {
      where.push(`IS_DEFINED(c.${sort})`);
    } else {
      where.push(`NOT IS_DEFINED(c.${sort})`);
      orderBy = "ORDER BY c.tenantName ASC";
    }
  }
  return { query: `SELECT * FROM c WHERE ${where.join(" AND ")} ${orderBy}`, parameters };
}

function phasesFor(filter: CloudEndpointsFilter): (0 | 1)[] {
  return optionalSortColumns.has(filter.sort) ? [0, 1] : [0];
}

/** What a continuation token is bound to: the partner and everything that decides which rows come in which order. */
function filterFingerprint(partnerId: string, filter: CloudEndpointsFilter): string {
  return fingerprint([
    partnerId,
    filter.salesMotion ? [...filter.salesMotion].sort() : null,
    filter.segment ? [...filter.segment].sort() : null,
    filter.renewalPeriod ?? null,
    filter.renewalFrom ?? null,
    filter.renewalTo ?? null,
    filter.incentiveEligible ?? null,
    filter.search ?? null,
    filter.sort,
    filter.order ?? defaultOrder(filter.sort),
  ]);
}

async function fetchPage(
  containers: Containers,
  partnerId: string,
  spec: SqlQuerySpec,
  maxItemCount: number,
  continuationToken: string | undefined,
): Promise<{ docs: CloudEndpointsRowDoc[]; continuationToken?: string }> {
  let response;
  try {
    response = await containers.results.items
      .query(spec, { partitionKey: partnerId, maxItemCount, continuationToken })
      .fetchNext();
  } catch (err) {
    if (continuationToken !== undefined && isRejectedToken(err)) {
      throw new ApiError("invalid_request", foreignTokenMessage, "continuationToken", { cause: err });
    }
    throw new ResultStoreError("Could not query Cloud Endpoints rows", { cause: err });
  }
  const docs = response.resources
    .filter((r: { partnerId?: unknown }) => r.partnerId === partnerId)
    .map((r: unknown) => cloudEndpointsRowDocSchema.parse(r));
  return { docs, continuationToken: response.continuationToken || undefined };
}

export type CloudEndpointsPage =
  | { status: "notRefreshedYet"; docs: [] }
  | {
      status: "ready";
      pointer: ResultPointerDoc;
      /** The set these rows come from: the current one, or the previous one when a token started there. */
      resultSetId: string;
      docs: CloudEndpointsRowDoc[];
      continuationToken?: string;
    };

/**
 * One page of the current result set's rows, filtered and sorted. Fills the page across SDK pages and
 * query phases; the returned token (ours, opaque) continues exactly where this page stopped.
 * A token keeps reading the result set it started in while the refresh keeps that set (the current
 * and the previous one), so a reader never mixes pages of two refreshes; older tokens are a 400.
 */
export async function listCloudEndpointsRows(
  containers: Containers,
  partnerId: string,
  query: CloudEndpointsListQuery,
): Promise<CloudEndpointsPage> {
  const pointer = await readCurrentPointer(containers, partnerId);
  if (!pointer) {
    if (query.continuationToken !== undefined) {
      throw new ApiError("invalid_request", "continuationToken does not match any result set.", "continuationToken");
    }
    return { status: "notRefreshedYet", docs: [] };
  }
  const f = filterFingerprint(partnerId, query);
  const phases = phasesFor(query);
  let phase: 0 | 1 = 0;
  let sdkToken: string | undefined;
  let resultSetId = pointer.resultSetId;
  if (query.continuationToken !== undefined) {
    const readable = [pointer.resultSetId, ...(pointer.previousResultSetId ? [pointer.previousResultSetId] : [])];
    const state = decodeContinuation(query.continuationToken, { partnerId, resultSetIds: readable, fingerprint: f });
    resultSetId = state.rs!;
    phase = state.ph as 0 | 1;
    sdkToken = state.t;
    if (!phases.includes(phase)) {
      throw new ApiError("invalid_request", foreignTokenMessage, "continuationToken");
    }
  }
  const docs: CloudEndpointsRowDoc[] = [];
  let done = false;
  for (;;) {
    const spec = buildRowsQuery(partnerId, resultSetId, query, phase);
    const page = await fetchPage(containers, partnerId, spec, query.pageSize - docs.length, sdkToken);
    docs.push(...page.docs);
    sdkToken = page.continuationToken;
    if (!sdkToken) {
      const next = phases.find((p) => p > phase);
      if (next === undefined) {
        done = true;
        break;
      }
      // Next phase from its start (no SDK token yet).
      phase = next;
    }
    if (docs.length >= query.pageSize) break;
  }
  const continuationToken = done
    ? undefined
    : encodeContinuation({ v: 1, p: partnerId, rs: resultSetId, f, ph: phase, ...(sdkToken ? { t: sdkToken } : {}) });
  return { status: "ready", pointer, resultSetId, docs, ...(continuationToken ? { continuationToken } : {}) };
}

/** Every row of the current result set matching the filter, page by page (for the CSV export). */
export async function* iterateCloudEndpointsRows(
  containers: Containers,
  partnerId: string,
  resultSetId: string,
  filter: CloudEndpointsFilter,
  pageSize = 500,
): AsyncGenerator<CloudEndpointsRowDoc[]> {
  for (const phase of phasesFor(filter)) {
    const spec = buildRowsQuery(partnerId, resultSetId, filter, phase);
    let token: string | undefined;
    do {
      const page = await fetchPage(containers, partnerId, spec, pageSize, token);
      if (page.docs.length > 0) yield page.docs;
      token = page.continuationToken;
    } while (token);
  }
}
