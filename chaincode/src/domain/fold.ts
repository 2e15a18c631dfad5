/**
 * Folds a typed identifier (ID number, document registration number) to the form people mean, so
 * that the same thing typed two ways is the same text: NFKC turns full-width forms into ASCII
 * (`ＧＦ２０２６` → `GF2026`), letters are upper-cased, and white space and the separators clerks use
 * inconsistently (`- _ / . ·`, the Unicode dash variants and the katakana middle dot) are removed.
 */
export function foldIdentifier(text: string): string {
  return text
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-_/.·\u2010-\u2015\u2212\u30fb]+/gu, '');
}
