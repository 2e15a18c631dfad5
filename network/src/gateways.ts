import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Consortium, OrgDefinition } from './definition';
import { REPO_ROOT, type Layout } from './layout';
import { pollUntil } from './poll';
import { childPath, startProcess, type ProcessSpec } from './processes';
import { apiKeyStoreSchema, readState } from './state-store';

/**
 * One HTTP gateway per organisation (gateway/), started beside its peer. API keys are generated here:
 * the raw keys go to `<dataDir>/secrets/api-keys.json` (for consortium:info), each gateway gets only
 * their SHA-256 hashes.
 */

export const GATEWAY_MAIN = path.join(REPO_ROOT, 'gateway', 'dist', 'main.js');

export type Role = 'operator' | 'auditor';

export interface GatewayInfo {
  readonly mspId: string;
  readonly centreCode: string | null;
  readonly url: string;
  readonly apiKeys: Partial<Record<Role, string>>;
}

type KeyStore = Record<string, Partial<Record<Role, string>>>;

function keysFile(layout: Layout): string {
  return path.join(layout.secretsDir, 'api-keys.json');
}

function readKeys(layout: Layout): KeyStore {
  return readState(keysFile(layout), apiKeyStoreSchema) ?? {};
}

/** Roles a gateway serves: centres have operators and auditors; the regulator only auditors (it writes nothing). */
export function rolesOf(org: OrgDefinition): Role[] {
  return org.code === null ? ['auditor'] : ['operator', 'auditor'];
}

function newKey(org: OrgDefinition, role: Role): string {
  return `hpf_${org.key}_${role}_${randomBytes(24).toString('base64url')}`;
}

/** Makes sure every org has its keys; existing keys are kept so clients keep working across restarts. */
export function ensureApiKeys(consortium: Consortium, layout: Layout): KeyStore {
  const store = readKeys(layout);
  let changed = false;
  for (const org of consortium.orgs) {
    const keys = store[org.mspId] ?? {};
    for (const role of rolesOf(org)) {
      if (keys[role] === undefined) {
        keys[role] = newKey(org, role);
        changed = true;
      }
    }
    store[org.mspId] = keys;
    const hashed = rolesOf(org).map((role) => ({
      id: `${org.key}-${role}`,
      role,
      sha256: createHash('sha256')
        .update(keys[role] ?? '')
        .digest('hex'),
    }));
    const file = gatewayKeysFile(layout, org);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(hashed, null, 2) + '\n', { mode: 0o600 });
  }
  if (changed) {
    mkdirSync(layout.secretsDir, { recursive: true, mode: 0o700 });
    writeFileSync(keysFile(layout), JSON.stringify(store, null, 2) + '\n', { mode: 0o600 });
  }
  return store;
}

/** The gateway's data directory (HPF_GW_DATA_DIR): its key hashes, checkpoint and index. */
export function gatewayDir(layout: Layout, org: OrgDefinition): string {
  return layout.gatewayDir(org);
}

function gatewayKeysFile(layout: Layout, org: OrgDefinition): string {
  return path.join(gatewayDir(layout, org), 'api-keys.json');
}

export function gatewayProcessName(org: OrgDefinition): string {
  return `gateway-${org.key}`;
}

export function gatewayUrl(org: OrgDefinition): string {
  return `http://${org.address}:${org.ports.gateway}`;
}

function onlyFile(dir: string): string {
  const file = readdirSync(dir).find((name) => !name.startsWith('.'));
  if (file === undefined) throw new Error(`no file in ${dir}`);
  return path.join(dir, file);
}

