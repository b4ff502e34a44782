import { createHash } from "node:crypto";
import { createDealRowValidator, matchDealHeader, type DealHeader, type DealRow } from "../domain/dealScoring/dealRows.js";
import type { DealDoc } from "../domain/documents.js";
import type { DatasetIngest } from "./datasets.js";

// The deals dataset in the ingest registry: the header and rows are read by the deal scoring domain (three
// required columns, every other column an attribute typed per cell), rows are grouped by dealId (a duplicate
// dealId in one file is a row error), and each drop is a snapshot of the partner's CRM (liveSet.ts keeps the
// snapshots the deals' history needs). Status values that need closedOn are the default Won and Lost: a drop
// does not know the partner's models; a model whose won or lost values differ reports such deals at training.

const idSafe = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/**
 * A deal's key in document ids: the dealId itself when it is safe in an id and a URL path, else "~h" and a hash
 * of it (Cosmos DB ids cannot hold / \ ? #; "~" never starts a safe dealId, so the two kinds never meet).
 */
export function dealKey(dealId: string): string {
  return idSafe.test(dealId) ? dealId : `~h${createHash("sha256").update(dealId).digest("hex").slice(0, 40)}`;
}

export function stagedDealId(ingestionId: string, dealId: string): string {
  return `deal:${ingestionId}:${dealKey(dealId)}`;
}

export const dealsIngest: DatasetIngest<DealRow, DealDoc> = {
  docType: "deal",
  matchHeader: (fields) => matchDealHeader(fields),
  validator: (header) => createDealRowValidator(header as DealHeader),
  keyOf: (row) => dealKey(row.dealId),
  merge(ctx, key, _existing, rows) {
    // Duplicate dealIds in one file are row errors, so there is one row; the last one wins regardless.
    const row = rows[rows.length - 1];
    return { ...row, id: `deal:${ctx.ingestionId}:${key}`, partnerId: ctx.partnerId, type: "deal", ingestionId: ctx.ingestionId, asOf: ctx.asOf };
  },
};
