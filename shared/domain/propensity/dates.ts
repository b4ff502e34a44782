// Calendar arithmetic on UTC days, for ages, tenure and fiscal years.

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 (UTC) of a YYYY-MM-DD date or an ISO time; NaN when it does not parse. */
export function dayNumber(date: string): number {
  const ms = Date.parse(date.length === 10 ? `${date}T00:00:00Z` : date);
  return Number.isFinite(ms) ? Math.floor(ms / DAY_MS) : NaN;
}

/** Fractional days from `from` to `to` (ISO dates or times); negative when `from` is later. */
export function daysBetween(from: string, to: string): number {
  const a = Date.parse(from.length === 10 ? `${from}T00:00:00Z` : from);
  const b = Date.parse(to.length === 10 ? `${to}T00:00:00Z` : to);
  return (b - a) / DAY_MS;
}

const plainDay = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Whether a YYYY-MM-DD text names a real day (no 30 February), without allocating a Date. */
function isRealDay(date: string): boolean {
  const m = plainDay.exec(date);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return Number(m[3]) <= days;
}

/** YYYY-MM-DD of a date or time; undefined when it does not parse. */
export function isoDay(date: string): string | undefined {
  // A plain day (most signals) is its own day: hot loops call this per signal.
  if (date.length === 10 && isRealDay(date)) return date;
  const ms = Date.parse(date.length === 10 ? `${date}T00:00:00Z` : date);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : undefined;
}

/** The same day `months` calendar months later (earlier when negative), clamped to the month's last day. */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = (isoDay(day) ?? "").split("-").map(Number);
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, last))).toISOString().slice(0, 10);
}

/** The day `days` days later (earlier when negative). */
export function addDays(day: string, days: number): string {
  return new Date(dayNumber(day) * DAY_MS + days * DAY_MS).toISOString().slice(0, 10);
}
