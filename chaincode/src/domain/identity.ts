import { createHmac, type KeyObject } from 'node:crypto';

import { RESIDENT_ID_TYPE, type IdType } from './codes';
import { invalid } from './errors';
import { foldIdentifier } from './fold';
import { isPermanentResidenceCardShaped, normalisePermanentResidenceCard } from './permanent-residence-card';
import { normaliseResidentId } from './resident-id';
import { validateIdType } from './validators';

/** What the number of a canonical identity turned out to be, whatever type was claimed. */
export type IdentityKind = 'RESIDENT_ID' | 'PERMANENT_RESIDENCE_CARD' | 'OTHER';

/**
 * One person, one identity: the claimed ID type is validated and kept for the record but takes no
 * part in who the person is.
 */
export interface CanonicalIdentity {
  /** The claimed type (one of ID_TYPES). */
  readonly idType: IdType;
  readonly kind: IdentityKind;
  /** The canonical number: a resident ID in its 18-character form, otherwise the folded number. */
  readonly number: string;
  /** The HMAC input of the subjectRef: `"id:" + number`. */
  readonly canonical: string;
}

/** Resident-ID shaped: 17 digits and a digit or X, or 15 digits (DECISIONS: Identity). */
const RESIDENT_ID_SHAPED = /^(?:[0-9]{17}[0-9X]|[0-9]{15})$/;
const OTHER_NUMBER = /^[A-Z0-9]{1,32}$/;

function canonicalNumber(folded: string, field: string, asOf: string | undefined): [IdentityKind, string] {
  if (RESIDENT_ID_SHAPED.test(folded)) {
    // A number that could be a resident ID must be a valid one under any claimed type, so that a
    // typo can never mint a second pseudonym; a leading 9 is the 2023 permanent-residence card.
    return isPermanentResidenceCardShaped(folded)
      ? ['PERMANENT_RESIDENCE_CARD', normalisePermanentResidenceCard(folded, field, asOf)]
      : ['RESIDENT_ID', normaliseResidentId(folded, field, asOf)];
  }
  if (!OTHER_NUMBER.test(folded)) {
    throw invalid(field, 'must be 1-32 letters and digits once white space and separators are removed');
  }
  return ['OTHER', folded];
}

/**
 * The canonical identity of a claimed (ID type, ID number), the one rule used by the chaincode and
 * the gateway:
 * - the number is folded (NFKC, upper case, white space and separators `- _ / . ·` removed);
 * - resident-ID shaped numbers must be valid resident ID numbers (15 digits become 18) or, with a
 *   leading 9, valid 2023 permanent-residence card numbers, whatever type is claimed; their birth
 *   date must be real, from 1900-01-01 and not after `asOf` (the transaction date, YYYY-MM-DD);
 * - other numbers are 1-32 letters and digits;
 * - the claimed type adds one check: type 01 must carry a resident ID number.
 * `asOf` is undefined only when re-reading stored records. Throws VALIDATION_FAILED naming `field`.
 */
export function canonicalIdentity(
  idType: string,
  idNumber: string,
  asOf: string | undefined,
  field = 'idNumber',
): CanonicalIdentity {
  const type = validateIdType(idType, field === 'idNumber' ? 'idType' : field.replace(/idNumber$/, 'idType'));
  const [kind, number] = canonicalNumber(foldIdentifier(idNumber), field, asOf);
  if (type === RESIDENT_ID_TYPE && kind !== 'RESIDENT_ID') {
    throw invalid(field, 'idType 01 needs a resident ID number (18 characters, or 15 digits)');
  }
  return { idType: type, kind, number, canonical: `id:${number}` };
}

/**
 * subjectRef = base64url(HMAC-SHA256(K, "id:" + canonical number)), 43 characters. K as raw bytes,
 * or imported once as a KeyObject (`createSecretKey(K)`): raw bytes are imported on every call.
 */
export function subjectRefOf(key: Uint8Array | KeyObject, identity: CanonicalIdentity): string {
  return createHmac('sha256', key).update(identity.canonical, 'utf8').digest('base64url');
}

/** The subjectRef of a claimed (ID type, ID number), checked as of `asOf` (see {@link canonicalIdentity}). */
export function computeSubjectRef(
  key: Uint8Array,
  idType: string,
  idNumber: string,
  asOf: string | undefined,
): string {
  return subjectRefOf(key, canonicalIdentity(idType, idNumber, asOf));
}

/**
 * The canonical number alone, without the transaction-date check: for re-reading stored personal
 * details. New writes use {@link canonicalIdentity} with the transaction date.
 */
export function normaliseIdNumber(idType: string, idNumber: string, field = 'idNumber'): string {
  return canonicalIdentity(idType, idNumber, undefined, field).number;
}
