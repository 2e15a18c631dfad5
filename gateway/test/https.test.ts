import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config';
import { serve } from '../src/server';
import { AUDITOR_KEY, buildApp } from './support/test-app';
import { LedgerIndex } from '../src/services/ledger-index';

/**
 * HTTPS whenever the gateway binds an address other machines reach, and the operations listener:
 * validated at start-up (HPF_GW_HTTPS_CERT / HPF_GW_HTTPS_KEY, HPF_GW_OPERATIONS_*), then served.
 * The TLS pairs are made here with the openssl command line (a CA and a server certificate it signs).
 */

const dir = mkdtempSync(path.join(tmpdir(), 'hpf-gw-https-'));
const file = (name: string, content: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};
const openssl = (...args: string[]): void => {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
};
const keystore = path.join(dir, 'keystore');
mkdirSync(keystore);
file('keystore/abc_sk', 'key');
const hash = createHash('sha256').update('k'.repeat(32)).digest('hex');

const base: Record<string, string> = {
  HPF_GW_PORT: '8440',
  HPF_GW_PEER_ENDPOINT: '127.0.0.1:17051',
  HPF_GW_PEER_HOST_ALIAS: 'peer0.c440000',
  HPF_GW_TLS_ROOT_CERT: file('tls.pem', 'cert'),
  HPF_GW_MSP_ID: 'C440000MSP',
  HPF_GW_CERT_PATH: file('cert.pem', 'cert'),
  HPF_GW_KEY_PATH: keystore,
  HPF_GW_CHANNEL: 'hpf',
  HPF_GW_CHAINCODE: 'hpf',
  HPF_GW_API_KEYS_FILE: file('keys.json', JSON.stringify([{ id: 'ops', role: 'operator', sha256: hash }])),
  HPF_GW_PSEUDONYM_KEY_FILE: file('pseudonym.key', 'ab'.repeat(32)),
  HPF_GW_CENTRE_CODE: '440000',
  HPF_GW_REGULATOR_MSP_ID: 'RegulatorMSP',
  HPF_GW_DATA_DIR: dir,
};

function errorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

beforeAll(() => {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=test CA');
  openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=gateway');
  file('san.ext', 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  );
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', 'other.key');
});

const pair = (): Record<string, string> => ({
  HPF_GW_HTTPS_CERT: path.join(dir, 'server.crt'),
  HPF_GW_HTTPS_KEY: path.join(dir, 'server.key'),
});

