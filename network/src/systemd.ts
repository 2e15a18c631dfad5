import { chaincodeServerSpec } from './chaincode-deploy';
import type { Consortium, OrgDefinition } from './definition';
import type { FabricInstall } from './fabric-bin';
import { gatewaySpec } from './gateways';
import type { Layout } from './layout';
import { ordererSpec, peerSpec } from './nodes';
import type { ProcessSpec } from './processes';

/**
 * systemd unit files for a real deployment: the same start commands as the local supervisor
 * (`consortiumSpecs`), one unit per process of one organisation (peer, chaincode server, gateway; the
 * orderers for the orderer org), with `Restart=on-failure` and a bounded restart rate, as the
 * supervisor does (`StartLimitBurst` restarts within `StartLimitIntervalSec`, then the unit fails).
 *
 * Every unit runs as the dedicated user {@link SERVICE_USER}, sandboxed ({@link hardening}): no
 * capabilities, no new privileges, the file system read-only but for the one directory the process
 * writes, no devices, no kernel tunables, modules or logs, IPv4/IPv6/Unix sockets only, and the
 * `@system-service` system calls.
 */

export type UnitTarget =
  | { readonly kind: 'centre'; readonly code: string }
  | { readonly kind: 'regulator' }
  | { readonly kind: 'orderers' };

export interface UnitFile {
  /** File name, e.g. `hpf-peer0-c110000.service`. */
  readonly name: string;
  readonly text: string;
}

export const RESTART = { restartSec: 2, startLimitIntervalSec: 60, startLimitBurst: 5 } as const;

/** The system user every unit runs as (the bundle's start.sh creates it and gives it the data dir). */
export const SERVICE_USER = 'hpf';

export interface Sandbox {
  /** The directories the process writes (its ledger, its index); everything else is read-only. */
  readonly writable: readonly string[];
  /**
   * Forbid memory that is writable and executable: only for Go binaries without Node children (the
   * orderer). V8's JIT needs it, so not for Node processes or the peer (its builders run Node).
   */
  readonly noWritableExecutable: boolean;
}

/** Directories systemd's ProtectHome=yes hides, and those PrivateTmp=yes replaces. */
const HOME_DIRS = ['/home', '/root', '/run/user'];
const TMP_DIRS = ['/tmp', '/var/tmp'];

function under(dirs: readonly string[], file: string): boolean {
  return dirs.some((dir) => file === dir || file.startsWith(`${dir}/`));
}

/**
 * The sandbox directives of a unit. ProtectHome is `yes` unless the process needs a file under a home
 * directory (its binary, working directory, a path in its environment but HOME, or a writable
 * directory: say the Fabric binaries in ~/.cache), then `read-only`; PrivateTmp is `yes` unless it
 * needs one under /tmp or /var/tmp.
 */
export function hardening(spec: ProcessSpec, sandbox: Sandbox): string[] {
  // HOME is only inherited, never read: it does not count.
  const env = Object.entries(unitEnv(spec.env)).flatMap(([key, value]) => (key === 'HOME' ? [] : [value]));
  const paths = [spec.command, spec.cwd, ...sandbox.writable, ...env, ...spec.args]
    .flatMap((value) => value.split(/[:,=]/))
    .filter((value) => value.startsWith('/'));
  return [
    `User=${SERVICE_USER}`,
    `Group=${SERVICE_USER}`,
    'UMask=0077',
    'NoNewPrivileges=yes',
    'CapabilityBoundingSet=',
    'AmbientCapabilities=',
    'ProtectSystem=strict',
    ...(sandbox.writable.length === 0 ? [] : [`ReadWritePaths=${sandbox.writable.map(pathWord).join(' ')}`]),
    `ProtectHome=${paths.some((p) => under(HOME_DIRS, p)) ? 'read-only' : 'yes'}`,
    // A data dir under /tmp (a test consortium) must stay visible: no private /tmp then.
    `PrivateTmp=${paths.some((p) => under(TMP_DIRS, p)) ? 'no' : 'yes'}`,
    'PrivateMounts=yes',
    'PrivateDevices=yes',
    'PrivateUsers=yes',
    'ProtectHostname=yes',
    'ProtectClock=yes',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    'ProtectProc=invisible',
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX',
    'RestrictNamespaces=yes',
    'RestrictRealtime=yes',
    'RestrictSUIDSGID=yes',
    'LockPersonality=yes',
    ...(sandbox.noWritableExecutable ? ['MemoryDenyWriteExecute=yes'] : []),
    'RemoveIPC=yes',
    'KeyringMode=private',
    'SystemCallArchitectures=native',
    'SystemCallFilter=@system-service',
    'SystemCallFilter=~@privileged @resources',
    // A refused call fails with EPERM rather than killing the process (Node probes setrlimit at start).
    'SystemCallErrorNumber=EPERM',
  ];
}

export function unitName(processName: string): string {
  return `hpf-${processName}.service`;
}

/** `%` starts a specifier in every unit setting. */
function noSpecifiers(value: string): string {
  return value.replaceAll('%', '%%');
}

