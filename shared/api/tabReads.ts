import type { HttpResponseInit } from "@azure/functions";
import type { PartnerDoc } from "../domain/documents.js";
import { resultIds, type ResultPointerDoc, type TabName } from "../domain/results.js";
import { InvalidRequestError } from "../errors.js";
import type { Logger } from "../logging.js";
import { exportFileResponse, type ExportInput } from "../export/response.js";
import type { RowQuery } from "../ports/results.js";
import type { ApiDeps } from "../wiring.js";
import { fingerprint } from "./continuation.js";
import { refreshStatus, type RefreshStatus } from "./refreshStatus.js";

// Reading a tab's current result set, the same way for every tab: the pointer names the set; a page of rows is
// read from it with a sealed continuation token that keeps reading the set it started in while the refresh
// keeps that set (the current and the previous one), so a reader never mixes pages of two refreshes.

export type TabPage =
  | { status: "notRefreshedYet"; docs: [] }
  | {
      status: "ready";
      pointer: ResultPointerDoc;
      /** The set these rows come from: the current one, or the previous one when a token started there. */
      resultSetId: string;
      docs: unknown[];
      continuationToken?: string;
    };

type Deps = Pick<ApiDeps, "results" | "tokens">;

export async function readTabPage(
  deps: Deps,
  partnerId: string,
  query: RowQuery,
  page: { pageSize: number; continuationToken?: string },
): Promise<TabPage> {
  const pointer = await deps.results.pointer(partnerId, query.tab);
  if (!pointer) {
    if (page.continuationToken !== undefined) throw new InvalidRequestError("continuationToken does not match any result set.", "continuationToken");
    return { status: "notRefreshedYet", docs: [] };
  }
  const tokens = await deps.tokens();
  // The token is bound to the partner and to everything that decides which rows come in which order.
  const filters = query.filters.map((q) => (q.op === "in" || q.op === "hasAny" ? { ...q, values: [...q.values].sort() } : q));
  const f = fingerprint([partnerId, query.tab, filters, query.sort]);
  let resultSetId = pointer.resultSetId;
  let from: { phase: 0 | 1; storeToken?: string } | undefined;
  if (page.continuationToken !== undefined) {
    const readable = [pointer.resultSetId, ...(pointer.previousResultSetId ? [pointer.previousResultSetId] : [])];
    const state = tokens.open(page.continuationToken, { partnerId, resultSetIds: readable, fingerprint: f });
    resultSetId = state.rs!;
    from = { phase: state.ph as 0 | 1, ...(state.t ? { storeToken: state.t } : {}) };
  }
  const rows = await deps.results.rows(partnerId, resultSetId, query, page.pageSize, from);
  const continuationToken = rows.next
    ? tokens.seal({ v: 2, p: partnerId, rs: resultSetId, f, ph: rows.next.phase, ...(rows.next.storeToken ? { t: rows.next.storeToken } : {}) })
    : undefined;
  return { status: "ready", pointer, resultSetId, docs: rows.docs, ...(continuationToken ? { continuationToken } : {}) };
}

/** Every row of a result set matching the query, page by page (for exports). */
export async function* iterateTabRows(deps: Pick<ApiDeps, "results">, partnerId: string, resultSetId: string, query: RowQuery, pageSize: number): AsyncGenerator<unknown[]> {
  let from: { phase: 0 | 1; storeToken?: string } | undefined;
  do {
    const rows = await deps.results.rows(partnerId, resultSetId, query, pageSize, from);
    if (rows.docs.length > 0) yield rows.docs;
    from = rows.next;
  } while (from);
}

/** The tab's pointer and current summary document, or undefined before its first refresh. */
export async function readTabSummary(deps: Pick<ApiDeps, "results">, partnerId: string, tab: TabName): Promise<{ pointer: ResultPointerDoc; summary: unknown } | undefined> {
  const pointer = await deps.results.pointer(partnerId, tab);
  if (!pointer) return undefined;
  const summary = await deps.results.document(partnerId, resultIds.summary(tab, pointer.resultSetId));
  // A pointer is switched only after its result set is complete, so a missing summary is a fault.
  if (summary === undefined) throw new Error(`Summary of result set ${pointer.resultSetId} is missing`);
  return { pointer, summary };
}

/**
 * The caller's partner doc, read beside the results for the stale flag. A failed read leaves the flag out
 * rather than failing the answer: the results themselves are fine.
 */
export async function readPartnerForStatus(deps: Pick<ApiDeps, "partners">, partnerId: string, log: Logger): Promise<{ partner: PartnerDoc | undefined } | undefined> {
  try {
    return { partner: await deps.partners.read(partnerId) };
  } catch (err) {
    log.warn("Refresh status left out: the partner record could not be read", err);
    return undefined;
  }
}

export function statusFields(read: { partner: PartnerDoc | undefined } | undefined, pointer: ResultPointerDoc | undefined): Partial<RefreshStatus> {
  return read ? refreshStatus(read.partner, pointer) : {};
}

export const notRefreshedMessage = "No results yet: the partner's data has not been refreshed. Drop files or POST /api/refresh.";

/**
 * Every tab's list answer: the page's items, its continuation token, the set's times (or a note that the page
 * continues the previous set) and whether the partner's latest data has reached the results.
 */
export function tabListAnswer<Item>(
  page: TabPage,
  partnerRead: { partner: PartnerDoc | undefined } | undefined,
  items: (docs: unknown[]) => Item[],
  notRefreshed: string = notRefreshedMessage,
) {
  if (page.status === "notRefreshedYet") {
    return { status: page.status, items: [] as Item[], ...statusFields(partnerRead, undefined), message: notRefreshed };
  }
  const current = page.resultSetId === page.pointer.resultSetId;
  return {
    status: page.status,
    items: items(page.docs),
    ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
    resultSetId: page.resultSetId,
    // Times describe the current set; a page continuing the previous set says so instead.
    ...(current
      ? { refreshedAt: page.pointer.refreshedAt, asOf: page.pointer.asOf }
      : { message: "This page continues the previous result set; start again without continuationToken for the latest data." }),
    // Always against the current set: whether the partner's latest data has reached the results.
    ...statusFields(partnerRead, page.pointer),
  };
}

/**
 * A tab's export: the rows of the pointer's result set that match the query, read a page at a time as the client
 * downloads and mapped to the file's rows; before the first refresh (no pointer) the file is the header row alone.
 */
export function exportTabRows<Row>(
  deps: Pick<ApiDeps, "results">,
  input: Omit<ExportInput<Row>, "pages" | "resultSetId" | "onError"> & {
    pointer: ResultPointerDoc | undefined;
    query: RowQuery;
    pageSize: number;
    toRows: (docs: unknown[]) => readonly Partial<Row>[];
    log: Logger;
  },
): HttpResponseInit {
  const { pointer, query, pageSize, toRows, log, ...file } = input;
  async function* pages() {
    if (!pointer) return;
    for await (const docs of iterateTabRows(deps, file.partnerId, pointer.resultSetId, query, pageSize)) yield toRows(docs);
  }
  return exportFileResponse({
    ...file,
    pages: pages(),
    resultSetId: pointer?.resultSetId,
    onError: (err) => log.error(`${file.format} export failed mid-stream`, err),
  });
}
