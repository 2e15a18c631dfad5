import { invalid } from './errors';
import { isProvinceCode } from './codes';
import { isCalendarDate } from './dates';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

/** ISO 7064 MOD 11-2 check character (GB 11643-1999) of the first 17 digits. */
export function residentIdCheckChar(first17: string): string {
  if (!/^[0-9]{17}$/.test(first17)) {
    throw invalid('idNumber', 'must start with 17 digits');
  }
  let sum = 0;
  for (let i = 0; i < WEIGHTS.length; i += 1) {
    sum += Number(first17.charAt(i)) * (WEIGHTS[i] ?? 0);
  }
  return CHECK_CHARS.charAt(sum % 11);
}

function checkBody(first17: string, field: string): void {
  // Old division codes stay valid, so only the province part is checked.
  if (!isProvinceCode(`${first17.slice(0, 2)}0000`)) {
    throw invalid(field, 'division code is not a known province');
  }
  const birth = `${first17.slice(6, 10)}-${first17.slice(10, 12)}-${first17.slice(12, 14)}`;
  if (!isCalendarDate(birth) || birth < '1850-01-01') {
    throw invalid(field, 'birth date is not a valid date');
  }
}

/**
 * Normalises a resident ID number to its 18-character form: a 15-digit number gets "19" inserted
 * after the division code and a check character appended; a trailing `x` is upper-cased; the check
 * character of an 18-character number is verified. Throws VALIDATION_FAILED naming `field`; the
 * message never repeats the number.
 */
export function normaliseResidentId(value: string, field = 'idNumber'): string {
  const trimmed = value.trim().toUpperCase();
  if (/^[0-9]{15}$/.test(trimmed)) {
    const first17 = `${trimmed.slice(0, 6)}19${trimmed.slice(6)}`;
    checkBody(first17, field);
    return first17 + residentIdCheckChar(first17);
  }
  if (!/^[0-9]{17}[0-9X]$/.test(trimmed)) {
    throw invalid(field, 'a resident ID number has 18 characters (17 digits and a digit or X) or 15 digits');
  }
  const first17 = trimmed.slice(0, 17);
  checkBody(first17, field);
  if (residentIdCheckChar(first17) !== trimmed.charAt(17)) {
    throw invalid(field, 'check character does not match (GB 11643 MOD 11-2)');
  }
  return trimmed;
}

/** True when `value` is already a normalised, valid 18-character resident ID number. */
export function isValidResidentId(value: string): boolean {
  try {
    return normaliseResidentId(value) === value;
  } catch {
    return false;
  }
}
