/** Unified social credit code (GB 32100-2015) check, for employer codes. */
const CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

export function isValidUscc(code: string): boolean {
  if (code.length !== 18 || [...code].some((c) => !CHARS.includes(c))) {
    return false;
  }
  let sum = 0;
  for (let i = 0; i < 17; i += 1) {
    sum += CHARS.indexOf(code.charAt(i)) * (WEIGHTS[i] ?? 0);
  }
  return CHARS.charAt((31 - (sum % 31)) % 31) === code.charAt(17);
}
