import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Scans every file of every host's data dir for private keys (any PEM `PRIVATE KEY` block, whatever
 * the file is called) and checks that each host holds only keys of its own organisation: a key must
 * lie under the host's own crypto directory, and no key (by its public key's fingerprint) may appear
 * on two hosts. Files above 1 MiB (ledger blocks) are not keys and are skipped.
 */

const MAX_KEY_FILE = 1024 * 1024;

export interface HostKeys {
  readonly host: string;
  /** Directory (relative to the host's data dir) where its own organisation's keys live. */
  readonly ownDir: string;
  readonly filesScanned: number;
  readonly keyFiles: number;
  readonly foreign: readonly string[];
}

export interface KeyScan {
  readonly hosts: readonly HostKeys[];
  readonly sharedKeys: readonly string[];
  readonly ok: boolean;
}

function* walk(dir: string): Generator<string> {
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

export function scanKeys(hosts: readonly { name: string; dataDir: string; ownDir: string }[]): KeyScan {
  const seen = new Map<string, string[]>();
  const results = hosts.map((host): HostKeys => {
    let filesScanned = 0;
    let keyFiles = 0;
    const foreign: string[] = [];
    for (const file of walk(host.dataDir)) {
      filesScanned++;
      if (statSync(file).size > MAX_KEY_FILE) continue;
      const text = readFileSync(file, 'latin1');
      const blocks = text.match(
        /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
      );
      if (blocks === null) continue;
      keyFiles++;
      const relative = path.relative(host.dataDir, file);
      if (!relative.startsWith(host.ownDir + path.sep)) foreign.push(relative);
      for (const block of blocks) {
        const id = fingerprint(block);
        seen.set(id, [...(seen.get(id) ?? []), `${host.name}:${relative}`]);
      }
    }
    return { host: host.name, ownDir: host.ownDir, filesScanned, keyFiles, foreign };
  });
  const sharedKeys = [...seen.values()]
    .filter((places) => new Set(places.map((p) => p.split(':')[0])).size > 1)
    .map((places) => places.join(' = '));
  return {
    hosts: results,
    sharedKeys,
    ok: sharedKeys.length === 0 && results.every((r) => r.foreign.length === 0 && r.keyFiles > 0),
  };
}
