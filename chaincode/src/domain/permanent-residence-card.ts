import { invalid } from './errors';
import { checkBirthDate, residentIdCheckChar } from './resident-id';

/**
 * The number of the 2023 foreign permanent-residence card (外国人永久居留身份证, 2023 edition, issued
 * from 2023-12-01 by the National Immigration Administration): 18 characters shaped like a resident
 * ID number, `9` + 2-digit province of issue + 3-digit nationality code + 8-digit birth date +
 * 3-digit sequence + the GB 11643 MOD 11-2 check character. It is told apart from a resident ID
 * number by the leading 9: resident ID address codes start with 1-8. (The 2004/2017 editions have
 * 15 characters, 3 letters + 12 digits, so they are never resident-ID shaped.)
 */
export function isPermanentResidenceCardShaped(value: string): boolean {
  return /^9[0-9]{16}[0-9X]$/.test(value);
}

/** Verifies a 2023 card number (check character, birth date as in resident IDs); returns it. */
export function normalisePermanentResidenceCard(value: string, field = 'idNumber', asOf?: string): string {
  if (!isPermanentResidenceCardShaped(value)) {
    throw invalid(field, 'a 2023 permanent-residence card number is 9 + 16 digits + a digit or X');
  }
  checkBirthDate(value, 6, field, asOf);
  if (residentIdCheckChar(value.slice(0, 17)) !== value.charAt(17)) {
    throw invalid(field, 'check character does not match (GB 11643 MOD 11-2)');
  }
  return value;
}
