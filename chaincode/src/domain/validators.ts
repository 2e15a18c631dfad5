import { createHash } from 'node:crypto';

import { isCentreCode } from './centre-codes';
import { isIdType, type IdType } from './codes';
import { isCalendarDate, isYearMonth } from './dates';
import { codePointLength, containsIdShapedRun } from './free-text';
import { refuseIdShaped } from './id-shaped';
import { invalid } from './errors';

const MONEY_PATTERN = /^(0|[1-9][0-9]{0,11})(?:\.([0-9]{1,2}))?$/;

/**
 * Parses a money argument (a decimal string with at most 2 places and 12 integer digits) into
 * integer fen, without ever going through a float. Zero is refused unless `allowZero`.
 */
export function parseMoneyToFen(value: string, field: string, allowZero = false): number {
  const match = MONEY_PATTERN.exec(value);
  if (match === null) {
    throw invalid(field, 'must be a decimal string with at most 2 decimal places, e.g. "1234.50"');
  }
  const yuan = match[1] ?? '0';
  const fraction = (match[2] ?? '').padEnd(2, '0');
  const fen = Number(yuan) * 100 + Number(fraction);
  if (fen === 0 && !allowZero) {
    throw invalid(field, 'must be greater than 0');
  }
  return fen;
}

/** Formats integer fen as a decimal string with exactly 2 places ("1234.50"). */
export function formatFen(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) {
    throw invalid('amountFen', 'must be a non-negative integer');
  }
  const yuan = Math.floor(fen / 100);
  const cents = fen % 100;
  return `${yuan}.${cents < 10 ? '0' : ''}${cents}`;
}

export function validateDate(value: string, field: string): string {
  if (!isCalendarDate(value)) {
    throw invalid(field, 'must be a calendar date YYYY-MM-DD');
  }
  return value;
}

export function validateYearMonth(value: string, field: string): string {
  if (!isYearMonth(value)) {
    throw invalid(field, 'must be a year-month YYYYMM');
  }
  return value;
}

/**
 * A centre code: a GB/T 2260 code from the table of centre codes (province level for 省直 and the
 * municipalities' centres, prefecture level xxxx00 for a city's, 660000 for 兵团).
 */
export function validateCentreCode(value: string, field: string): string {
  if (!isCentreCode(value)) {
    throw invalid(
      field,
      'must be a known GB/T 2260 centre code: province level (110000) or prefecture level (440300)',
    );
  }
  return value;
}

/**
 * A contact letter number (联系函编号): the destination centre's 6-character code, YYMMDD and a
 * 4-digit sequence. Returns the destination centre code it starts with.
 */
export function validateContactLetterNumber(value: string, field = 'transferId'): string {
  if (!/^[0-9]{16}$/.test(value)) {
    throw invalid(field, 'a contact letter number has 16 digits');
  }
  const centre = value.slice(0, 6);
  if (!isCentreCode(centre)) {
    throw invalid(field, 'must start with the destination centre code (a known GB/T 2260 centre code)');
  }
  if (!isCalendarDate(`20${value.slice(6, 8)}-${value.slice(8, 10)}-${value.slice(10, 12)}`)) {
    throw invalid(field, 'characters 7-12 must be a date YYMMDD');
  }
  return centre;
}

/** Characters whose 6 bits end in 00: the only legal last characters of 32 bytes in base64url. */
const LAST_CHAR_OF_32_BYTES = /[AEIMQUYcgkosw048]$/;

/** subjectRef = base64url(HMAC-SHA256(K, "id:" + canonical number)) without padding: 43 characters. */
export function validateSubjectRef(value: string, field = 'subjectRef'): string {
  if (!/^[A-Za-z0-9_-]{43}$/.test(value) || !LAST_CHAR_OF_32_BYTES.test(value)) {
    throw invalid(field, 'must be 43 base64url characters (an HMAC-SHA256)');
  }
  return value;
}

export function validateSha256Hex(value: string, field: string): string {
  if (!/^[0-9a-f]{64}$/.test(value)) {
    throw invalid(field, 'must be 64 lowercase hex characters (SHA-256)');
  }
  return value;
}

/** A withdrawal ID: 1-40 characters of [A-Za-z0-9-], and no ID number inside (id-shaped.ts). */
export function validateWithdrawalId(value: string, field = 'withdrawalId'): string {
  if (!/^[A-Za-z0-9-]{1,40}$/.test(value)) {
    throw invalid(field, 'must be 1-40 characters of [A-Za-z0-9-]');
  }
  return refuseIdShaped(value, field);
}

export function validateMspId(value: string, field: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$/.test(value)) {
    throw invalid(field, 'must be an MSP ID of 1-64 characters [A-Za-z0-9.-]');
  }
  return value;
}

/** Reference-like values (settlement references, account numbers): letters, digits and hyphens. */
export function validateReference(value: string, field: string, maxLength: number): string {
  if (value.length === 0 || value.length > maxLength || !/^[A-Za-z0-9-]+$/.test(value)) {
    throw invalid(field, `must be 1-${maxLength} characters of [A-Za-z0-9-]`);
  }
  return value;
}

/**
 * A reference that lands in public state (settlement reference, certificate number, request ID):
 * {@link validateReference}, and no ID number inside (id-shaped.ts). Private references (account
 * numbers, loan contract numbers in private content) keep {@link validateReference}.
 */
export function validatePublicReference(value: string, field: string, maxLength: number): string {
  return refuseIdShaped(validateReference(value, field, maxLength), field);
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * Free text (names, messages, reasons). Texts that go to public state must not smuggle personal
 * data in, so `publicText` also refuses anything that looks like an ID number (15+ digits in a row,
 * once NFKC-folded with spaces and separators removed: see free-text.ts).
 * Lengths count characters (code points), as JSON Schema's maxLength does, not UTF-16 units.
 */
export function validateText(value: string, field: string, maxLength: number, publicText = false): string {
  if (value.trim().length === 0 || codePointLength(value) > maxLength) {
    throw invalid(field, `must be 1-${maxLength} characters`);
  }
  if (CONTROL_CHARS.test(value)) {
    throw invalid(field, 'must not contain control characters');
  }
  if (publicText && containsIdShapedRun(value)) {
    throw invalid(field, 'must not contain an ID number; public texts are visible to every member');
  }
  return value;
}

export function validateIdType(value: string, field = 'idType'): IdType {
  if (!isIdType(value)) {
    throw invalid(field, 'must be one of 01, 02, 03, 04, 99');
  }
  return value;
}

/** SHA-256 hex of UTF-8 text or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
