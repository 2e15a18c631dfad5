import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadDefinition, type Consortium } from '../src/definition';
import type { FabricInstall } from '../src/fabric-bin';
import { Layout, REPO_ROOT } from '../src/layout';
import { GATEWAY_MALLOC_ENV, GATEWAY_NODE_FLAGS } from '../src/gateways';
import { hardening, RESTART, SERVICE_USER, unitsFor, type UnitFile } from '../src/systemd';

/**
 * The systemd units generated from a definition: the same commands as the supervisor's, restarted on
 * failure with a bounded rate. Checked with `systemd-analyze verify` where it exists (the binaries
 * they start are stubs here, but real files); otherwise by structure.
 */

let dir: string;
let consortium: Consortium;
let layout: Layout;
let fabric: FabricInstall;

function systemdAnalyze(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** Parses `[Section]` / `Key=Value` lines; repeated keys keep every value. */
function parse(text: string): Map<string, string[]> {
  const entries = new Map<string, string[]>();
  let section = '';
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      section = header[1] ?? '';
      continue;
    }
    const eq = line.indexOf('=');
    expect(eq).toBeGreaterThan(0);
    const key = `${section}.${line.slice(0, eq)}`;
    entries.set(key, [...(entries.get(key) ?? []), line.slice(eq + 1)]);
  }
  return entries;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hpf-systemd-'));
  const definition = path.join(dir, 'consortium.yaml');
  writeFileSync(
    definition,
    [
      'channel: hpf',
      "chaincode: { name: hpf, label: hpf_1, version: '1.0' }",
      'orderers: { mspId: OrdererMSP, nodes: 3 }',
      'regulator: { mspId: RegulatorMSP, name: 全国住房公积金监管服务平台 }',
      'organisations:',
      "  - { code: '110000', mspId: C110000MSP, name: 北京住房公积金管理中心 }",
      "  - { code: '310000', mspId: C310000MSP, name: 上海市公积金管理中心 }",
      'host: 127.0.0.1',
      'basePort: 25000',
      `dataDir: ${path.join(dir, 'data')}`,
      '',
    ].join('\n'),
  );
  consortium = loadDefinition(definition, REPO_ROOT);
  layout = new Layout(consortium);
  // The gateway's unit names its user's certificate file: give every org one.
  for (const org of consortium.orgs) {
    mkdirSync(layout.user(org).signcertsDir, { recursive: true });
    writeFileSync(path.join(layout.user(org).signcertsDir, 'User1-cert.pem'), '');
  }
  const binDir = path.join(dir, 'bin');
  mkdirSync(binDir);
  for (const tool of ['peer', 'orderer']) {
    writeFileSync(path.join(binDir, tool), '#!/bin/sh\nexit 0\n');
    chmodSync(path.join(binDir, tool), 0o755);
  }
  fabric = { binDir, configDir: dir, release: 'v3.1.1', commit: 'test', source: 'cache' };
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function generate(): { centre: UnitFile[]; regulator: UnitFile[]; orderers: UnitFile[] } {
  const source = 'consortium.yaml';
  return {
    centre: unitsFor({
      consortium,
      layout,
      fabric,
      packageId: 'hpf_1:abc',
      target: { kind: 'centre', code: '110000' },
      source,
    }),
    regulator: unitsFor({
      consortium,
      layout,
      fabric,
      packageId: 'hpf_1:abc',
      target: { kind: 'regulator' },
      source,
    }),
    orderers: unitsFor({
      consortium,
      layout,
      fabric,
      packageId: 'hpf_1:abc',
      target: { kind: 'orderers' },
      source,
    }),
  };
}