/** One word of ExecStart=: quoted when needed, with `$` (variable expansion) doubled. */
function execWord(word: string): string {
  const escaped = noSpecifiers(word).replaceAll('$', '$$$$');
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(escaped)
    ? escaped
    : `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * A unit's environment: the supervisor's, but PATH is the Node runtime's directory (its first entry,
 * for the peer's builders) and the system directories, not whatever shell ran the generator.
 */
function unitEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  if (env.PATH === undefined) return { ...env };
  return { ...env, PATH: `${env.PATH.split(':')[0] ?? ''}:${SYSTEM_PATH}` };
}

/** One path of a path-list setting (ReadWritePaths=): quoted when it holds white space or quotes. */
function pathWord(file: string): string {
  const escaped = noSpecifiers(file);
  return /^[^\s"'\\]+$/.test(escaped)
    ? escaped
    : `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** One Environment= assignment, quoted (C-style escapes inside the quotes). */
function environmentLine(key: string, value: string): string {
  if (/[\n\r]/.test(value)) throw new Error(`environment value of ${key} spans lines`);
  const quoted = noSpecifiers(`${key}=${value}`).replaceAll('\\', '\\\\').replaceAll('"', '\\"');
  return `Environment="${quoted}"`;
}

export function unitText(
  spec: ProcessSpec,
  options: { description: string; after?: readonly string[]; source: string; sandbox: Sandbox },
): string {
  const after = ['network-online.target', ...(options.after ?? [])];
  return [
    `# Generated by \`npm run systemd:units\` from ${options.source}; regenerate rather than edit.`,
    '[Unit]',
    `Description=${noSpecifiers(options.description)}`,
    `Wants=network-online.target`,
    `After=${after.join(' ')}`,
    `StartLimitIntervalSec=${RESTART.startLimitIntervalSec}`,
    `StartLimitBurst=${RESTART.startLimitBurst}`,
    '',
    '[Service]',
    'Type=simple',
    `WorkingDirectory=${noSpecifiers(spec.cwd)}`,
    ...Object.entries(unitEnv(spec.env))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => environmentLine(key, value)),
    `ExecStart=${[spec.command, ...spec.args].map(execWord).join(' ')}`,
    'Restart=on-failure',
    `RestartSec=${RESTART.restartSec}s`,
    'TimeoutStopSec=15s',
    // What processes.ts does with `ulimit -n` for the local consortium.
    'LimitNOFILE=65536',
    ...hardening(spec, options.sandbox),
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

function orgUnits(
  consortium: Consortium,
  layout: Layout,
  fabric: FabricInstall,
  packageId: string,
  org: OrgDefinition,
  source: string,
): UnitFile[] {
  const peer = peerSpec({ consortium, layout }, fabric, org);
  const chaincode = chaincodeServerSpec(layout, org, packageId);
  const gateway = gatewaySpec(consortium, layout, org);
  const who = `${org.name} (${org.mspId})`;
  return [
    {
      name: unitName(peer.name),
      text: unitText(peer, {
        description: `HPF peer of ${who}`,
        source,
        sandbox: { writable: [peer.cwd], noWritableExecutable: false },
      }),
    },
    {
      name: unitName(chaincode.name),
      text: unitText(chaincode, {
        description: `HPF chaincode server of ${who}`,
        after: [unitName(peer.name)],
        source,
        sandbox: { writable: [], noWritableExecutable: false },
      }),
    },
    {
      name: unitName(gateway.name),
      text: unitText(gateway, {
        description: `HPF HTTP gateway of ${who}`,
        after: [unitName(peer.name), unitName(chaincode.name)],
        source,
        sandbox: { writable: [layout.gatewayDir(org)], noWritableExecutable: false },
      }),
    },
  ];
}

export interface UnitsOptions {
  readonly consortium: Consortium;
  readonly layout: Layout;
  readonly fabric: FabricInstall;
  readonly packageId: string;
  /** Which organisation's processes. */
  readonly target: UnitTarget;
  /** Where the units say they come from (the definition file, or a bundle). */
  readonly source: string;
}

/** The unit files of one organisation of the definition. */
export function unitsFor(options: UnitsOptions): UnitFile[] {
  const { consortium, layout, fabric, packageId, target, source } = options;
  if (target.kind === 'orderers') {
    return consortium.ordererOrg.nodes.map((node) => {
      const spec = ordererSpec({ consortium, layout }, fabric, node);
      return {
        name: unitName(spec.name),
        text: unitText(spec, {
          description: `HPF orderer ${node.name} (${consortium.ordererOrg.mspId})`,
          source,
          sandbox: { writable: [spec.cwd], noWritableExecutable: true },
        }),
      };
    });
  }
  const org =
    target.kind === 'regulator'
      ? consortium.regulator
      : consortium.centres.find((c) => c.code === target.code);
  if (org === undefined) {
    const codes = consortium.centres.map((c) => c.code).join(', ');
    throw new Error(
      `no centre ${target.kind === 'centre' ? target.code : ''} in the definition (centres: ${codes})`,
    );
  }
  return orgUnits(consortium, layout, fabric, packageId, org, source);
}
