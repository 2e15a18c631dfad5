import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scanKeys } from './key-scan';

function newKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

describe('the rehearsal key scan', () => {
  let root: string;
  const own = path.join('crypto', 'own');
  const hosts = (): { name: string; dataDir: string; ownDir: string }[] =>
    ['a', 'b'].map((name) => ({ name, dataDir: path.join(root, name), ownDir: own }));
  const put = (host: string, relative: string, text: string): void => {
    const file = path.join(root, host, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  };

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'hpf-keyscan-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('passes hosts holding only their own keys, also copied JSON-escaped elsewhere', () => {
    const a = newKey();
    put('a', path.join(own, 'keystore', 'priv_sk'), a);
    put('a', path.join('nodes', 'peer', 'connection.json'), JSON.stringify({ client_key: a }));
    put('b', path.join(own, 'tls', 'server.key'), newKey());
    const scan = scanKeys(hosts());
    expect(scan.ok).toBe(true);
    expect(scan.hosts.map((h) => h.keyFiles)).toEqual([2, 1]);
  });

  it("fails a host holding another host's key, whatever the file is called", () => {
    const a = newKey();
    put('a', path.join(own, 'keystore', 'priv_sk'), a);
    put('b', path.join(own, 'keystore', 'priv_sk'), newKey());
    put('b', path.join('backup', 'notes.txt'), `kept for later\n${a}`);
    const scan = scanKeys(hosts());
    expect(scan.ok).toBe(false);
    expect(scan.hosts[1]?.foreign).toEqual([path.join('backup', 'notes.txt')]);
    expect(scan.sharedKeys).toHaveLength(1);
  });

  it('fails a key block it cannot parse, and a host with no key of its own', () => {
    put(
      'a',
      path.join(own, 'priv_sk'),
      '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n',
    );
    const scan = scanKeys(hosts());
    expect(scan.ok).toBe(false);
    expect(scan.hosts[0]?.unparsed).toEqual([path.join(own, 'priv_sk')]);
    expect(scan.hosts[1]?.keyFiles).toBe(0);
  });
});