describe('HTTPS and the operations listener in the configuration', () => {
  it('refuses a non-loopback bind without a TLS pair, naming both variables', () => {
    const err = errorOf({ ...base, HPF_GW_HOST: '10.231.0.12' });
    expect(err.variable).toBe('HPF_GW_HTTPS_CERT');
    expect(err.message).toContain('10.231.0.12, which is not a loopback address');
    expect(err.message).toContain('HPF_GW_HTTPS_KEY');
    // A DNS name is not loopback either.
    expect(errorOf({ ...base, HPF_GW_HOST: 'gw.c440000.example' }).variable).toBe('HPF_GW_HTTPS_CERT');
  });

  it('serves plain HTTP on loopback unless a pair is given; HTTPS with a valid pair anywhere', () => {
    expect(loadConfig(base).https).toBeNull();
    expect(loadConfig({ ...base, HPF_GW_HOST: '127.0.0.2' }).https).toBeNull();
    const https = loadConfig({ ...base, HPF_GW_HOST: '10.231.0.12', ...pair() }).https;
    expect(https?.certPath).toBe(path.join(dir, 'server.crt'));
    expect(https?.cert.toString()).toContain('BEGIN CERTIFICATE');
    expect(loadConfig({ ...base, ...pair() }).https).not.toBeNull();
  });

  it('refuses half a pair, a missing file and a key that does not match the certificate', () => {
    expect(errorOf({ ...base, HPF_GW_HTTPS_CERT: pair().HPF_GW_HTTPS_CERT }).variable).toBe(
      'HPF_GW_HTTPS_KEY',
    );
    expect(errorOf({ ...base, HPF_GW_HTTPS_KEY: pair().HPF_GW_HTTPS_KEY }).variable).toBe(
      'HPF_GW_HTTPS_CERT',
    );
    expect(errorOf({ ...base, ...pair(), HPF_GW_HTTPS_CERT: path.join(dir, 'none.crt') }).message).toMatch(
      /^HPF_GW_HTTPS_CERT: .*none\.crt is not a readable file$/,
    );
    const mismatch = errorOf({ ...base, ...pair(), HPF_GW_HTTPS_KEY: path.join(dir, 'other.key') });
    expect(mismatch.variable).toBe('HPF_GW_HTTPS_KEY');
    expect(mismatch.message).toContain('not a matching PEM key and certificate');
  });

  it('puts the operations listener on loopback by default; elsewhere it needs the TLS pair too', () => {
    expect(loadConfig(base)).toMatchObject({ operationsPort: null, operationsHost: '127.0.0.1' });
    expect(loadConfig({ ...base, HPF_GW_OPERATIONS_PORT: '8449' })).toMatchObject({
      operationsPort: 8449,
      operationsHost: '127.0.0.1',
    });
    expect(
      errorOf({ ...base, HPF_GW_OPERATIONS_PORT: '8449', HPF_GW_OPERATIONS_HOST: '10.231.0.12' }).variable,
    ).toBe('HPF_GW_HTTPS_CERT');
    expect(errorOf({ ...base, HPF_GW_OPERATIONS_PORT: '8440' }).message).toBe(
      'HPF_GW_OPERATIONS_PORT: must differ from HPF_GW_PORT',
    );
    expect(errorOf({ ...base, HPF_GW_OPERATIONS_PORT: 'metrics' }).variable).toBe('HPF_GW_OPERATIONS_PORT');
    expect(errorOf({ ...base, HPF_GW_CONSOLE_SESSIONS_PER_KEY: '0' }).message).toBe(
      'HPF_GW_CONSOLE_SESSIONS_PER_KEY: must be an integer from 1 to 100',
    );
  });
});

/** One request over TLS trusting only `ca`; the status, headers and body. */
function get(
  url: string,
  ca: Buffer,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca, method: init.method ?? 'GET', headers: init.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('the gateway over HTTPS', () => {
  it('answers over TLS with a certificate the CA verifies, refuses plain HTTP, and sets a Secure console cookie', async () => {
    const config = loadConfig({ ...base, ...pair() });
    const { app } = buildApp(
      { secureCookies: config.https !== null },
      { index: new LedgerIndex({ file: ':memory:' }) },
    );
    const server = serve({ https: config.https, host: '127.0.0.1' }, app);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const ca = readFileSync(path.join(dir, 'ca.crt'));
    try {
      const health = await get(`https://127.0.0.1:${port}/healthz`, ca);
      expect(health.status).toBe(200);
      expect(health.headers['strict-transport-security']).toBeDefined();
      const signIn = await get(`https://127.0.0.1:${port}/console/sign-in`, ca, {
        method: 'POST',
        body: `apiKey=${AUDITOR_KEY}`,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: `https://127.0.0.1:${port}`,
        },
      });
      expect(signIn.status).toBe(303);
      expect(String(signIn.headers['set-cookie'])).toMatch(/; HttpOnly; Secure; SameSite=Strict;/);
      // Another CA's client does not trust it; a plain-HTTP client gets no HTTP answer.
      await expect(
        get(`https://127.0.0.1:${port}/healthz`, readFileSync(path.join(dir, 'server.crt'))),
      ).rejects.toThrow();
      const plain = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.status,
        () => 'refused',
      );
      expect(plain).not.toBe(200);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });
});
