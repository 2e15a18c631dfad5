import { invalid } from './errors';
import { findIdShapedRun, idDigitView } from './id-shaped';
import { keyedHashHex, type HashKeySource } from './keyed-hash';

/**
 * Free texts of the business steps: reject / dispute / fail messages and reversal reasons. They are
 * never written to public state: the ledger holds a keyed hash of the NFC text ({@link freeTextHash}) and the text itself goes only to
 * the implicit collections of the centres concerned. The texts are still refused when they carry
 * something shaped like an ID number in any spelling (defence in depth).
 */

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
/** After folding: 15 digits in a row (a 15-digit ID, or the body of an 18-character one). */
const LONG_DIGIT_RUN = /[0-9]{15}/;

/**
 * True when the text holds an ID number in any spelling: an ID-shaped run (id-shaped.ts, the one
 * detector) or, stricter for free texts, which need no long numbers, any 15+ digits in a row once
 * folded (white space, separators, brackets, invisible characters and look-alikes removed).
 */
export function containsIdShapedRun(text: string): boolean {
  return findIdShapedRun(text) !== undefined || LONG_DIGIT_RUN.test(idDigitView(text));
}

/** The number of characters (Unicode code points) of a string, as JSON Schema counts them. */
export function codePointLength(value: string): number {
  let length = 0;
  for (const _ of value) length += 1;
  return length;
}

export const MAX_FREE_TEXT = 500;

/**
 * Validates a free text and returns it in NFC: 1-500 characters, no control characters, no
 * ID-number-shaped run after folding. The error text never repeats the value.
 */
export function validateFreeText(value: string, field: string): string {
  const text = value.normalize('NFC');
  if (text.trim().length === 0 || codePointLength(text) > MAX_FREE_TEXT) {
    throw invalid(field, `must be 1-${MAX_FREE_TEXT} characters`);
  }
  if (CONTROL_CHARS.test(text)) {
    throw invalid(field, 'must not contain control characters');
  }
  if (containsIdShapedRun(text)) {
    throw invalid(
      field,
      'must not contain an ID number (also checked with spaces, hyphens and full-width digits removed)',
    );
  }
  return text;
}

/**
 * The public fingerprint of a free text: HMAC-SHA256 (lowercase hex) of its NFC form, keyed with the
 * free-text key derived from the consortium key K (keyed-hash.ts), so a short standard text cannot be
 * guessed from its fingerprint by anyone without K.
 */
export function freeTextHash(keys: HashKeySource, text: string): string {
  return keyedHashHex(keys, 'free-text', text.normalize('NFC'));
}
