// Numbers, money, shares and times as the page shows them (one locale, so every screen reads alike).

const locale = "en-US";
const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
const percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
const money = new Intl.NumberFormat(locale, { style: "currency", currency: "USD", maximumFractionDigits: 0 });
const compactMoney = new Intl.NumberFormat(locale, { style: "currency", currency: "USD", notation: "compact", maximumFractionDigits: 1 });
const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" });
const monthName = new Intl.DateTimeFormat(locale, { month: "short", year: "numeric", timeZone: "UTC" });

export const formatInteger = (n: number) => integer.format(n);
/** A fraction 0..1 as a percentage. */
export const formatPercent = (fraction: number) => percent.format(fraction);
/** A predicted probability: never "100%" or "0%", which would read as certainty. */
export function formatProbability(p: number): string {
  if (p >= 0.999) return "> 99.9%";
  if (p < 0.001) return "< 0.1%";
  return percent.format(p);
}
export const formatMoney = (n: number) => money.format(n);
export const formatCompactMoney = (n: number) => compactMoney.format(n);

export function formatDateTime(iso: string | undefined): string {
  if (!iso) return "–";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

/** A day (an ISO date or instant, read in UTC): "Sep 19, 2026". */
export function formatDate(iso: string | undefined): string {
  if (!iso) return "–";
  const date = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  return Number.isNaN(date.getTime()) ? iso : dateOnly.format(date);
}

/** "2026-03" → "Mar 2026". */
export function formatMonth(yearMonth: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(yearMonth);
  return m ? monthName.format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1))) : yearMonth;
}

/** "3 min ago" from two instants. */
export function formatAge(iso: string | undefined, now = Date.now()): string {
  if (!iso) return "never";
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} days ago`;
}

export const roleLabels: Record<string, string> = {
  reportViewer: "Report viewer",
  executiveReportViewer: "Executive report viewer",
  administrator: "Administrator",
};
