// A generator of CRM deal histories with a planted signal (never real data): industry, competitor, company
// size, deal size, product and owner really influence winning; region and a random number do not. Deals move
// through Qualify → Develop → Propose → Close; lost deals drop out at some stage. Snapshots are monthly drops
// of every deal that exists at the time, so closed deals older than the first drop are seen only closed.

import { createRandom, sigmoid } from "../../shared/scoring/index.js";
import type { AttributeValue, DealRow } from "../../shared/domain/dealScoring/dealRows.js";
import type { Snapshot } from "../../shared/domain/dealScoring/history.js";
import { csvLine } from "./dataset.js";

export const STAGES = ["Qualify", "Develop", "Propose", "Close"] as const;
const DAY_MS = 86_400_000;

const industryEffect: Record<string, number> = { Healthcare: 0.9, Finance: 0.4, Retail: 0, Government: -0.2, Manufacturing: -0.5, Education: -0.8 };
const productEffect: Record<string, number> = { "Microsoft 365 E5": 0.5, "Business Premium": 0.2, "Defender for Business": 0, "Windows 365": -0.4 };
const regions = ["North", "South", "East", "West"];

export interface CrmOptions {
  seed: number;
  now: Date;
  closedDeals: number;
  openDeals: number;
  /** Months of history (deals are created within it). */
  months?: number;
  /** Monthly snapshots before `now` (plus one at `now`). */
  snapshots?: number;
  /** Multiplies the planted log-odds (default 1.6; 0: outcomes are coin flips). */
  signal?: number;
}

interface PlannedDeal {
  id: string;
  created: number;
  cycleDays: number;
  won: boolean;
  /** Index of the last stage reached. */
  lastStage: number;
  truth: number;
  fixed: Omit<DealRow, "dealId" | "status" | "createdOn" | "stage" | "closedOn">;
}

export interface CrmHistory {
  snapshots: Snapshot[];
  /** The planted probability of winning of each deal. */
  truth: Map<string, number>;
  /** Whether each deal is (or, for a deal still open, will be) won. */
  wins: Map<string, boolean>;
}

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)];
}

export function generateCrmHistory(options: CrmOptions): CrmHistory {
  const rnd = createRandom(options.seed);
  const months = options.months ?? 24;
  const signal = options.signal ?? 1.6;
  const now = options.now.getTime();
  const start = now - months * 30.4 * DAY_MS;
  const owners = Array.from({ length: 12 }, (_, i) => `owner${String(i + 1).padStart(2, "0")}`);
  const planned: PlannedDeal[] = [];
  let closed = 0;
  let open = 0;
  let n = 0;
  while (closed < options.closedDeals || open < options.openDeals) {
    n++;
    const industry = pick(rnd, Object.keys(industryEffect));
    const product = pick(rnd, Object.keys(productEffect));
    const owner = pick(rnd, owners);
    const competitor = rnd() < 0.4 ? "Yes" : "No";
    const employees = Math.round(10 ** (1 + rnd() * 3));
    const value = Math.round(10 ** (3 + rnd() * 2.5));
    const ownerIndex = owners.indexOf(owner);
    const m =
      0.1 +
      industryEffect[industry] +
      productEffect[product] +
      (competitor === "Yes" ? -1.1 : 0) +
      0.5 * (Math.log10(employees) - 2.5) -
      0.6 * (Math.log10(value) - 4.25) +
      (ownerIndex < 3 ? 0.5 : ownerIndex >= 9 ? -0.5 : 0);
    const truth = sigmoid(signal * m);
    const won = rnd() < truth;
    const cycleDays = won ? 30 + Math.floor(rnd() * 120) : 10 + Math.floor(rnd() * 110);
    const created = start + rnd() * (now - start - DAY_MS);
    const isClosed = created + cycleDays * DAY_MS <= now;
    if (isClosed ? closed >= options.closedDeals : open >= options.openDeals) continue;
    if (isClosed) closed++;
    else open++;
    const lastStage = won ? 3 : pick(rnd, [0, 0, 0, 0, 1, 1, 1, 2, 2, 3]);
    const attributes: Record<string, AttributeValue> = {
      industry: { type: "text", value: industry },
      competitor: { type: "text", value: competitor },
      region: { type: "text", value: pick(rnd, regions) },
      noise: { type: "number", value: Math.round(rnd() * 1000) / 10 },
      contractEnd: { type: "date", value: new Date(Math.floor((created + (200 + rnd() * 600) * DAY_MS) / DAY_MS) * DAY_MS).toISOString() },
    };
    if (rnd() >= 0.15) attributes.employees = { type: "number", value: employees };
    planned.push({
      id: `D-${String(n).padStart(6, "0")}`,
      created,
      cycleDays,
      won,
      lastStage,
      truth,
      fixed: {
        name: `${industry} ${product} deal ${n}`,
        owner,
        product,
        estimatedValue: value,
        estimatedCloseDate: new Date(Math.floor((created + (45 + rnd() * 90) * DAY_MS) / DAY_MS) * DAY_MS).toISOString(),
        attributes,
      },
    });
  }

  const snapshotCount = options.snapshots ?? 6;
  const times: number[] = [];
  for (let k = snapshotCount; k >= 1; k--) times.push(now - k * 30 * DAY_MS);
  times.push(now);
  const snapshots: Snapshot[] = times.map((t) => {
    const rows: DealRow[] = [];
    for (const d of planned) {
      if (d.created > t) continue;
      const closeAt = d.created + d.cycleDays * DAY_MS;
      const isClosed = closeAt <= t;
      // Stages are spread evenly over the part of the cycle up to the last stage reached.
      const fraction = Math.min(1, (t - d.created) / (closeAt - d.created));
      const stage = isClosed ? d.lastStage : Math.min(d.lastStage, Math.floor(fraction * (d.lastStage + 1)));
      rows.push({
        dealId: d.id,
        status: isClosed ? (d.won ? "Won" : "Lost") : "Open",
        createdOn: new Date(d.created).toISOString(),
        stage: STAGES[stage],
        ...(isClosed ? { closedOn: new Date(closeAt).toISOString() } : {}),
        ...d.fixed,
      });
    }
    return { takenAt: new Date(t).toISOString(), rows };
  });
  return { snapshots, truth: new Map(planned.map((d) => [d.id, d.truth])), wins: new Map(planned.map((d) => [d.id, d.won])) };
}

