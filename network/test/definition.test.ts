import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefinitionError, loadDefinition, validateDefinition } from '../src/definition';

/** A valid definition, rebuilt for each test so that mutations never leak. */
function valid(): Record<string, unknown> & { organisations: Record<string, unknown>[] } {
  return {
    channel: 'hpf',
    chaincode: { name: 'hpf', label: 'hpf_1' },
    orderers: { mspId: 'OrdererMSP', nodes: 1 },
    regulator: { mspId: 'RegulatorMSP', name: '全国住房公积金监管服务平台' },
    organisations: [
      { code: '110000', mspId: 'C110000MSP', name: '北京住房公积金管理中心' },
      { code: '310000', mspId: 'C310000MSP', name: '上海市公积金管理中心' },
      { code: '440000', mspId: 'C440000MSP', name: '广东省住房公积金管理中心' },
    ],
    host: '127.0.0.1',
    basePort: 17000,
    dataDir: '.hpf',
  };
}

function issuesOf(content: unknown): readonly string[] {
  try {
    validateDefinition(content, '/repo');
  } catch (error) {
    expect(error).toBeInstanceOf(DefinitionError);
    return (error as DefinitionError).issues;
  }
  throw new Error('expected the definition to be rejected');
}

describe('consortium definition', () => {
  it('accepts the default shape and derives ports, hosts and an absolute data dir', () => {
    const consortium = validateDefinition(valid(), '/repo');
    expect(consortium.dataDir).toBe('/repo/.hpf');
    expect(consortium.orgs.map((o) => o.mspId)).toEqual([
      'RegulatorMSP',
      'C110000MSP',
      'C310000MSP',
      'C440000MSP',
    ]);
    expect(consortium.ordererOrg.nodes[0]?.ports).toEqual({ listen: 17000, admin: 17001, operations: 17002 });
    expect(consortium.centres[0]).toMatchObject({
      code: '110000',
      key: 'c110000',
      ports: { peer: 17110, gateway: 17114 },
    });
    expect(consortium.regulator.code).toBeNull();
    expect(consortium.rules).toEqual({ evidenceWindowMonths: 12, multiCentreAlertThreshold: 2 });
  });

  it('lists the centres each organisation hosts; one of its own code when it lists none', () => {
    const content = valid();
    content.organisations[2] = {
      code: '440000',
      mspId: 'C440000MSP',
      name: '广东省',
      centres: [
        { code: '440000', name: '广东省住房公积金管理中心' },
        { code: '440100', name: '广州住房公积金管理中心' },
        { code: '440300', name: '深圳市住房公积金管理中心' },
      ],
    };
    const consortium = validateDefinition(content, '/repo');
    expect(consortium.centres[2]?.centres.map((c) => c.code)).toEqual(['440000', '440100', '440300']);
    expect(consortium.centres[0]?.centres).toEqual([{ code: '110000', name: '北京住房公积金管理中心' }]);
    expect(consortium.regulator.centres).toEqual([]);
  });

  it('refuses a centre code outside the table, of another province or listed twice, naming the field', () => {
    const content = valid();
    content.organisations[2] = {
      code: '440000',
      mspId: 'C440000MSP',
      name: '广东省',
      centres: [
        { code: '440000', name: '省直' },
        { code: '441000', name: '不存在' },
        { code: '320500', name: '苏州' },
        { code: '440000', name: '重复' },
      ],
    };
    const issues = issuesOf(content);
    expect(issues).toContainEqual(
      expect.stringMatching(
        /^organisations\[2\]\.centres\[1\]\.code: must be a known GB\/T 2260 centre code/,
      ),
    );
    content.organisations[2] = {
      ...content.organisations[2],
      centres: [
        { code: '440000', name: '省直' },
        { code: '320500', name: '苏州' },
        { code: '440000', name: '重复' },
      ],
    };
    expect(issuesOf(content)).toEqual([
      'organisations[2].centres[1].code: centre 320500 is not in the province of 440000 (C440000MSP)',
      'organisations[2].centres[2].code: duplicate centre code 440000 (also organisations[2].centres[0].code)',
    ]);
  });

  it('loads the national definition: 31 organisations hosting 364 centres', () => {
    const consortium = loadDefinition(path.join(__dirname, '..', 'consortium-national.yaml'), '/repo', {
      includeJoined: false,
    });
    expect(consortium.centres).toHaveLength(31);
    expect(consortium.centres.reduce((n, org) => n + org.centres.length, 0)).toBe(364);
    expect(consortium.centres.find((o) => o.code === '440000')?.centres.map((c) => c.code)).toContain(
      '440300',
    );
  });

  it('accepts 3 Raft orderers', () => {
    const content = { ...valid(), orderers: { mspId: 'OrdererMSP', nodes: 3 } };
    expect(validateDefinition(content, '/repo').ordererOrg.nodes.map((n) => n.ports.listen)).toEqual([
      17000, 17010, 17020,
    ]);
  });

  it('rejects a duplicate centre code, naming the field', () => {
    const content = valid();
    content.organisations.push({ code: '110000', mspId: 'C110000MSP', name: '重复' });
    expect(issuesOf(content)).toContain(
      'organisations[3].code: duplicate centre code 110000 (also organisations[0].code)',
    );
  });

  it('rejects a duplicate MSP ID, naming the field', () => {
    const content = { ...valid(), regulator: { mspId: 'OrdererMSP', name: 'x' } };
    expect(issuesOf(content)).toContain('regulator.mspId: duplicate MSP ID OrdererMSP (also orderers.mspId)');
    const centres = valid();
    centres.organisations[1] = { code: '310000', mspId: 'C110000MSP', name: 'x' };
    expect(issuesOf(centres)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^organisations\[1\]\.mspId: duplicate MSP ID C110000MSP/),
      ]),
    );
  });

  it('rejects a centre MSP ID that does not match its code', () => {
    const content = valid();
    content.organisations[2] = { code: '440000', mspId: 'GuangdongMSP', name: 'x' };
    expect(issuesOf(content)).toContain(
      'organisations[2].mspId: must be C440000MSP for organisation code 440000',
    );
  });

  it('rejects duplicate (overlapping) ports, naming both fields', () => {
    const content = valid();
    content.organisations[1] = { code: '310000', mspId: 'C310000MSP', name: 'x', basePort: 17110 };
    expect(issuesOf(content)).toContain(
      'organisations[1].basePort: duplicate ports 17110-17119 overlap organisations[0] (from basePort) (17110-17119)',
    );
  });

  it('rejects ports above 32767 and below 1024', () => {
    expect(issuesOf({ ...valid(), basePort: 32700 })).toEqual(
      expect.arrayContaining([expect.stringMatching(/go above 32767/)]),
    );
    expect(issuesOf({ ...valid(), basePort: 80 })).toContain('basePort: must be at least 1024');
  });

  it.each([
    ['11000', 'must be a 6-digit GB/T 2260 division code'],
    ['11000A', 'must be a 6-digit GB/T 2260 division code'],
    ['110100', 'must be a province-level GB/T 2260 code such as 110000'],
    ['990000', 'must be a province-level GB/T 2260 code such as 110000'],
  ])('rejects the malformed centre code %s', (code, message) => {
    const content = valid();
    content.organisations[0] = { code, mspId: `C${code}MSP`, name: 'x' };
    expect(issuesOf(content)).toContain(`organisations[0].code: ${message}`);
  });

  it('rejects unknown keys at any depth', () => {
    expect(issuesOf({ ...valid(), colour: 'red' })).toContain('colour: unknown key');
    const content = valid();
    content.organisations[0] = { code: '110000', mspId: 'C110000MSP', name: 'x', port: 1 };
    expect(issuesOf(content)).toContain('organisations[0].port: unknown key');
  });

  it('rejects missing fields', () => {
    const { channel: _channel, ...noChannel } = valid();
    expect(issuesOf(noChannel)).toContain('channel: is required');
    const content = valid();
    content.organisations[0] = { code: '110000', mspId: 'C110000MSP' };
    expect(issuesOf(content)).toContain('organisations[0].name: is required');
  });

  it('gives every organisation the definition host unless it names its own', () => {
    const content = valid();
    content.organisations[1] = { ...content.organisations[1], host: 'gjj.sh.example.cn' };
    const consortium = validateDefinition(
      { ...content, orderers: { mspId: 'OrdererMSP', nodes: 1, host: '10.231.0.10' } },
      '/repo',
    );
    expect(consortium.centres.map((c) => c.address)).toEqual(['127.0.0.1', 'gjj.sh.example.cn', '127.0.0.1']);
    expect(consortium.regulator.address).toBe('127.0.0.1');
    expect(consortium.ordererOrg.nodes[0]?.address).toBe('10.231.0.10');
    const { host: _host, ...noHost } = valid();
    expect(validateDefinition(noHost, '/repo').centres[0]?.address).toBe('127.0.0.1');
  });

  it('rejects a host that is not an IPv4 address or a DNS name, naming the field', () => {
    expect(issuesOf({ ...valid(), host: '0.0.0.0' })).toContain(
      'host: must be an address others can reach, not the wildcard 0.0.0.0',
    );
    expect(issuesOf({ ...valid(), host: '::1' })).toContain(
      'host: must be an IPv4 address or a DNS name (IPv6 is not supported)',
    );
    const content = valid();
    content.organisations[2] = { ...content.organisations[2], host: 'bad host!' };
    expect(
      issuesOf({ ...content, regulator: { mspId: 'RegulatorMSP', name: 'r', host: '10.0.0.300' } }),
    ).toEqual([
      'regulator.host: must be an IPv4 address or a DNS name (letters, digits and -, dot-separated labels)',
      'organisations[2].host: must be an IPv4 address or a DNS name (letters, digits and -, dot-separated labels)',
    ]);
    expect(issuesOf({ ...valid(), orderers: { mspId: 'OrdererMSP', nodes: 1, host: '' } })).toContain(
      'orderers.host: must not be empty',
    );
  });

  it('rejects an unsupported orderer count', () => {
    expect(issuesOf({ ...valid(), orderers: { mspId: 'OrdererMSP', nodes: 2 } })).toContain(
      'orderers.nodes: must be 1, 3 or 5 Raft nodes',
    );
  });

  it('rejects a consortium with fewer than 2 centres', () => {
    const content = valid();
    content.organisations.splice(1);
    expect(issuesOf(content)).toContain('organisations: a consortium needs at least 2 organisations');
  });

  it('reports YAML syntax errors and duplicate YAML keys with the file name', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hpf-def-'));
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'channel: hpf\nchannel: other\n');
    expect(() => loadDefinition(file, dir)).toThrow(/bad\.yaml[\s\S]*\(yaml\): .*[Mm]ap keys must be unique/);
    expect(() => loadDefinition(path.join(dir, 'missing.yaml'), dir)).toThrow(/\(file\): cannot be read/);
  });
});
