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
  tenantRow: string[];
  /** Current licences: the newest snapshot of `history`. */
  subscriptions: SubscriptionLine[];
  usage: DemoUsage;
  incentives: DemoIncentive[];
  /** Earlier snapshots, the usage they imply and what happened (local/demoData/history.ts). */
  history: DemoHistory;
}

/** Settings shared by every tenant of one generated partner. */
export interface DemoRun {
  seed: number;
  months: number;
  /** Latest usage month (YYYY-MM). */
  asOfMonth: string;
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

/** "YYYY-MM" moved by `delta` months. */
export function addMonths(month: string, delta: number): string {
  const [y, m] = month.split("-").map(Number);
  const d = new Date(Date.UTC(y, m - 1 + delta, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}
