import { createHash, randomBytes } from 'node:crypto';

/**
 * The same document must hash the same at every centre, however a clerk typed its registration number:
 * NFKC folds full-width forms (`ＧＦ２０２６（１）` → `GF2026(1)`), then case, white space and the
 * separators people use inconsistently (- _ / . · and dash variants) are dropped.
 */
export function normaliseEvidenceReference(reference: string): string {
  return reference
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-_/.·\u2010-\u2015\u2212\u30fb]+/gu, '');
}

/** SHA-256 (lowercase hex) of the normalised evidence reference: what the ledger stores. */
export function evidenceHashOf(reference: string): string {
  return createHash('sha256').update(normaliseEvidenceReference(reference), 'utf8').digest('hex');
}

/** A fresh random salt for the transient person record, so personHash cannot be guessed. */
export function newSalt(): string {
  return randomBytes(16).toString('base64url');
}
