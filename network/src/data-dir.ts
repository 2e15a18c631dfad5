import { existsSync, lstatSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './layout';

/**
 * A data dir is ours when it holds our marker file, written when we first create it. `--purge` deletes
 * recursively, so it deletes only such a directory, and never one that holds the repository, the
 * home directory, the working directory or the filesystem root (a definition's `dataDir: "/"`, `"."`
 * or `".."` would otherwise be wiped).
 */

export const DATA_DIR_MARKER = '.hpf-data-dir';

export class PurgeRefusedError extends Error {
  readonly dataDir: string;

  constructor(dataDir: string, reason: string) {
    super(`refusing to purge ${dataDir}: ${reason}. Nothing was deleted.`);
    this.name = 'PurgeRefusedError';
    this.dataDir = dataDir;
  }
}

/** Creates the data dir (when missing) and marks it as ours. */
export function claimDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  const marker = path.join(dataDir, DATA_DIR_MARKER);
  if (!existsSync(marker)) {
    writeFileSync(
      marker,
      'A housing provident fund consortium data dir; `npm run network:down -- --purge` may delete it.\n',
    );
  }
}

function real(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

/** True when `outer` is `inner` or one of its ancestors. */
function contains(outer: string, inner: string): boolean {
  const relative = path.relative(outer, inner);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * Why `dataDir` must not be purged, or null when it may be. A missing directory may (nothing to delete).
 */
export function purgeRefusal(dataDir: string): string | null {
  if (!existsSync(dataDir)) return null;
  if (lstatSync(dataDir).isSymbolicLink()) return 'it is a symbolic link';
  if (!lstatSync(dataDir).isDirectory()) return 'it is not a directory';
  const target = real(dataDir);
  const protectedDirs: [string, string][] = [
    ['/', 'the filesystem root'],
    [os.homedir(), 'the home directory'],
    [REPO_ROOT, 'the repository'],
    [process.cwd(), 'the working directory'],
  ];
  for (const [dir, what] of protectedDirs) {
    if (contains(target, real(dir))) return `it is or contains ${what} (${dir})`;
  }
  if (!existsSync(path.join(target, DATA_DIR_MARKER))) {
    return `it has no ${DATA_DIR_MARKER} marker, so it is not a data dir created by network:up (delete it by hand if it is one from before the marker)`;
  }
  return null;
}

/** Deletes a data dir of ours. @throws PurgeRefusedError naming the reason, having deleted nothing. */
export function purgeDataDir(dataDir: string): boolean {
  const refusal = purgeRefusal(dataDir);
  if (refusal !== null) throw new PurgeRefusedError(dataDir, refusal);
  if (!existsSync(dataDir)) return false;
  rmSync(dataDir, { recursive: true, force: true });
  return true;
}
