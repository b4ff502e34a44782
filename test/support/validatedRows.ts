import { parseCsv } from "../../shared/ingest/csv.js";
import { createRowValidator, matchHeader, type RowsByDataset } from "../../shared/ingest/rows.js";

// A dataset's CSV text read the way ingest reads a drop: its header matched, every row validated.

export interface ValidatedRows<D extends keyof RowsByDataset> {
  rows: RowsByDataset[D][];
  /** The rows refused, with their line and the reasons. */
  refused: { line: number; errors: unknown[] }[];
  /** The header's warnings (unknown or ignored columns). */
  warnings: string[];
}

export async function validatedRows<D extends keyof RowsByDataset>(dataset: D, text: string, now: Date): Promise<ValidatedRows<D>> {
  const out: ValidatedRows<D> = { rows: [], refused: [], warnings: [] };
  let validate: ReturnType<typeof createRowValidator<D>> | undefined;
  for await (const record of parseCsv((async function* () { yield text; })())) {
    if (!validate) {
      const header = matchHeader(dataset, record.fields);
      if (!header.ok) throw new Error(header.reason);
      out.warnings = header.header.warnings;
      validate = createRowValidator({ ...header.header, dataset }, { now });
      continue;
    }
    const outcome = validate(record);
    if (outcome.ok) out.rows.push(outcome.row);
    else out.refused.push({ line: outcome.line, errors: outcome.errors });
  }
  return out;
}

/** The rows of a file that must be wholly valid (the demo partner's): a refused row fails with its line. */
export async function strictlyValidRows<D extends keyof RowsByDataset>(dataset: D, text: string, now: Date): Promise<RowsByDataset[D][]> {
  const { rows, refused } = await validatedRows(dataset, text, now);
  if (refused.length > 0) throw new Error(`${dataset} line ${refused[0].line}: ${JSON.stringify(refused[0].errors)}`);
  return rows;
}
