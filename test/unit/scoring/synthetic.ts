// Synthetic deal records with a known signal, shared by the scoring pipeline tests (never real data).
import { createRandom } from "../../../shared/scoring/dataset.js";
import { sigmoid } from "../../../shared/scoring/metrics.js";
import type { RawRecord } from "../../../shared/scoring/prepare.js";

/** Deals with a known signal: tenure lowers churn, month-to-month contracts raise it, plus noise columns. */
export function deals(n: number, seed: number, opts: { signal?: number; positiveRate?: number } = {}): RawRecord[] {
  const rnd = createRandom(seed);
  const signal = opts.signal ?? 1;
  const shift = Math.log((opts.positiveRate ?? 0.3) / (1 - (opts.positiveRate ?? 0.3)));
  const contracts = ["Month-to-month", "One year", "Two year"];
  const out: RawRecord[] = [];
  for (let i = 0; i < n; i++) {
    const tenure = Math.floor(rnd() * 72);
    const contract = contracts[Math.floor(rnd() * 3)];
    const spend = rnd() < 0.1 ? "" : (20 + rnd() * 100).toFixed(2);
    const region = ["north", "south", "east", "west"][Math.floor(rnd() * 4)];
    const day = new Date(Date.UTC(2023, 0, 1) + Math.floor(rnd() * 365) * 86_400_000).toISOString().slice(0, 10);
    const m = signal * (1.5 - tenure / 18 + (contract === "Month-to-month" ? 1.5 : 0)) + shift;
    const churn = rnd() < sigmoid(signal === 0 ? shift : m) ? "Yes" : "No";
    out.push({ customerID: `CUST-${100000 + i}`, tenure, contract, spend, region, signup: day, churn });
  }
  return out;
}

export function toCsv(rows: RawRecord[], sep = ","): string {
  const cols = Object.keys(rows[0]);
  const cell = (v: RawRecord[string]) => {
    const s = v === null || v === undefined ? "" : String(v);
    return s.includes(sep) || s.includes('"') ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(sep), ...rows.map((r) => cols.map((c) => cell(r[c])).join(sep))].join("\r\n") + "\r\n";
}
