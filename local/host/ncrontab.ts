// NCRONTAB schedules as Azure Functions timer triggers read them:
// "{second} {minute} {hour} {day} {month} {day-of-week}", evaluated in UTC (the host's default).
// Fields take `*`, numbers, lists (`1,15`), ranges (`9-17`), steps (`*/5`, `10-50/10`, `5/15`)
// and names (JAN-DEC, SUN-SAT). Like the NCrontab library the host uses, a date must match
// both day and day-of-week when both are restricted. A 5-field expression means second 0.

export interface CronSchedule {
  readonly expression: string;
  readonly seconds: ReadonlySet<number>;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 = Sunday. */
  readonly daysOfWeek: ReadonlySet<number>;
}

export class CronSyntaxError extends Error {
  readonly code = "cron_invalid";
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] as const;
const dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const;

const fields: FieldSpec[] = [
  { name: "second", min: 0, max: 59 },
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: monthNames },
  // 7 is accepted as Sunday, as most cron dialects do.
  { name: "day-of-week", min: 0, max: 7, names: dayNames },
];

export function parseNcrontab(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 5) parts.unshift("0");
  if (parts.length !== 6) {
    throw new CronSyntaxError(
      `"${expression}" must have 6 fields (second minute hour day month day-of-week), found ${parts.length}`,
    );
  }
  const sets = parts.map((part, i) => parseField(part, fields[i], expression));
  const daysOfWeek = new Set([...sets[5]].map((d) => (d === 7 ? 0 : d)));
  return {
    expression,
    seconds: sets[0],
    minutes: sets[1],
    hours: sets[2],
    days: sets[3],
    months: sets[4],
    daysOfWeek,
  };
}

function parseField(part: string, spec: FieldSpec, expression: string): Set<number> {
  const values = new Set<number>();
  const fail = (why: string): never => {
    throw new CronSyntaxError(`"${expression}": ${spec.name} field "${part}" ${why}`);
  };
  for (const item of part.split(",")) {
    if (item === "") fail("has an empty list item");
    const [rangePart, stepPart, extra] = item.split("/");
    if (extra !== undefined) fail("has more than one step");
    let step = 1;
    if (stepPart !== undefined) {
      if (!/^\d+$/.test(stepPart) || Number(stepPart) === 0) fail("has a step that is not a positive whole number");
      step = Number(stepPart);
    }
    let from: number;
    let to: number;
    if (rangePart === "*" || rangePart === "?") {
      from = spec.min;
      to = spec.max === 7 ? 6 : spec.max;
    } else if (rangePart.includes("-")) {
      const [a, b, more] = rangePart.split("-");
      if (more !== undefined) fail("has a malformed range");
      from = parseValue(a, spec, fail);
      to = parseValue(b, spec, fail);
      if (from > to) fail("has a range whose start is after its end");
    } else {
      from = parseValue(rangePart, spec, fail);
      // "5/15" means from 5 to the end of the field, every 15.
      to = stepPart !== undefined ? (spec.max === 7 ? 6 : spec.max) : from;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

function parseValue(text: string, spec: FieldSpec, fail: (why: string) => never): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < spec.min || n > spec.max) fail(`is out of range ${spec.min}-${spec.max}`);
    return n;
  }
  const index = spec.names?.indexOf(text.toUpperCase() as never) ?? -1;
  if (index < 0) fail(`has an unknown value "${text}"`);
  return spec === fields[4] ? index + 1 : index;
}

// Schedules that never match (e.g. 30 February) stop searching after this many years.
const searchYears = 8;

/** The first occurrence strictly after `after` (UTC, whole seconds), or undefined if there is none. */
export function nextOccurrence(schedule: CronSchedule, after: Date): Date | undefined {
  const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
  const limit = Date.UTC(t.getUTCFullYear() + searchYears, 0, 1);
  while (t.getTime() < limit) {
    if (!schedule.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!schedule.days.has(t.getUTCDate()) || !schedule.daysOfWeek.has(t.getUTCDay())) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!schedule.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!schedule.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    if (!schedule.seconds.has(t.getUTCSeconds())) {
      t.setUTCSeconds(t.getUTCSeconds() + 1, 0);
      continue;
    }
    return t;
  }
  return undefined;
}
