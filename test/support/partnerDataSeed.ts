import type { JSONObject } from "@azure/cosmos";
import { ingestionDocSchema } from "../../shared/domain/documents.js";
import type { TestEnvironment } from "./emulators.js";

// Committed drops written straight into the emulators (staged documents plus a loaded ingestion record), so
// refresh tests do not depend on the ingest code.

export interface SeededDrop {
  ingestionId: string;
  dataset: "tenants" | "subscriptions" | "usage" | "incentives";
  asOf: string;
  /** Staged documents of this drop (their ingestionId and asOf are set here). */
  docs: Record<string, unknown>[];
  months?: string[];
  writtenAt?: string;
}

export async function seedCommittedDrop(env: TestEnvironment, partnerId: string, drop: SeededDrop): Promise<void> {
  const docs = drop.docs.map((d) => ({ ...d, partnerId, ingestionId: drop.ingestionId, asOf: drop.asOf }));
  for (let i = 0; i < docs.length; i += 100) {
    await env.clients.containers.partnerData.items.bulk(
      docs.slice(i, i + 100).map((d) => ({ operationType: "Upsert" as const, resourceBody: d as unknown as JSONObject })),
    );
  }
  const writtenAt = drop.writtenAt ?? `${drop.asOf}T10:00:00.000Z`;
  await env.clients.containers.ingestions.items.upsert(
    ingestionDocSchema.parse({
      id: drop.ingestionId,
      partnerId,
      type: "ingestion",
      blobPath: `drops/${partnerId}/${drop.dataset}/${drop.ingestionId}.csv`,
      etag: `etag-${drop.ingestionId}`,
      dataset: drop.dataset,
      fileName: `${drop.ingestionId}.csv`,
      asOf: drop.asOf,
      status: "loaded",
      receivedAt: writtenAt,
      writtenAt,
      finishedAt: writtenAt,
      sizeBytes: 1,
      counts: { rows: docs.length, loaded: docs.length, rejected: 0, documents: docs.length },
      errors: [],
      warnings: [],
      ...(drop.months ? { months: drop.months } : {}),
    }),
  );
}
