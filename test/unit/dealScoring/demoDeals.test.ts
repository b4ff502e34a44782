import { describe, expect, it } from "vitest";
import { demoDealsFiles } from "../../../local/demoData/index.js";
import {
  historiesFromObservations,
  orThrow,
  parseModelConfig,
  snapshotTime,
  stateRow,
  trainDealModel,
  type DealObservation,
  type DealRow,
} from "../../../shared/domain/dealScoring/index.js";
import { parseCsv } from "../../../shared/ingest/csv.js";
import { ingestOf } from "../../../shared/ingest/datasets.js";

// The demo partners' deals files (npm start) go through the same header matching and row validation as a
// partner's drop; two years of the demo partner's deals train a Ready model, the second partner's are refused.

const now = new Date("2026-05-01T12:00:00Z");

async function rows(csv: string): Promise<DealRow[]> {
  const spec = ingestOf("deals");
  const out: DealRow[] = [];
  let validate: ReturnType<typeof spec.validator> | undefined;
  for await (const record of parseCsv((async function* () { yield csv; })())) {
    if (!validate) {
      const header = spec.matchHeader(record.fields);
      if (!header.ok) throw new Error(header.reason);
      expect(header.header.warnings).toEqual([]);
      validate = spec.validator(header.header, { now });
      continue;
    }
    const outcome = validate(record);
    if (!outcome.ok) throw new Error(`line ${record.line}: ${JSON.stringify(outcome.errors)}`);
    out.push(outcome.row as DealRow);
  }
  return out;
}

async function histories(files: ReturnType<typeof demoDealsFiles>) {
  const sights = new Map<string, DealObservation[]>();
  for (const file of files) {
    for (const row of await rows(file.csv)) {
      const list = sights.get(row.dealId) ?? [];
      list.push({ takenAt: snapshotTime(file.asOf), row: file === files[files.length - 1] ? row : stateRow(row) });
      sights.set(row.dealId, list);
    }
  }
  return historiesFromObservations(files.map((f) => snapshotTime(f.asOf)), sights.values());
}

describe("demo deals", () => {
  it("are monthly snapshots named with their date, every row valid, and a model trains on them to Ready", async () => {
    const files = demoDealsFiles({ now });
    expect(files.map((f) => f.fileName)).toEqual(files.map((f) => `deals-${f.asOf}.csv`));
    expect(files).toHaveLength(7);
    expect(files.at(-1)!.asOf).toBe("2026-05-01");
    const trained = orThrow(trainDealModel({ histories: await histories(files), config: orThrow(parseModelConfig({}, now)), now }));
    expect(trained.readiness.readiness).toBe("Ready");
  });

  it("of the second demo partner are too few: training is refused with the counts", async () => {
    const files = demoDealsFiles({ now, seed: 99, closedDeals: 50, openDeals: 12, snapshots: 0 });
    const refused = trainDealModel({ histories: await histories(files), config: orThrow(parseModelConfig({}, now)), now });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error).toMatchObject({ code: "not_enough_deals", details: { won: { need: 40 }, lost: { need: 40 } } });
  });
});
