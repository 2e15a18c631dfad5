import { invalid } from './errors';
import { isCalendarDate } from './dates';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

/** The earliest birth date a number may carry (DECISIONS: not before 1900-01-01). */
export const EARLIEST_BIRTH_DATE = '1900-01-01';

/**
 * The first two digits of the address code of a resident ID number (公民身份号码, GB 11643-1999) that
 * are actually issued: the mainland provinces of GB/T 2260 (11-15, 21-23, 31-37, 41-46, 50-54,
 * 61-65), and 81/82/83 for the residence permits of Hong Kong, Macau and Taiwan residents
 * (港澳台居民居住证, 国办发〔2018〕81号), whose numbers follow the same standard with the fixed address
 * codes 810000, 820000 and 830000. Refused: 71 (台湾省 in GB/T 2260; no number is issued on it,
 * Taiwan residents' permits use 830000) and 66 (新疆生产建设兵团 has no GB/T 2260 code; Corps residents
 * hold Xinjiang 65xxxx numbers).
 */
const MAINLAND_PREFIXES: readonly string[] = [
  ...['11', '12', '13', '14', '15'],
  ...['21', '22', '23'],
  ...['31', '32', '33', '34', '35', '36', '37'],
  ...['41', '42', '43', '44', '45', '46'],
  ...['50', '51', '52', '53', '54'],
  ...['61', '62', '63', '64', '65'],
];
/** Residence permits of Hong Kong (81), Macau (82) and Taiwan (83) residents: one fixed address code each. */
const PERMIT_ADDRESS_CODES: Readonly<Record<string, string>> = {
  '81': '810000',
  '82': '820000',
  '83': '830000',
};

/** True when `prefix` (2 digits) starts resident ID numbers that are issued. */
export function isResidentIdPrefix(prefix: string): boolean {
  return (
    MAINLAND_PREFIXES.includes(prefix) || Object.prototype.hasOwnProperty.call(PERMIT_ADDRESS_CODES, prefix)
  );
}

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

/**
 * Checks a birth date `YYYYMMDD` found at `offset` in a number: a real calendar date, not before
 * 1900-01-01 and, when `asOf` (YYYY-MM-DD) is given, not after it.
 */
export function checkBirthDate(
  digits: string,
  offset: number,
  field: string,
  asOf: string | undefined,
): void {
  const birth = `${digits.slice(offset, offset + 4)}-${digits.slice(offset + 4, offset + 6)}-${digits.slice(offset + 6, offset + 8)}`;
  if (!isCalendarDate(birth) || birth < EARLIEST_BIRTH_DATE) {
    throw invalid(field, 'birth date is not a valid date (from 1900-01-01)');
  }
  if (asOf !== undefined && birth > asOf) {
    throw invalid(field, 'birth date is after the transaction date');
  }
}

function checkAddressCode(first17: string, field: string): void {
  const prefix = first17.slice(0, 2);
  if (prefix === '71') {
    throw invalid(
      field,
      'address code 71 (Taiwan in GB/T 2260) is never issued; Taiwan residents use 830000',
    );
  }
  if (prefix === '66') {
    throw invalid(field, 'address code 66 is not in GB/T 2260; Corps residents hold Xinjiang (65) numbers');
  }
  if (!isResidentIdPrefix(prefix)) {
    throw invalid(field, 'address code is not a province that issues resident ID numbers');
  }
  const permitCode = PERMIT_ADDRESS_CODES[prefix];
  if (permitCode !== undefined && first17.slice(0, 6) !== permitCode) {
    throw invalid(field, `a Hong Kong, Macau or Taiwan residence permit number starts with ${permitCode}`);
  }
}

/**
 * Normalises a resident ID number to its 18-character form: a 15-digit number gets "19" inserted
 * after the address code and a check character appended; a trailing `x` is upper-cased; the check
 * character of an 18-character number is verified. Old address codes stay valid: only the province
 * part is checked (see {@link isResidentIdPrefix}). The birth date must be real, from 1900-01-01 and,
 * when `asOf` is given, not after it. Throws VALIDATION_FAILED naming `field`; the message never
 * repeats the number. Expects text without separators (see `canonicalIdentity`).
 */
export function normaliseResidentId(value: string, field = 'idNumber', asOf?: string): string {
  const trimmed = value.trim().toUpperCase();
  if (/^[0-9]{15}$/.test(trimmed)) {
    const first17 = `${trimmed.slice(0, 6)}19${trimmed.slice(6)}`;
    checkAddressCode(first17, field);
    checkBirthDate(first17, 6, field, asOf);
    return first17 + residentIdCheckChar(first17);
  }
  if (!/^[0-9]{17}[0-9X]$/.test(trimmed)) {
    throw invalid(field, 'a resident ID number has 18 characters (17 digits and a digit or X) or 15 digits');
  }
  const first17 = trimmed.slice(0, 17);
  checkAddressCode(first17, field);
  checkBirthDate(first17, 6, field, asOf);
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
