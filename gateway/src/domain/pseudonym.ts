import { createHash, randomBytes } from 'node:crypto';

/** Evidence references are trimmed, upper-cased and stripped of whitespace before hashing. */
export function normaliseEvidenceReference(reference: string): string {
  return reference.trim().toUpperCase().replace(/\s+/g, '');
}

/** SHA-256 (lowercase hex) of the normalised evidence reference: what the ledger stores. */
export function evidenceHashOf(reference: string): string {
  return createHash('sha256').update(normaliseEvidenceReference(reference), 'utf8').digest('hex');
}

/** A fresh random salt for the transient person record, so personHash cannot be guessed. */
export function newSalt(): string {
  return randomBytes(16).toString('base64url');
}
