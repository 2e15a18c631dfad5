import { createHash } from 'node:crypto';

import { foldIdentifier } from './fold';

/**
 * The same document must hash the same at every centre, however a clerk typed its registration
 * number: the reference is folded by {@link foldIdentifier} (full-width forms, case, white space and
 * separators) before hashing.
 */
export function normaliseEvidenceReference(reference: string): string {
  return foldIdentifier(reference);
}

/**
 * SHA-256 (lowercase hex) of the normalised evidence reference: what the ledger stores. The gateway
 * computes it for the argument; every endorser recomputes it from the reference in the transient map.
 */
export function evidenceHashOf(reference: string): string {
  return createHash('sha256').update(normaliseEvidenceReference(reference), 'utf8').digest('hex');
}
