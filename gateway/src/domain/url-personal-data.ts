import { residentIdCheckChar } from './shared';

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
