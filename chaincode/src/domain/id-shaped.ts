import { isCalendarDate } from './dates';
import { invalid } from './errors';
import { foldReference } from './fold';
import { residentIdCheckChar } from './resident-id';

/**
 * The one detector of ID numbers hidden in values that reach public state, events, the index or a
 * URL (business IDs, references, free texts, evidence references). The gateway and every endorser
 * call it, so a value the gateway lets through is one the chaincode accepts.
 *
 * The value is first folded as evidence is ({@link foldReference}: NFKC, invisible characters,
 * separators and brackets removed, confusables mapped), and the look-alike letters O and I/l read as
 * the digits they resemble. In that view an ID-shaped run is:
 * - `RESIDENT_ID`: 17 digits and a check character (digit or X) that verifies (GB 11643 MOD 11-2) and
 *   whose characters 7-14 are a real date from 1900 to 2099, anywhere: glued to letters or to other
 *   digits (`WD110101199003071234`, `W1101011990030712341`). This covers resident ID numbers, the
 *   2023 permanent-residence card and the Hong Kong / Macao / Taiwan residence permits, which share
 *   the layout;
 * - `OLD_RESIDENT_ID`: exactly 15 digits (not part of a longer run) whose characters 7-12 are a real
 *   date YYMMDD: the first-generation 15-digit ID number.
 * A 16-digit run (a contact letter number, `centre + YYMMDD + 4 digits`, which is also the shape of
 * an old ID number followed by one digit) is not refused: transfer IDs have that shape by design.
 */
export type IdShape = 'RESIDENT_ID' | 'OLD_RESIDENT_ID';

/** The folded value with the look-alikes of digits read as digits (`O` → 0, `L` → 1). */
export function idDigitView(text: string): string {
  return digitsOfFolded(foldReference(text));
}

function digitsOfFolded(folded: string): string {
  return folded.replace(/O/g, '0').replace(/L/g, '1');
}

function isBirthDate(yyyymmdd: string): boolean {
  const year = Number(yyyymmdd.slice(0, 4));
  return (
    year >= 1900 &&
    year <= 2099 &&
    isCalendarDate(`${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`)
  );
}

const EIGHTEEN = /(?=([0-9]{17}[0-9X]))/g;
const FIFTEEN = /(?<![0-9])[0-9]{15}(?![0-9])/g;

/** The kind of ID-shaped run the value holds once folded, or undefined. */
export function findIdShapedRun(text: string): IdShape | undefined {
  return idShapeOfFolded(foldReference(text));
}

/** {@link findIdShapedRun} of a value already folded by {@link foldReference}. */
export function idShapeOfFolded(folded: string): IdShape | undefined {
  const view = digitsOfFolded(folded);
  for (const match of view.matchAll(EIGHTEEN)) {
    const window = match[1] ?? '';
    if (isBirthDate(window.slice(6, 14)) && residentIdCheckChar(window.slice(0, 17)) === window.charAt(17)) {
      return 'RESIDENT_ID';
    }
  }
  for (const match of view.matchAll(FIFTEEN)) {
    if (isBirthDate(`19${match[0].slice(6, 12)}`)) {
      return 'OLD_RESIDENT_ID';
    }
  }
  return undefined;
}

/**
 * Refuses (VALIDATION_FAILED naming `field`) a value that will be public (a business ID, a
 * reference, an evidence reference) when it holds an ID-shaped run; returns the value unchanged.
 * The message never repeats the value.
 */
export function refuseIdShaped(value: string, field: string): string {
  if (findIdShapedRun(value) !== undefined) {
    throw invalid(
      field,
      'must not contain an ID number (checked after removing separators, invisible characters and look-alikes)',
    );
  }
  return value;
}
