import { invalid } from './errors';
import { foldReference } from './fold';
import { idShapeOfFolded, refuseIdShaped } from './id-shaped';
import { keyedHashHex, type HashKeySource } from './keyed-hash';

/** The longest evidence reference accepted (characters as typed). */
export const MAX_EVIDENCE_REFERENCE = 200;

/**
 * The same document must hash the same at every centre, however a clerk typed its registration
 * number: the reference is folded by {@link foldReference} (full-width forms, case, white space,
 * separators and brackets, invisible characters, Unicode look-alikes) before hashing.
 */
export function normaliseEvidenceReference(reference: string): string {
  return foldReference(reference);
}

/**
 * Validates an evidence reference as typed: 1-200 characters, not blank, and no ID-shaped run once
 * folded (an ID number is not a document reference, and its hash must never stand in public state).
 * VALIDATION_FAILED names `field`; the message never repeats the value.
 */
export function validateEvidenceReference(reference: string, field: string): string {
  if (reference.trim() === '' || reference.length > MAX_EVIDENCE_REFERENCE) {
    throw invalid(field, `must be 1-${MAX_EVIDENCE_REFERENCE} characters`);
  }
  const folded = foldReference(reference);
  if (folded === '') {
    throw invalid(field, 'must contain letters or digits');
  }
  if (idShapeOfFolded(folded) !== undefined) {
    refuseIdShaped(reference, field);
  }
  return reference;
}

/**
 * What the ledger stores for an evidence reference: HMAC-SHA256 (lowercase hex) of the folded
 * reference, keyed with the evidence key derived from the consortium key K (keyed-hash.ts). The
 * gateway computes it for the argument; every endorser recomputes it from the reference in the
 * transient map with its own copy of K.
 */
export function evidenceHashOf(keys: HashKeySource, reference: string): string {
  return keyedHashHex(keys, 'evidence', normaliseEvidenceReference(reference));
}
