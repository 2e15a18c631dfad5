import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  claimDataDir,
  DATA_DIR_MARKER,
  purgeDataDir,
  purgeRefusal,
  PurgeRefusedError,
} from '../src/data-dir';
import { REPO_ROOT } from '../src/layout';

describe('purging a data dir', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'hpf-purge-'));
  });
  afterEach(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it.each([
    ['/', 'the filesystem root'],
    ['.', 'the repository'],
    ['..', 'the repository'],
    [os.homedir(), 'the home directory'],
    [REPO_ROOT, 'the repository'],
  ])('refuses %s (it is or contains %s) and deletes nothing', (dir, what) => {
    expect(purgeRefusal(dir)).toMatch(/^it is or contains /);
    expect(purgeRefusal(dir)).toContain(what);
    expect(() => purgeDataDir(dir)).toThrow(PurgeRefusedError);
    expect(existsSync(dir)).toBe(true);
  });

  it('refuses a directory without our marker, a file and a symbolic link', () => {
    const plain = path.join(scratch, 'plain');
    mkdirSync(plain);
    writeFileSync(path.join(plain, 'precious.txt'), 'keep me');
    expect(() => purgeDataDir(plain)).toThrow(`has no ${DATA_DIR_MARKER} marker`);
    expect(existsSync(path.join(plain, 'precious.txt'))).toBe(true);
    const file = path.join(scratch, 'file');
    writeFileSync(file, 'x');
    expect(purgeRefusal(file)).toBe('it is not a directory');
    const ours = path.join(scratch, 'ours');
    claimDataDir(ours);
    const link = path.join(scratch, 'link');
    symlinkSync(ours, link);
    expect(purgeRefusal(link)).toBe('it is a symbolic link');
  });

  it('deletes a marked data dir, and treats a missing one as nothing to do', () => {
    const ours = path.join(scratch, 'data');
    claimDataDir(ours);
    writeFileSync(path.join(ours, 'ledger'), 'x');
    expect(purgeDataDir(ours)).toBe(true);
    expect(existsSync(ours)).toBe(false);
    expect(purgeDataDir(ours)).toBe(false);
  });
});
