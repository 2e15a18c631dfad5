/**
 * Resident ID numbers (GB 11643-1999). The gateway normalises them before it computes a subjectRef,
 * because two spellings of one person's number must give one subjectRef.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

/** The ISO 7064 MOD 11-2 check character for the first 17 digits. */
export function residentIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) {
    sum += Number(first17.charAt(i)) * (WEIGHTS[i] ?? 0);
  }
  return CHECK_CHARS.charAt(sum % 11);
}

function isCalendarDate(yyyymmdd: string): boolean {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export type ResidentIdResult = { ok: true; value: string } | { ok: false; problem: string };

/**
 * Returns the 18-character form: 15-digit numbers are converted ("19" inserted after the division
 * code, check character appended), `x` is upper-cased, and the check character is verified.
 */
export function normaliseResidentId(raw: string): ResidentIdResult {
  const compact = raw.replace(/\s+/g, '').toUpperCase();
  let full: string;
  if (/^\d{15}$/.test(compact)) {
    const first17 = `${compact.slice(0, 6)}19${compact.slice(6)}`;
    full = first17 + residentIdCheckChar(first17);
  } else if (/^\d{17}[\dX]$/.test(compact)) {
    full = compact;
  } else {
    return { ok: false, problem: 'must be 18 characters (17 digits and a check character) or 15 digits' };
  }
  if (!isCalendarDate(full.slice(6, 14))) {
    return { ok: false, problem: 'birth date is not a calendar date' };
  }
  if (residentIdCheckChar(full.slice(0, 17)) !== full.charAt(17)) {
    return { ok: false, problem: 'check character does not match' };
  }
  return { ok: true, value: full };
}

/**
 * True when the text contains something shaped like a resident ID number (15 digits, or 17 digits and
 * a valid check character) that is not part of a longer alphanumeric run. Used to refuse URLs.
 */
export function containsResidentIdLike(text: string): boolean {
  const pattern = /(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])/g;
  for (const match of text.matchAll(pattern)) {
    const candidate = (match[1] ?? '').toUpperCase();
    if (candidate.length === 15 || residentIdCheckChar(candidate.slice(0, 17)) === candidate.charAt(17)) {
      return true;
    }
  }
  return false;
}
