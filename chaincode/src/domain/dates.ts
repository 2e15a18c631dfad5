/** Calendar helpers on ISO strings. They never read the clock: "now" is always passed in. */

const DATE_PATTERN = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** True for a calendar-valid `YYYY-MM-DD` between years 1000 and 9999. */
export function isCalendarDate(value: string): boolean {
  const match = DATE_PATTERN.exec(value);
  if (match === null) {
    return false;
  }
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  return year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** True for a `YYYYMM` year-month with a month 01–12. */
export function isYearMonth(value: string): boolean {
  if (!/^[0-9]{6}$/.test(value)) {
    return false;
  }
  const month = Number(value.slice(4));
  return Number(value.slice(0, 4)) >= 1000 && month >= 1 && month <= 12;
}

/** ISO-8601 UTC string (millisecond precision) of a protobuf-style timestamp. */
export function isoFromTimestamp(seconds: number, nanos: number): string {
  return new Date(seconds * 1000 + Math.floor(nanos / 1_000_000)).toISOString();
}

/**
 * The instant `months` calendar months before `iso` (UTC), clamping the day to the target month's
 * length (31 March minus one month is 28/29 February).
 */
export function monthsBefore(iso: string, months: number): string {
  const at = new Date(iso);
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth() - months;
  const target = new Date(Date.UTC(year, month, 1));
  const day = Math.min(at.getUTCDate(), daysInMonth(target.getUTCFullYear(), target.getUTCMonth() + 1));
  target.setUTCDate(day);
  target.setUTCHours(at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds(), at.getUTCMilliseconds());
  return target.toISOString();
}

/**
 * The date (YYYY-MM-DD) `months` calendar months after `date`, clamping the day to the target
 * month's length (31 January plus one month is 28/29 February).
 */
export function addMonths(date: string, months: number): string {
  const [year = 0, month = 1, day = 1] = date.split('-').map(Number);
  const target = new Date(Date.UTC(year, month - 1 + months, 1));
  const last = daysInMonth(target.getUTCFullYear(), target.getUTCMonth() + 1);
  target.setUTCDate(Math.min(day, last));
  return target.toISOString().slice(0, 10);
}

/** China Standard Time is UTC+8 all year (no daylight saving). */
const CHINA_OFFSET_MS = 8 * 3_600_000;

/**
 * The calendar date (YYYY-MM-DD) in China of an ISO instant: the "transaction date" an ID number's
 * birth date is compared with (a person born today in Beijing is born on the UTC+8 date).
 */
export function chinaDateOf(iso: string): string {
  return new Date(Date.parse(iso) + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}
