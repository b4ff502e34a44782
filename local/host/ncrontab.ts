import { Cron } from "croner";

// NCRONTAB schedules as Azure Functions timer triggers read them:
// "{second} {minute} {hour} {day} {month} {day-of-week}", evaluated in UTC (the host's default).
// Parsing and the next occurrence come from croner (a well-kept, dependency-free cron library) set up as the
// host's NCrontab reads schedules: 5 or 6 fields (5 means second 0), UTC, a date must match both day and
// day-of-week when both are restricted, "5/15" means from 5 every 15, 7 is Sunday. This file only names the
// field at fault when a schedule is invalid.

export interface CronSchedule {
  readonly expression: string;
  /** croner's schedule (never started: it only computes occurrences). */
  readonly cron: Cron;
}

export class CronSyntaxError extends Error {
  readonly code = "cron_invalid";
}

const options = { timezone: "UTC", mode: "5-or-6-parts", domAndDow: true, sloppyRanges: true, paused: true } as const;

const fields = [
  { name: "second", range: "0-59" },
  { name: "minute", range: "0-59" },
  { name: "hour", range: "0-23" },
  { name: "day", range: "1-31" },
  { name: "month", range: "1-12" },
  { name: "day-of-week", range: "0-7" },
] as const;

export function parseNcrontab(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 5) parts.unshift("0");
  if (parts.length !== 6) {
    throw new CronSyntaxError(`"${expression}" must have 6 fields (second minute hour day month day-of-week), found ${parts.length}`);
  }
  try {
    return { expression, cron: new Cron(parts.join(" "), options) };
  } catch (err) {
    throw new CronSyntaxError(`"${expression}": ${reasonFor(parts, err)}`, { cause: err });
  }
}

/** The first occurrence strictly after `after` (UTC, whole seconds), or undefined if there is none. */
export function nextOccurrence(schedule: CronSchedule, after: Date): Date | undefined {
  return schedule.cron.nextRun(after) ?? undefined;
}

/** Which field croner refused (each is tried alone among wildcards) and why, in the words of a schedule's author. */
function reasonFor(parts: string[], err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const index = parts.findIndex((part, i) => {
    try {
      new Cron(parts.map((p, j) => (j === i ? p : j === 0 ? "0" : "*")).join(" "), options);
      return false;
    } catch {
      return true;
    }
  });
  if (index < 0) return message;
  const { name, range } = fields[index];
  const part = parts[index];
  const why = /empty/i.test(message)
    ? "has an empty list item"
    : /stepping/i.test(message)
      ? "has a step that is not a positive whole number"
      : /larger than/i.test(message)
        ? "has a range whose start is after its end"
        : /illegal characters/i.test(message)
          ? `has an unknown value "${part}"`
          : /invalid value/i.test(message)
            ? `is out of range ${range}`
            : `is invalid (${message})`;
  return `${name} field "${part}" ${why}`;
}
