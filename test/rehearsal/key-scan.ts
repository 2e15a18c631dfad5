import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Scans every file of every host's data dir for private keys (any PEM `PRIVATE KEY` block, whatever
 * the file is called, also JSON-escaped inside another file, as in the connection.json the peer's
 * builder writes) and checks that each host holds only keys of its own organisation: every key found
 * anywhere on a host must be one generated under the host's own crypto directory (compared by the
 * fingerprint of its public key), and no key may appear on two hosts. A block that cannot be parsed
 * fails the scan. Files above 1 MiB (ledger blocks) are not keys and are skipped.
 */

const MAX_KEY_FILE = 1024 * 1024;

export interface HostKeys {
  readonly host: string;
  /** Directory (relative to the host's data dir) where its own organisation's keys live. */
  readonly ownDir: string;
  readonly filesScanned: number;
  readonly keyFiles: number;
  readonly foreign: readonly string[];
  readonly unparsed: readonly string[];
}

export interface KeyScan {
  readonly hosts: readonly HostKeys[];
  readonly sharedKeys: readonly string[];
  readonly ok: boolean;
}

function* walk(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(file);
    else if (entry.isFile()) yield file;
  }
}

function fingerprint(pem: string): string {
  const spki = createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('hex');
}

interface Found {
  readonly relative: string;
  readonly fingerprint: string | null;
}

function keysIn(dataDir: string): { found: Found[]; filesScanned: number; keyFiles: number } {
  const found: Found[] = [];
  let filesScanned = 0;
  let keyFiles = 0;
  for (const file of walk(dataDir)) {
    filesScanned++;
    if (statSync(file).size > MAX_KEY_FILE) continue;
    const text = readFileSync(file, 'latin1');
    const blocks = text.match(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g);
    if (blocks === null) continue;
    keyFiles++;
    for (const block of blocks) {
      let id: string | null;
      try {
        id = fingerprint(block.replace(/\\n/g, '\n'));
      } catch {
        id = null;
      }
      found.push({ relative: path.relative(dataDir, file), fingerprint: id });
    }
  }
  return { found, filesScanned, keyFiles };
}

export function scanKeys(hosts: readonly { name: string; dataDir: string; ownDir: string }[]): KeyScan {
  const seen = new Map<string, string[]>();
  const results = hosts.map((host): HostKeys => {
    const { found, filesScanned, keyFiles } = keysIn(host.dataDir);
    const own = new Set(
      found.filter((k) => k.relative.startsWith(host.ownDir + path.sep)).map((k) => k.fingerprint),
    );
    for (const key of found) {
      if (key.fingerprint === null) continue;
      seen.set(key.fingerprint, [...(seen.get(key.fingerprint) ?? []), `${host.name}:${key.relative}`]);
    }
    return {
      host: host.name,
      ownDir: host.ownDir,
      filesScanned,
      keyFiles,
      foreign: found.filter((k) => k.fingerprint !== null && !own.has(k.fingerprint)).map((k) => k.relative),
      unparsed: found.filter((k) => k.fingerprint === null).map((k) => k.relative),
    };
  });
  const sharedKeys = [...seen.values()]
    .filter((places) => new Set(places.map((p) => p.split(':')[0])).size > 1)
    .map((places) => places.join(' = '));
  return {
    hosts: results,
    sharedKeys,
    ok:
      sharedKeys.length === 0 &&
      results.every((r) => r.foreign.length === 0 && r.unparsed.length === 0 && r.keyFiles > 0),
  };
}
