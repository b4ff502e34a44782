import { workloads } from "../domain/datasets.js";
import { defaultSignalWeights, signalTypeKey } from "../domain/propensity/intent.js";
import { matchInstallBase } from "../domain/propensity/catalogue.js";
import { detached } from "./csv.js";
import type { DatasetRow, RowsByDataset } from "./rows.js";

// Warnings about valid rows whose values no tab will use (an unknown workload, an install-base product no
// catalogue knows, a signal type without a weight): the rows are loaded, and the ingestion record says how many
// and which, so a partner can fix the export before asking why a number is missing. One warning line per kind,
// updated in place while the file is read; its size is bounded however many rows or distinct values a file has.

/** Values named in a warning; the count covers them all. */
export const maxValuesListed = 10;
const maxValueChars = 40;
/** Distinct values remembered per warning (memory stays bounded on a file of random values). */
const maxDistinct = 10_000;

export interface ValueNotice {
  /** "usage row" → "3 usage rows name …". */
  noun: string;
  /** What the values are: "a workload no tab reads". */
  what: string;
  /** What happens to those rows: "kept; they count in no tab". */
  consequence: string;
}

/** Counts the rows with such a value into one line of `warnings` (pushed on the first one, then rewritten). */
export function valueNoticeCounter(warnings: string[], notice: ValueNotice): (value: string) => void {
  const seen = new Set<string>();
  const listed: string[] = [];
  let rows = 0;
  let at = -1;
  return (value) => {
    rows++;
    if (!seen.has(value) && seen.size < maxDistinct) {
      seen.add(detached(value));
      if (listed.length < maxValuesListed) listed.push(value.length > maxValueChars ? `${value.slice(0, maxValueChars)}…` : detached(value));
    }
    if (at < 0) at = warnings.push("") - 1;
    const distinct = seen.size >= maxDistinct ? `${maxDistinct}+` : String(seen.size);
    warnings[at] =
      `${rows} ${notice.noun}${rows === 1 ? "" : "s"} ${rows === 1 ? "names" : "name"} ${notice.what} ` +
      `(${distinct} distinct: ${listed.join(", ")}${seen.size > listed.length ? ", …" : ""}); ${notice.consequence}`;
  };
}

const knownWorkloads = new Set(workloads.map((w) => w.toLowerCase()));
const weightedSignalTypes = new Set(Object.keys(defaultSignalWeights).map(signalTypeKey));

/** The notices of one file of a dataset: called with each valid row (undefined: the dataset has none). */
export function rowNotices<D extends keyof RowsByDataset>(dataset: D, warnings: string[]): ((row: DatasetRow) => void) | undefined {
  switch (dataset) {
    case "usage": {
      const count = valueNoticeCounter(warnings, {
        noun: "usage row",
        what: "a workload no tab reads",
        consequence: `kept as given, counted in no tab (known: ${workloads.join(", ")}; case does not matter)`,
      });
      return (row) => {
        const workload = (row as RowsByDataset["usage"]).workload;
        if (!knownWorkloads.has(workload.toLowerCase())) count(workload);
      };
    }
    case "installbase": {
      const count = valueNoticeCounter(warnings, {
        noun: "install-base row",
        what: "a product no catalogue knows",
        consequence: "kept, used for no end-of-service or Azure propensity (see the README for the products known)",
      });
      return (row) => {
        const { product, version } = row as RowsByDataset["installbase"];
        if (matchInstallBase(product, version).kind === "unknown") count(`${product} ${version}`);
      };
    }
    case "signals": {
      const count = valueNoticeCounter(warnings, {
        noun: "signal",
        what: "a type without a default weight",
        consequence: "kept with weight 0, so it moves no intent score, unless the PROPENSITY_SIGNAL_WEIGHTS setting weighs that type",
      });
      return (row) => {
        const type = (row as RowsByDataset["signals"]).signalType;
        if (!weightedSignalTypes.has(signalTypeKey(type))) count(type);
      };
    }
    default:
      return undefined;
  }
}
