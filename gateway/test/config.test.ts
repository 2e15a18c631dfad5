import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config';

const dir = mkdtempSync(path.join(tmpdir(), 'hpf-gw-config-'));
const file = (name: string, content: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
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
  HPF_GW_ENDORSING_FALLBACK_MSPS: 'C110000MSP, C310000MSP',
  HPF_GW_REGULATOR_MSP_ID: 'RegulatorMSP',
  HPF_GW_DATA_DIR: dir,
};

function errorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      return err;
    }
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('parses a valid environment into a typed object', () => {
    const config = loadConfig(base);
    expect(config).toMatchObject({
      port: 8440,
      host: '127.0.0.1',
      centreCode: '440000',
      keyPath: path.join(keystore, 'abc_sk'),
      endorsingFallbackMsps: ['C110000MSP', 'C310000MSP'],
      logLevel: 'info',
      apiKeys: [{ id: 'ops', role: 'operator', sha256: hash, centre: '440000' }],
    });
    expect(config.pseudonymKey).toHaveLength(32);
  });

  it("binds each operator key to one centre of the gateway's province; auditor keys to none", () => {
    const keys = (entries: unknown[]): string => file('centre-keys.json', JSON.stringify(entries));
    const other = 'b'.repeat(64);
    const config = loadConfig({
      ...base,
      HPF_GW_API_KEYS_FILE: keys([
        { id: 'gz', role: 'operator', sha256: hash, centre: '440100' },
        { id: 'audit', role: 'auditor', sha256: other },
      ]),
    });
    expect(config.apiKeys.map((k) => [k.id, k.centre])).toEqual([
      ['gz', '440100'],
      ['audit', null],
    ]);
    for (const [entry, problem] of [
      [{ id: 'x', role: 'operator', sha256: hash, centre: '110000' }, 'not in this organisation'],
      [{ id: 'x', role: 'operator', sha256: hash, centre: '441000' }, 'known GB/T 2260 centre code'],
      [{ id: 'x', role: 'auditor', sha256: hash, centre: '440100' }, 'auditor key sees all'],
    ] as const) {
      const error = errorOf({ ...base, HPF_GW_API_KEYS_FILE: keys([entry]) });
      expect(error.variable).toBe('HPF_GW_API_KEYS_FILE');
      expect(error.message).toContain(problem);
    }
  });

  it.each([
    ['HPF_GW_PORT', undefined],
    ['HPF_GW_PORT', '70000'],
    ['HPF_GW_PEER_ENDPOINT', 'no-port'],
    ['HPF_GW_PEER_HOST_ALIAS', ''],
    ['HPF_GW_TLS_ROOT_CERT', '/nonexistent/tls.pem'],
    ['HPF_GW_MSP_ID', 'bad msp'],
    ['HPF_GW_KEY_PATH', dir],
    ['HPF_GW_CHANNEL', undefined],
    ['HPF_GW_API_KEYS_FILE', file('bad-role.json', '[{"id":"a","role":"admin","sha256":"' + hash + '"}]')],
    ['HPF_GW_API_KEYS_FILE', file('not-json.json', '{')],
    ['HPF_GW_API_KEYS_FILE', file('empty.json', '[]')],
    ['HPF_GW_PSEUDONYM_KEY_FILE', file('short.key', 'abcd')],
    ['HPF_GW_CENTRE_CODE', undefined],
    ['HPF_GW_CENTRE_CODE', '110100'],
    ['HPF_GW_ENDORSING_FALLBACK_MSPS', 'C1MSP,,'],
    ['HPF_GW_DATA_DIR', '/nonexistent/data'],
    ['HPF_GW_LOG_LEVEL', 'loud'],
    ['HPF_GW_PERSON_LOOKUPS_PER_MINUTE', '0'],
    ['HPF_GW_PERSON_LOOKUPS_PER_MINUTE', '300'], // more than the day's default 200
    ['HPF_GW_PERSON_LOOKUPS_PER_DAY', 'many'],
    ['HPF_GW_SSE_STREAMS_PER_KEY', '100'], // more than the gateway's default 64
    ['HPF_GW_SSE_STREAMS_PER_GATEWAY', '0'],
    ['HPF_GW_SSE_REPLAY_BLOCKS', '-5'],
  ])('names %s when it is %p', (variable, value) => {
    const error = errorOf({ ...base, [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
  });

  it('limits person lookups and event streams by default, and takes validated overrides', () => {
    expect(loadConfig(base)).toMatchObject({
      personLookupsPerMinute: 20,
      personLookupsPerDay: 200,
      sseStreamsPerKey: 4,
      sseStreamsPerGateway: 64,
      sseReplayBlocks: 10_000,
    });
    expect(
      loadConfig({
        ...base,
        HPF_GW_PERSON_LOOKUPS_PER_MINUTE: '5',
        HPF_GW_PERSON_LOOKUPS_PER_DAY: '50',
        HPF_GW_SSE_STREAMS_PER_KEY: '2',
        HPF_GW_SSE_STREAMS_PER_GATEWAY: '8',
        HPF_GW_SSE_REPLAY_BLOCKS: '100',
      }),
    ).toMatchObject({
      personLookupsPerMinute: 5,
      personLookupsPerDay: 50,
      sseStreamsPerKey: 2,
      sseStreamsPerGateway: 8,
      sseReplayBlocks: 100,
    });
  });

  it('the regulator gateway (empty centre code) must use the regulator MSP and auditor keys only', () => {
    expect(errorOf({ ...base, HPF_GW_CENTRE_CODE: '' }).variable).toBe('HPF_GW_CENTRE_CODE');
    expect(errorOf({ ...base, HPF_GW_CENTRE_CODE: '', HPF_GW_MSP_ID: 'RegulatorMSP' }).variable).toBe(
      'HPF_GW_API_KEYS_FILE',
    );
    const auditors = file('auditors.json', JSON.stringify([{ id: 'aud', role: 'auditor', sha256: hash }]));
    const config = loadConfig({
      ...base,
      HPF_GW_CENTRE_CODE: '',
      HPF_GW_MSP_ID: 'RegulatorMSP',
      HPF_GW_API_KEYS_FILE: auditors,
    });
    expect(config.centreCode).toBeNull();
  });
});
