import { invalid } from './errors';

/** The 31 characters of GB 32100-2015 (no I, O, S, V, Z). */
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/** Check character of the first 17 characters of a unified social credit code. */
export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < WEIGHTS.length; i += 1) {
    const value = USCC_CHARSET.indexOf(first17.charAt(i));
    if (value < 0) {
      throw invalid('code', 'contains a character outside GB 32100');
    }
    sum += value * (WEIGHTS[i] ?? 0);
  }
  return USCC_CHARSET.charAt((31 - (sum % 31)) % 31);
}

/**
 * Validates a unified social credit code (统一社会信用代码): 18 characters from the GB 32100 set,
 * a 6-digit division code at positions 3–8, and the check character. Lower case is upper-cased.
 */
export function normaliseUscc(value: string, field = 'code'): string {
  const code = value.trim().toUpperCase();
  if (!/^[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}$/.test(code)) {
    throw invalid(field, 'a unified social credit code has 18 characters from GB 32100');
  }
  if (usccCheckChar(code.slice(0, 17)) !== code.charAt(17)) {
    throw invalid(field, 'check character does not match (GB 32100)');
  }
  return code;
}
