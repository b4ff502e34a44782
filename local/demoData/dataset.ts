import type { DemoHistory } from "./history.js";
import type { DemoIncentive } from "./incentives.js";
import type { DemoArchetype } from "./profile.js";
import type { SubscriptionLine } from "./subscriptions.js";
import type { DemoUsage } from "./usage.js";

// What a dataset file works with: one generated tenant, the run's settings, and the CSV and month helpers.

/** One generated tenant; each dataset file writes its lines from it. */
export interface DemoTenant {
  index: number;
  archetype: DemoArchetype;
  tenantId: string;
  domain: string;
  employees: number;
  azureMonthlyRevenue: number;
  tenantRow: string[];
  /** Current licences: the newest snapshot of `history`. */
  subscriptions: SubscriptionLine[];
  /** Absent for a prospect (no licences, no usage). */
  usage?: DemoUsage;
  incentives: DemoIncentive[];
  /** Earlier snapshots, the usage they imply and what happened (local/demoData/history.ts); absent for a prospect. */
  history?: DemoHistory;
}

/** Settings shared by every tenant of one generated partner. */
export interface DemoRun {
  seed: number;
  months: number;
  /** Latest usage month (YYYY-MM). */
  asOfMonth: string;
  /** The latest day signals are dated (YYYY-MM-DD). */
  asOfDay: string;
  /** Monthly subscription snapshots, the newest dated the 1st of the month after asOfMonth. */
  snapshots: number;
}

/** One CSV file of the demo partner: its header, and the lines one tenant contributes to it. */
export interface DemoDatasetFile {
  header: string;
  lines(tenant: DemoTenant, run: DemoRun): string;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(fields: readonly (string | number)[]): string {
  return fields.map((f) => csvField(String(f))).join(",") + "\n";
}

/** "YYYY-MM-DD" moved by `delta` days. */
export function addDays(day: string, delta: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + delta * 86_400_000).toISOString().slice(0, 10);
}

/** "YYYY-MM" moved by `delta` months. */
export function addMonths(month: string, delta: number): string {
  const [y, m] = month.split("-").map(Number);
  const d = new Date(Date.UTC(y, m - 1 + delta, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}
