import { findIdShapedRun, residentIdCheckChar } from './shared';

/**
 * True when the text contains something shaped like a resident ID number (15 digits, or 17 digits and
 * a valid check character) that is not part of a longer alphanumeric run. Used to refuse URLs.
 */
export function containsResidentIdLike(text: string): boolean {
  const pattern = /(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])/g;
  for (const match of text.matchAll(pattern)) {
    const candidate = (match[1] ?? '').toUpperCase();
    if (candidate.length === 15 || residentIdCheckChar(candidate.slice(0, 17)) === candidate.charAt(17)) {
      return true;
    }
  }
  return false;
}

/** At most this many rounds of percent-decoding (a double-encoded URL needs 2). */
const DECODE_ROUNDS = 3;

/**
 * Percent-decodes URL text as far as it decodes (double encoding included, `+` as a space), leaving
 * malformed escapes as they are: a bad escape elsewhere must not hide an encoded ID number.
 */
export function decodeUrlText(text: string): string {
  let current = text.replace(/\+/g, ' ');
  for (let round = 0; round < DECODE_ROUNDS; round += 1) {
    const next = current.replace(/(?:%[0-9A-Fa-f]{2})+/g, (escapes) => {
      try {
        return decodeURIComponent(escapes);
      } catch {
        return escapes;
      }
    });
    if (next === current) {
      break;
    }
    current = next;
  }
  return current;
}

/** Separators people type inside an ID number: white space (after NFKC) and `- _ . ·`. */
const SEPARATORS = /[\s\-_.·]/gu;

/** Decoded, NFKC-folded (full-width digits and hyphens become ASCII) and separators removed. */
export function foldUrlText(text: string): string {
  return decodeUrlText(text).normalize('NFKC').replace(SEPARATORS, '');
}

/** The parts of a URL between `/ ? & = ;`, with the delimiters kept as their own parts. */
function urlParts(url: string): string[] {
  return url.split(/([/?&=;])/);
}

const DELIMITER = /^[/?&=;]$/;

/** The decoded URL cut at `/ ? & = ; : ,`: the path segments, query names and values, and the parts
 * of typed IDs (`withdrawal:110000:W-1`), each checked on its own. */
function decodedPieces(url: string): string[] {
  return decodeUrlText(url).split(/[/?&=;:,#]/);
}

/**
 * True when the URL carries a resident ID number in any spelling: as is, percent-encoded (even twice),
 * with spaces or hyphens, in full-width digits, in the path or the query; and, through the chaincode's
 * one detector (`findIdShapedRun`), glued to letters or digits (`/v1/withdrawals/W1101…`), hidden by
 * invisible characters or written with look-alikes, inside any one piece of the URL.
 */
export function urlCarriesIdNumber(url: string): boolean {
  if (containsResidentIdLike(decodeUrlText(url)) || containsResidentIdLike(foldUrlText(url))) {
    return true;
  }
  if (urlParts(url).some((part) => !DELIMITER.test(part) && containsResidentIdLike(foldUrlText(part)))) {
    return true;
  }
  return decodedPieces(url).some((piece) => findIdShapedRun(piece) !== undefined);
}

const LONG_DIGIT_RUN = /[0-9]{15,}/;
const REDACTED_URL = '[URL redacted: it carried an ID-number-shaped value]';

/**
 * A URL fit for logs. Each path segment or query name/value that, decoded and folded, holds 15+
 * digits in a row is replaced by `***` (so are transfer IDs, as before); if the folded URL as a whole
 * still holds such a run (an ID number spread over several segments), nothing of it is kept.
 */
export function redactUrl(url: string): string {
  const redacted = urlParts(url)
    .map((part) => (!DELIMITER.test(part) && LONG_DIGIT_RUN.test(foldUrlText(part)) ? '***' : part))
    .join('');
  const folded = foldUrlText(redacted).replace(/[/?&=;]/g, '');
  return LONG_DIGIT_RUN.test(folded) ? REDACTED_URL : redacted;
}
