import { invalid } from './errors';
import { foldReference } from './fold';
import { refuseIdShaped } from './id-shaped';
import { keyedHashHex } from './keyed-hash';

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
  if (foldReference(reference) === '') {
    throw invalid(field, 'must contain letters or digits');
  }
  return refuseIdShaped(reference, field);
}

/**
 * What the ledger stores for an evidence reference: HMAC-SHA256 (lowercase hex) of the folded
 * reference, keyed with the evidence key derived from the consortium key K (keyed-hash.ts). The
 * gateway computes it for the argument; every endorser recomputes it from the reference in the
 * transient map with its own copy of K.
 */
export function evidenceHashOf(pseudonymKey: Uint8Array, reference: string): string {
  return keyedHashHex(pseudonymKey, 'evidence', normaliseEvidenceReference(reference));
}
