import { CONFUSABLE_PROTOTYPES, confusableSkeleton } from './confusables';

/**
 * Folds a typed identifier (ID number, document registration number) to the form people mean, so
 * that the same thing typed two ways is the same text: NFKC turns full-width forms into ASCII
 * (`ＧＦ２０２６` → `GF2026`), letters are upper-cased, and white space and the separators clerks use
 * inconsistently (`- _ / . ·`, the Unicode dash variants and the katakana middle dot) are removed.
 * This is the fold of ID numbers (identity.ts), which refuse anything outside `[A-Z0-9]` afterwards;
 * evidence references use the stronger {@link foldReference}.
 */
export function foldIdentifier(text: string): string {
  return text
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-_/.·\u2010-\u2015\u2212\u30fb]+/gu, '');
}

/** Invisible characters: every format character (Cf: soft hyphen, zero-width space, word joiner, BOM,
 * bidi controls, …) and the other default-ignorable code points (variation selectors, fillers). */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;

/**
 * Separators and brackets a reference is written with, in any of their variants: white space, dashes
 * (Pd), connectors (Pc), opening and closing brackets (Ps/Pe: `( [ 〔 【 （ ［ ｛ 《`…) and quotes
 * (Pi/Pf), and `/ \ . , : ; · ・ 、 ' " ‵ |`. 京(2026) 京〔2026〕 京[2026] 京【2026】 fold alike.
 */
const SEPARATORS = /[\s\p{Pd}\p{Pc}\p{Ps}\p{Pe}\p{Pi}\p{Pf}/\\.,:;·\u30fb\u3001'"`|]+/gu;

/** An ASCII character, folded: upper-cased first (so `m` stays `M` rather than the skeleton's `rn`),
 * then its skeleton (`0` → `O`, `1` and `I` → `l`), upper-cased again. */
function foldAscii(char: string): string {
  const upper = char.toUpperCase();
  return (CONFUSABLE_PROTOTYPES.get(upper) ?? upper).toUpperCase();
}

// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\u0000-\u007f]*$/;

/**
 * One code point, folded. ASCII: {@link foldAscii}. A compatibility character that NFKC turns into
 * ASCII (full-width forms, mathematical letters and digits, `ſ`) is that ASCII. Anything else takes
 * its prototype from the table (or its NFKC form), upper-cased, then the skeleton again, upper-cased,
 * so a look-alike (`ɑ`, Cyrillic `а`, Greek `Ο`) meets the letter or digit it imitates.
 */
function foldCodePoint(char: string): string {
  if (char <= '\u007f') {
    return foldAscii(char);
  }
  const compat = char.normalize('NFKC');
  if (ASCII_ONLY.test(compat)) {
    let out = '';
    for (const c of compat) out += foldAscii(c);
    return out;
  }
  const prototype = CONFUSABLE_PROTOTYPES.get(char);
  if (
    prototype === undefined &&
    compat === char &&
    char.toUpperCase() === char &&
    char.normalize('NFD') === char
  ) {
    return char; // most CJK ideographs: nothing to fold
  }
  return confusableSkeleton((prototype ?? compat).toUpperCase()).toUpperCase();
}

/**
 * The evidence fold: a document registration number however a clerk (or a fraudster) typed it.
 * Every invisible character (Cf and default-ignorables) and every separator and bracket variant is
 * removed, then each code point is folded ({@link foldCodePoint}: NFKC for compatibility forms, the
 * UTS #39 skeleton from Unicode's confusables table, pinned in confusables.ts, and upper case), and
 * separators the folding produced are removed too. Cyrillic, Greek and mathematical look-alikes meet
 * their Latin letters and digits; confusable ASCII meets too (`0`/`O`, `1`/`I`/`l`): a reference
 * re-typed with a letter O for a zero is the same document. The result is a hash input, not for display.
 */
export function foldReference(text: string): string {
  const plain = text.replace(INVISIBLE, '').replace(SEPARATORS, '');
  let folded = '';
  for (const char of plain) {
    folded += foldCodePoint(char);
  }
  return folded.replace(INVISIBLE, '').replace(SEPARATORS, '');
}
