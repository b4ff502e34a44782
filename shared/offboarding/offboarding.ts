import type { PartnerBlobContainer, PartnerBlobs, PartnerContainer, PartnerDeletionRecord, PartnerDocuments } from "../ports/offboarding.js";
import type { PartnerRegistry } from "../ports/partners.js";

// Off-boarding a partner (PRODUCT.md section 5, issue 8): an operator marks the partner off-boarded (refreshes,
// scoring and retraining stop at once); 30 days later the daily timer deletes all of its data — every document
// in every Cosmos DB container (its registry entry, API keys, deal models and score histories, staged rows,
// ingestion records, result sets) and every blob (drops, processed and rejected files, model artifacts) — and
// records the deletion: who, when off-boarded, when deleted, how many documents and blobs. The partner's own
// document goes last, so a run that stops half-way leaves the mark and the next run finishes the work.

export const OFFBOARDING_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;

export class UnknownPartnerError extends Error {
  readonly code = "partner_not_found";
  constructor(partnerId: string) {
    super(`partner ${partnerId} is not registered`);
    this.name = "UnknownPartnerError";
  }
}

export interface OffboardingDeps {
  partners: Pick<PartnerRegistry, "listForSchedule">;
  documents: PartnerDocuments;
  blobs: PartnerBlobs;
  now?: () => Date;
  log?: (line: string) => void;
}

/** When an off-boarded partner's data is deleted. */
export function deletionDueAt(offboardedAt: string): Date {
  return new Date(Date.parse(offboardedAt) + OFFBOARDING_RETENTION_DAYS * DAY_MS);
}

/** Marks a partner off-boarded (an earlier mark stands); throws UnknownPartnerError for a partner with no record. */
export async function offboardPartner(deps: Pick<OffboardingDeps, "documents" | "now">, partnerId: string): Promise<{ partnerId: string; offboardedAt: string; deletionDueAt: string }> {
  const now = (deps.now ?? (() => new Date()))();
  const marked = await deps.documents.markOffboarded(partnerId, now.toISOString());
  if (!marked) throw new UnknownPartnerError(partnerId);
  return { partnerId, offboardedAt: marked.offboardedAt, deletionDueAt: deletionDueAt(marked.offboardedAt).toISOString() };
}

const dataContainers: readonly PartnerContainer[] = ["partnerData", "ingestions", "results"];
const blobContainers: readonly PartnerBlobContainer[] = ["drops", "processed", "rejected", "models"];

/** Deletes one partner's data everywhere and records it. */
export async function deletePartnerData(deps: OffboardingDeps, partnerId: string, offboardedAt: string): Promise<PartnerDeletionRecord> {
  const now = (deps.now ?? (() => new Date()))();
  const documents: PartnerDeletionRecord["documents"] = {};
  const blobs: PartnerDeletionRecord["blobs"] = {};
  for (const container of blobContainers) blobs[container] = await deps.blobs.deleteAll(container, partnerId);
  for (const container of dataContainers) documents[container] = await deps.documents.deleteAll(container, partnerId);
  // Keys, models, score histories; the partner's document (the mark) stays until the record is written.
  // (+1: the partner's own document, deleted right after the record is written.)
  documents.partners = (await deps.documents.deleteAll("partners", partnerId, ["partner"])) + 1;
  const record: PartnerDeletionRecord = { partnerId, offboardedAt, deletedAt: now.toISOString(), documents, blobs };
  await deps.documents.recordDeletion(record);
  await deps.documents.deleteAll("partners", partnerId);
  deps.log?.(`offboarding: deleted the data of ${partnerId} (off-boarded ${offboardedAt}): ${JSON.stringify({ documents, blobs })}`);
  return record;
}

/** The daily timer's work: every partner off-boarded 30 days ago or more has its data deleted. */
export async function deleteOffboardedPartners(deps: OffboardingDeps): Promise<PartnerDeletionRecord[]> {
  const now = (deps.now ?? (() => new Date()))();
  const due = (await deps.partners.listForSchedule()).filter((p) => p.offboardedAt !== undefined && deletionDueAt(p.offboardedAt) <= now);
  const done: PartnerDeletionRecord[] = [];
  for (const partner of due) done.push(await deletePartnerData(deps, partner.partnerId, partner.offboardedAt!));
  return done;
}
