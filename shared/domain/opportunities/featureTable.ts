import type { RawTable, RawValue } from "../../scoring/index.js";
import { categoricalFeatures, type FeatureKey, type TenantFeatures } from "./history.js";

// The engine's input: a column-major table of the model's features (and the label when training).

export const labelColumn = "label";
const categorical = new Set<string>(categoricalFeatures);

export function featureTable(rows: readonly TenantFeatures[], keys: readonly FeatureKey[], labels?: ArrayLike<number>): RawTable {
  const columns: string[] = [...keys];
  const cells: RawValue[][] = keys.map((k) => {
    const col = new Array<RawValue>(rows.length);
    for (let r = 0; r < rows.length; r++) col[r] = rows[r][k];
    return col;
  });
  if (labels) {
    columns.push(labelColumn);
    const col = new Array<RawValue>(rows.length);
    for (let r = 0; r < rows.length; r++) col[r] = labels[r] ? "1" : "0";
    cells.push(col);
  }
  return { columns, cells, rows: rows.length };
}

/** Column kinds stated, so a column that happens to look different in one partner's data is never re-typed. */
export function featureKinds(keys: readonly FeatureKey[]): Record<string, "numeric" | "categorical"> {
  return Object.fromEntries(keys.map((k) => [k, categorical.has(k) ? "categorical" : "numeric"]));
}