describe('systemd units', () => {
  it('gives a centre its peer, chaincode server and gateway, and the orderer org its orderers', () => {
    const { centre, regulator, orderers } = generate();
    expect(centre.map((u) => u.name)).toEqual([
      'hpf-peer0-c110000.service',
      'hpf-chaincode-c110000.service',
      'hpf-gateway-c110000.service',
    ]);
    expect(regulator).toHaveLength(3);
    expect(orderers.map((u) => u.name)).toEqual([
      'hpf-orderer0.service',
      'hpf-orderer1.service',
      'hpf-orderer2.service',
    ]);
  });

  it('restarts on failure with a bounded rate, starts the same command as the supervisor, in dependency order', () => {
    const { centre } = generate();
    const [peer, chaincode, gateway] = centre.map((u) => parse(u.text));
    for (const unit of [peer!, chaincode!, gateway!]) {
      expect(unit.get('Service.Restart')).toEqual(['on-failure']);
      expect(unit.get('Service.RestartSec')).toEqual([`${RESTART.restartSec}s`]);
      expect(unit.get('Unit.StartLimitBurst')).toEqual([String(RESTART.startLimitBurst)]);
      expect(unit.get('Unit.StartLimitIntervalSec')).toEqual([String(RESTART.startLimitIntervalSec)]);
      expect(unit.get('Install.WantedBy')).toEqual(['multi-user.target']);
    }
    expect(peer!.get('Service.ExecStart')).toEqual([`${path.join(fabric.binDir, 'peer')} node start`]);
    expect(gateway!.get('Service.ExecStart')?.[0]).toBe(
      [process.execPath, ...GATEWAY_NODE_FLAGS, path.join(REPO_ROOT, 'gateway', 'dist', 'main.js')].join(' '),
    );
    expect(gateway!.get('Unit.After')?.[0]).toContain('hpf-peer0-c110000.service');
    expect(gateway!.get('Service.Environment')).toContain('"HPF_GW_CENTRE_CODE=110000"');
    // The gateway's malloc settings reach the unit as they reach the supervisor's processes.
    for (const [name, value] of Object.entries(GATEWAY_MALLOC_ENV)) {
      expect(gateway!.get('Service.Environment')).toContain(`"${name}=${value}"`);
    }
    expect(Object.keys(GATEWAY_MALLOC_ENV)).toEqual([
      'MALLOC_ARENA_MAX',
      'MALLOC_MMAP_THRESHOLD_',
      'MALLOC_TRIM_THRESHOLD_',
    ]);
    // JSON in an environment value is quoted with C escapes.
    expect(
      peer!.get('Service.Environment')?.find((e) => e.startsWith('"CORE_CHAINCODE_EXTERNALBUILDERS=')),
    ).toMatch(/^"CORE_CHAINCODE_EXTERNALBUILDERS=\[\{\\"name\\":\\"hpf-ccaas\\"/);
  });

  it('runs every unit as the dedicated user, sandboxed, writable only where it writes', () => {
    const { centre, orderers } = generate();
    const units = [...centre, ...orderers].map((u) => ({ name: u.name, unit: parse(u.text) }));
    for (const { name, unit } of units) {
      const one = (key: string): string | undefined => {
        const values = unit.get(`Service.${key}`);
        return values === undefined ? undefined : values.join(' | ');
      };
      expect({
        name,
        user: one('User'),
        group: one('Group'),
        noNewPrivileges: one('NoNewPrivileges'),
        capabilities: one('CapabilityBoundingSet'),
        ambient: one('AmbientCapabilities'),
        protectSystem: one('ProtectSystem'),
        protectHome: one('ProtectHome'),
        privateDevices: one('PrivateDevices'),
        privateUsers: one('PrivateUsers'),
        kernel: [one('ProtectKernelTunables'), one('ProtectKernelModules'), one('ProtectKernelLogs')],
        controlGroups: one('ProtectControlGroups'),
        families: one('RestrictAddressFamilies'),
        namespaces: one('RestrictNamespaces'),
        syscalls: one('SystemCallFilter'),
        architectures: one('SystemCallArchitectures'),
      }).toEqual({
        name,
        user: SERVICE_USER,
        group: SERVICE_USER,
        noNewPrivileges: 'yes',
        capabilities: '',
        ambient: '',
        protectSystem: 'strict',
        // The stub data dir is under /tmp: visible (no private /tmp); nothing needed under a home.
        protectHome: expect.stringMatching(/^(yes|read-only)$/),
        privateDevices: 'yes',
        privateUsers: 'yes',
        kernel: ['yes', 'yes', 'yes'],
        controlGroups: 'yes',
        families: 'AF_INET AF_INET6 AF_UNIX',
        namespaces: 'yes',
        syscalls: '@system-service | ~@privileged @resources',
        architectures: 'native',
      });
    }
    const [peer, chaincode, gateway] = centre.map((u) => parse(u.text));
    expect(peer!.get('Service.ReadWritePaths')).toEqual([layout.nodeDir('peer0-c110000')]);
    expect(chaincode!.get('Service.ReadWritePaths')).toBeUndefined();
    expect(gateway!.get('Service.ReadWritePaths')).toEqual([layout.gatewayDir(consortium.centres[0]!)]);
    expect(parse(orderers[0]!.text).get('Service.ReadWritePaths')).toEqual([layout.nodeDir('orderer0')]);
    // V8 needs writable executable memory: only the orderer (Go, no Node children) forbids it.
    expect(parse(orderers[0]!.text).get('Service.MemoryDenyWriteExecute')).toEqual(['yes']);
    for (const unit of [peer!, chaincode!, gateway!])
      expect(unit.get('Service.MemoryDenyWriteExecute')).toBeUndefined();
    // The data dir lies under /tmp here, so the unit keeps the real /tmp; the PATH is not the shell's.
    expect(gateway!.get('Service.PrivateTmp')).toEqual(['no']);
    expect(gateway!.get('Service.Environment')).toContain(
      `"PATH=${path.dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"`,
    );
  });

  it('hides home directories and gives a private /tmp unless the process needs a file there', () => {
    const spec = {
      name: 'x',
      command: '/opt/hpf/bin/peer',
      args: ['node', 'start'],
      cwd: '/srv/hpf/nodes/x',
    };
    const sandbox = { writable: ['/srv/hpf/nodes/x'], noWritableExecutable: false };
    const directives = (env: Record<string, string>, command = spec.command): string[] =>
      hardening({ ...spec, command, env }, sandbox).filter((d) => /^(ProtectHome|PrivateTmp)=/.test(d));
    // HOME and the shell's PATH do not count; the Node runtime's directory (PATH's first entry) does.
    expect(directives({ HOME: '/root', PATH: '/opt/node/bin:/root/go/bin:/usr/bin' })).toEqual([
      'ProtectHome=yes',
      'PrivateTmp=yes',
    ]);
    expect(directives({ PATH: '/root/.nvm/bin:/usr/bin' })).toEqual([
      'ProtectHome=read-only',
      'PrivateTmp=yes',
    ]);
    expect(directives({ CORE_PEER_MSPCONFIGPATH: '/home/ops/hpf/msp' })).toEqual([
      'ProtectHome=read-only',
      'PrivateTmp=yes',
    ]);
    expect(directives({}, '/root/.cache/hpf-fabric/bin/peer')).toEqual([
      'ProtectHome=read-only',
      'PrivateTmp=yes',
    ]);
    expect(directives({ FABRIC_CFG_PATH: '/tmp/hpf/config' })).toEqual(['ProtectHome=yes', 'PrivateTmp=no']);
  });

  const analyze = systemdAnalyze();
  (analyze === null ? it.skip : it)('passes systemd-analyze verify', () => {
    const { centre, regulator, orderers } = generate();
    const out = path.join(dir, 'units');
    mkdirSync(out, { recursive: true });
    const files = [...centre, ...regulator, ...orderers].map((u) => {
      writeFileSync(path.join(out, u.name), u.text);
      return path.join(out, u.name);
    });
    const result = spawnSync(analyze!, ['verify', '--man=no', ...files], { encoding: 'utf8' });
    const output = `${result.stdout}${result.stderr}`;
    // Any complaint (unknown key, bad value, missing executable) names the unit file.
    expect({ status: result.status, output }).toEqual({
      status: 0,
      output: expect.not.stringMatching(/hpf-/),
    });
  });
});