/**
 * V8 and allocator settings that keep a gateway's resident memory small (docs/decisions/0009: 209-312 MiB under
 * load before, for about 35 MiB of live heap). The young generation's semi-spaces default to 16 MiB
 * each and are touched in full under load: 1 MiB costs a few more scavenges, which are cheap for a
 * gateway's short-lived request objects. The old generation is capped at 96 MiB, about 2.5 times a
 * busy gateway's live heap, so V8 collects instead of growing the heap, and --optimize-for-size
 * grows it in smaller steps. glibc's default of 8 malloc arenas per core spreads gRPC's and
 * OpenSSL's buffers over many arenas that are never given back; two are enough for one event loop
 * and libuv's few threads.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=1',
  '--max-old-space-size=96',
  '--optimize-for-size',
];

export function gatewaySpec(consortium: Consortium, layout: Layout, org: OrgDefinition): ProcessSpec {
  const user = layout.user(org);
  const others = consortium.centres.filter((c) => c.mspId !== org.mspId).map((c) => c.mspId);
  return {
    name: gatewayProcessName(org),
    command: process.execPath,
    args: [...GATEWAY_NODE_FLAGS, GATEWAY_MAIN],
    cwd: REPO_ROOT,
    env: {
      PATH: childPath(),
      MALLOC_ARENA_MAX: '2',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'production',
      HPF_GW_HOST: org.address,
      HPF_GW_PORT: String(org.ports.gateway),
      HPF_GW_PEER_ENDPOINT: `${org.address}:${org.ports.peer}`,
      HPF_GW_PEER_HOST_ALIAS: org.peerHost,
      HPF_GW_TLS_ROOT_CERT: layout.peer(org).tls.ca,
      HPF_GW_MSP_ID: org.mspId,
      HPF_GW_CERT_PATH: onlyFile(user.signcertsDir),
      HPF_GW_KEY_PATH: user.keystoreDir,
      HPF_GW_CHANNEL: consortium.channel,
      HPF_GW_CHAINCODE: consortium.chaincode.name,
      HPF_GW_API_KEYS_FILE: gatewayKeysFile(layout, org),
      HPF_GW_PSEUDONYM_KEY_FILE: layout.pseudonymKey,
      HPF_GW_CENTRE_CODE: org.code ?? '',
      HPF_GW_ENDORSING_FALLBACK_MSPS: others.join(','),
      HPF_GW_REGULATOR_MSP_ID: consortium.regulator.mspId,
      HPF_GW_DATA_DIR: gatewayDir(layout, org),
      HPF_GW_LOG_LEVEL: 'info',
      HPF_GW_RATE_LIMIT_PER_MINUTE: String(consortium.gateways.rateLimitPerMinute),
    },
  };
}

export function startGateway(
  { consortium, layout }: { readonly consortium: Consortium; readonly layout: Layout },
  org: OrgDefinition,
  netns?: string,
): { pid: number; reused: boolean } {
  if (!existsSync(GATEWAY_MAIN)) {
    throw new Error('gateway/dist/main.js is missing: run `npm run build -w gateway` first');
  }
  mkdirSync(gatewayDir(layout, org), { recursive: true });
  return startProcess(layout.root, { ...gatewaySpec(consortium, layout, org), netns });
}

/** Waits until a gateway's /readyz answers 200 (its peer is reachable and the chaincode answers). */
export async function waitGatewayReady(org: OrgDefinition, timeoutMs = 60_000): Promise<void> {
  await pollUntil(
    async () =>
      (await fetch(`${gatewayUrl(org)}/readyz`, { signal: AbortSignal.timeout(5_000) })).ok
        ? true
        : undefined,
    {
      timeoutMs,
      intervalMs: 300,
      failure: () =>
        new Error(
          `gateway of ${org.mspId} not ready at ${gatewayUrl(org)}/readyz within ${timeoutMs / 1000} s`,
        ),
    },
  );
}

/** What consortium:info prints: each gateway's URL and API keys. */
export function gatewayInfo(consortium: Consortium, layout: Layout): GatewayInfo[] {
  const store = readKeys(layout);
  return consortium.orgs.map((org) => ({
    mspId: org.mspId,
    centreCode: org.code,
    url: gatewayUrl(org),
    apiKeys: store[org.mspId] ?? {},
  }));
}
