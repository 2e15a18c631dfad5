import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The certificate PDF's one font: Noto Sans Hans Regular, vendored unmodified in gateway/assets/fonts
 * (source and licence in its README there). A certificate's bytes depend on the font, so the file is
 * checked against its SHA-256 when read, and any other file is refused.
 */
export const CERTIFICATE_FONT_FILE = path.join(
  __dirname,
  '..',
  '..',
  'assets',
  'fonts',
  'NotoSansHans-Regular.otf',
);
export const CERTIFICATE_FONT_SHA256 = '7db3c634bbd0301b3082a80ffcac2f422e8ef9ce0730f8b279c3e8f756598f68';

/** Reads `file` and returns its bytes when their SHA-256 is `sha256`; otherwise throws, naming both. */
export function readCheckedFont(file: string, sha256: string): Buffer {
  const bytes = readFileSync(file);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== sha256) {
    throw new Error(
      `certificate font ${file} has SHA-256 ${actual}, expected ${sha256}: restore the vendored file`,
    );
  }
  return bytes;
}

let cached: Buffer | undefined;

/** The checked font, read once. */
export function certificateFont(): Buffer {
  cached ??= readCheckedFont(CERTIFICATE_FONT_FILE, CERTIFICATE_FONT_SHA256);
  return cached;
}