// ---- the demo partner's deals drops: one CSV per snapshot, named with its date (the snapshot date)

const standardHeader = ["dealId", "name", "status", "stage", "createdOn", "closedOn", "estimatedValue", "estimatedCloseDate", "owner", "product"] as const;
const attributeHeader = ["industry", "competitor", "region", "employees", "contractEnd", "noise"] as const;
export const dealsCsvHeader = [...standardHeader, ...attributeHeader].join(",");

/** One snapshot as the CSV a partner's CRM export would be (attributes as extra columns). */
export function dealsSnapshotCsv(snapshot: Snapshot): string {
  let text = `${dealsCsvHeader}\n`;
  for (const row of snapshot.rows) {
    const standard = standardHeader.map((c) => {
      const v = row[c];
      return v === undefined ? "" : String(v);
    });
    const attributes = attributeHeader.map((a) => {
      const v = row.attributes[a];
      return v === undefined ? "" : String(v.value);
    });
    text += csvLine([...standard, ...attributes]);
  }
  return text;
}

export interface DemoDealsOptions {
  seed?: number;
  now?: Date;
  /** Deals closed (won or lost) by `now`, and still open. Default 1,800 and 300. */
  closedDeals?: number;
  openDeals?: number;
  /** Monthly snapshots before today's. Default 6. */
  snapshots?: number;
}

export interface DemoDealsFile {
  fileName: string;
  /** The snapshot date (YYYY-MM-DD), also in the file name. */
  asOf: string;
  csv: string;
}

/** Two years of a partner's deals as monthly CRM exports, oldest first (a model trains to Ready on the defaults). */
export function demoDealsFiles(options: DemoDealsOptions = {}): DemoDealsFile[] {
  const crm = generateCrmHistory({
    seed: options.seed ?? 2026,
    now: options.now ?? new Date(),
    closedDeals: options.closedDeals ?? 1_800,
    openDeals: options.openDeals ?? 300,
    months: 24,
    snapshots: options.snapshots ?? 6,
  });
  return crm.snapshots.map((s) => {
    const asOf = s.takenAt.slice(0, 10);
    return { fileName: `deals-${asOf}.csv`, asOf, csv: dealsSnapshotCsv(s) };
  });
}
