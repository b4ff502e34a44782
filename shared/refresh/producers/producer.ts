import type { PartnerDoc } from "../../domain/documents.js";
import type { TabName } from "../../domain/results.js";
import type { LiveSet } from "../../ingest/liveSet.js";
import type { ProducedSet, RowSink } from "../publisher.js";

/** One tab's refresh: computes its rows (written through the sink as they are ready) and its summary. */
export interface TabProducer {
  tab: TabName;
  produce(input: ProducerInput, sink: RowSink, resultSetId: string): Promise<ProducedSet>;
}

export interface ProducerInput {
  partner: PartnerDoc;
  live: LiveSet;
  now: Date;
  /** The refresh's logger (the invocation's, redacted). */
  log?: { info(message: string): void; warn(message: string): void };
}
