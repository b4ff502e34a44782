// Calendar arithmetic in UTC for windows and ages ("2 years", "3 months", "15 days").

const DAY_MS = 86_400_000;

/** The same day-of-month n months later (earlier when negative), clamped to the month's last day. */
export function addMonths(date: Date, months: number): Date {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth() + months;
  const target = new Date(Date.UTC(y, m, 1, date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), date.getUTCMilliseconds()));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  return target;
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

/** Days from a to b (b − a), fractional. */
export function daysBetween(a: string | Date, b: string | Date): number {
  const ms = (x: string | Date) => (typeof x === "string" ? Date.parse(x) : x.getTime());
  return (ms(b) - ms(a)) / DAY_MS;
}
