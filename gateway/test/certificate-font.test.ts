import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CERTIFICATE_FONT_FILE,
  CERTIFICATE_FONT_SHA256,
  certificateFont,
  readCheckedFont,
} from '../src/services/certificate-font';

describe('the certificate font', () => {
  it('is the vendored Noto Sans Hans Regular, checked against its SHA-256', () => {
    const font = certificateFont();
    expect(font.length).toBe(8_364_644);
    // An OpenType font with CFF outlines starts with the tag OTTO.
    expect(font.subarray(0, 4).toString('latin1')).toBe('OTTO');
    expect(certificateFont()).toBe(font);
  });

  it('refuses a file whose bytes differ, naming both hashes', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hpf-font-'));
    try {
      const copy = path.join(dir, 'font.otf');
      copyFileSync(CERTIFICATE_FONT_FILE, copy);
      expect(readCheckedFont(copy, CERTIFICATE_FONT_SHA256).length).toBe(8_364_644);
      writeFileSync(copy, Buffer.from('OTTO not really a font'));
      expect(() => readCheckedFont(copy, CERTIFICATE_FONT_SHA256)).toThrow(
        new RegExp(`has SHA-256 [0-9a-f]{64}, expected ${CERTIFICATE_FONT_SHA256}`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
