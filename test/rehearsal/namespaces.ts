import { execFileSync } from 'node:child_process';

/**
 * The rehearsal's hosts: one Linux network namespace per organisation (`hpfr-<name>`), each joined by
 * a veth pair to one bridge (`hpfr-br0`, 10.231.0.1/24 in the root namespace, from where the
 * rehearsal's own tools dial the hosts). Only names with the `hpfr-` prefix are ever created or deleted.
 */

export const PREFIX = 'hpfr-';
export const BRIDGE = `${PREFIX}br0`;
export const SUBNET = '10.231.0';

export interface NamespaceHost {
  readonly name: string;
  readonly netns: string;
  readonly address: string;
}

export class NamespaceError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NamespaceError';
  }
}

function ip(args: readonly string[]): string {
  return execFileSync('ip', [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function tryIp(args: readonly string[]): void {
  try {
    ip(args);
  } catch {
    // Already gone.
  }
}

/** Our namespaces left by an earlier run (a crash skips the clean-up), by their prefix. */
export function leftoverNamespaces(): string[] {
  let out = '';
  try {
    out = ip(['netns', 'list']);
  } catch {
    return [];
  }
  return out
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(PREFIX));
}

/**
 * Checks that namespaces can be created here; on failure says which privilege is missing.
 * @throws NamespaceError naming the missing tool or capability.
 */
export function checkPrivilege(): void {
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch (error) {
    throw new NamespaceError(
      'the host rehearsal needs the `ip` command (iproute2: apt-get install -y iproute2)',
      { cause: error },
    );
  }
  const probe = `${PREFIX}probe`;
  try {
    tryIp(['netns', 'del', probe]);
    ip(['netns', 'add', probe]);
    ip(['netns', 'del', probe]);
  } catch (error) {
    const detail = error instanceof Error && 'stderr' in error ? String(error.stderr).trim() : String(error);
    const uid = process.getuid?.() ?? -1;
    throw new NamespaceError(
      `network namespaces cannot be created here (${detail || 'ip netns add failed'}). ` +
        `The rehearsal needs CAP_SYS_ADMIN and CAP_NET_ADMIN (it creates namespaces, veth pairs and a ` +
        `bridge): run it as root (${uid === 0 ? 'you are root, so the container withholds these capabilities: give it --cap-add SYS_ADMIN --cap-add NET_ADMIN, or --privileged' : `you are uid ${uid}: sudo npm run rehearse:hosts`}).`,
      { cause: error },
    );
  }
}

/** Creates the bridge and one namespace per host, each with its address; returns the hosts. */
export function createNamespaces(names: readonly string[]): NamespaceHost[] {
  removeNamespaces();
  ip(['link', 'add', BRIDGE, 'type', 'bridge']);
  ip(['addr', 'add', `${SUBNET}.1/24`, 'dev', BRIDGE]);
  ip(['link', 'set', BRIDGE, 'up']);
  return names.map((name, i) => {
    const netns = `${PREFIX}${name}`;
    const address = `${SUBNET}.${10 + i}`;
    const outside = `${PREFIX}v${i}`;
    const inside = `${PREFIX}p${i}`;
    ip(['netns', 'add', netns]);
    ip(['link', 'add', outside, 'type', 'veth', 'peer', 'name', inside]);
    ip(['link', 'set', inside, 'netns', netns]);
    ip(['link', 'set', outside, 'master', BRIDGE, 'up']);
    ip(['-n', netns, 'addr', 'add', `${address}/24`, 'dev', inside]);
    ip(['-n', netns, 'link', 'set', inside, 'up']);
    ip(['-n', netns, 'link', 'set', 'lo', 'up']);
    return { name, netns, address };
  });
}

/** Deletes every `hpfr-` namespace (its veth end goes with it) and the bridge. */
export function removeNamespaces(): string[] {
  const removed = leftoverNamespaces();
  for (const netns of removed) tryIp(['netns', 'del', netns]);
  tryIp(['link', 'del', BRIDGE]);
  return removed;
}
