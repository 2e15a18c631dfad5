import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import path from 'node:path';
import type { CentreDefinition, Consortium, OrgDefinition } from './definition';
import { REPO_ROOT, type Layout } from './layout';
import { pollUntil } from './poll';
import { childPath, startProcess, type ProcessSpec } from './processes';
import { addedCentresSchema, apiKeyStoreSchema, readState } from './state-store';

/**
 * One HTTP gateway per organisation (gateway/), started beside its peer. API keys are generated here:
 * the raw keys go to `<dataDir>/secrets/api-keys.json` (for consortium:info), each gateway gets only
 * their SHA-256 hashes.
 */

export const GATEWAY_MAIN = path.join(REPO_ROOT, 'gateway', 'dist', 'main.js');

export type Role = 'operator' | 'auditor';

/** A centre's keys: its operator's and its organisation's auditor's (which sees every centre). */
export interface CentreInfo {
  readonly centreCode: string;
  readonly name: string;
  readonly apiKeys: Partial<Record<Role, string>>;
}

export interface GatewayInfo {
  readonly mspId: string;
  /** The organisation's first centre (null for the regulator): `apiKeys` are that centre's. */
  readonly centreCode: string | null;
  /** `https://` when the organisation's address is not loopback, else `http://`. */
  readonly url: string;
  /** The CA that signed the gateway's TLS certificate (the organisation's TLS CA) when `url` is HTTPS. */
  readonly caCert: string | null;
  /** The operations listener (/metrics, /healthz, /readyz): loopback of the organisation's host. */
  readonly operationsUrl: string;
  readonly apiKeys: Partial<Record<Role, string>>;
  /** Every centre the organisation hosts, those added on the ledger since included. */
  readonly centres: readonly CentreInfo[];
}

type OrgKeys = { operator?: string; auditor?: string; centres?: Record<string, string> };
type KeyStore = Record<string, OrgKeys>;

function keysFile(layout: Layout): string {
  return path.join(layout.secretsDir, 'api-keys.json');
}

function readKeys(layout: Layout): KeyStore {
  return readState(keysFile(layout), apiKeyStoreSchema) ?? {};
}

function addedCentresFile(layout: Layout): string {
  return path.join(layout.root, 'added-centres.json');
}

/** A centre added to an existing organisation on the ledger (`centre:add`), recorded in the data dir. */
export interface AddedCentre {
  readonly code: string;
  readonly mspId: string;
  readonly name: string;
}

/** The centres `centre:add` registered on this data dir's ledger (empty when none). */
export function readAddedCentres(layout: Layout): AddedCentre[] {
  return readState(addedCentresFile(layout), addedCentresSchema) ?? [];
}

/** Records a centre added on the ledger, so that its gateway gets a key for it and consortium:info lists it. */
export function recordAddedCentre(layout: Layout, centre: AddedCentre): void {
  const added = readAddedCentres(layout).filter((c) => c.code !== centre.code);
  writeFileSync(addedCentresFile(layout), JSON.stringify([...added, centre], null, 2) + '\n');
}

/** The centres an organisation hosts: the definition's, then those added on the ledger. */
export function centresHostedBy(layout: Layout, org: OrgDefinition): CentreDefinition[] {
  const added = readAddedCentres(layout)
    .filter((c) => c.mspId === org.mspId && !org.centres.some((d) => d.code === c.code))
    .map(({ code, name }) => ({ code, name }));
  return [...org.centres, ...added];
}

/** Roles a gateway serves: centres have operators and auditors; the regulator only auditors (it writes nothing). */
export function rolesOf(org: OrgDefinition): Role[] {
  return org.code === null ? ['auditor'] : ['operator', 'auditor'];
}

function newKey(label: string, role: Role): string {
  return `hpf_${label}_${role}_${randomBytes(24).toString('base64url')}`;
}

const sha256 = (key: string): string => createHash('sha256').update(key).digest('hex');

/**
 * An organisation's keys, completed: the auditor's, then one operator key per centre (the first
 * centre's under `operator`, the others' under `centres`). True when a key was generated.
 */
function completeKeys(org: OrgDefinition, centres: readonly CentreDefinition[], keys: OrgKeys): boolean {
  let changed = false;
  if (keys.auditor === undefined) {
    keys.auditor = newKey(org.key, 'auditor');
    changed = true;
  }
  centres.forEach((centre, i) => {
    if (i === 0 && keys.operator === undefined) {
      keys.operator = newKey(`c${centre.code}`, 'operator');
      changed = true;
    } else if (i > 0 && keys.centres?.[centre.code] === undefined) {
      keys.centres = { ...keys.centres, [centre.code]: newKey(`c${centre.code}`, 'operator') };
      changed = true;
    }
  });
  return changed;
}

/** What the gateway gets (HPF_GW_API_KEYS_FILE): hashes only, each operator key bound to its centre. */
function hashedKeys(org: OrgDefinition, centres: readonly CentreDefinition[], keys: OrgKeys): object[] {
  const operators = centres.map((centre, i) => ({
    id: i === 0 ? `${org.key}-operator` : `c${centre.code}-operator`,
    role: 'operator',
    sha256: sha256((i === 0 ? keys.operator : keys.centres?.[centre.code]) ?? ''),
    centre: centre.code,
  }));
  return [...operators, { id: `${org.key}-auditor`, role: 'auditor', sha256: sha256(keys.auditor ?? '') }];
}

/**
 * Makes sure every org has its keys: an auditor key per organisation and an operator key per centre
 * (the regulator has auditors only). Existing keys are kept so clients keep working across restarts.
 */
export function ensureApiKeys(consortium: Consortium, layout: Layout): KeyStore {
  const store = readKeys(layout);
  let changed = false;
  for (const org of consortium.orgs) {
    const keys = store[org.mspId] ?? {};
    const centres = centresHostedBy(layout, org);
    changed = completeKeys(org, centres, keys) || changed;
    store[org.mspId] = keys;
    const file = gatewayKeysFile(layout, org);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(hashedKeys(org, centres, keys), null, 2) + '\n', { mode: 0o600 });
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

/** 127.0.0.0/8 or localhost: only the host itself connects (the gateway's config.ts has the same rule). */
export function isLoopback(address: string): boolean {
  return address === 'localhost' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}

/** A gateway speaks HTTPS, with its organisation's TLS pair, whenever it binds a non-loopback address. */
export function gatewayServesHttps(org: OrgDefinition): boolean {
  return !isLoopback(org.address);
}

export function gatewayUrl(org: OrgDefinition): string {
  return `${gatewayServesHttps(org) ? 'https' : 'http'}://${org.address}:${org.ports.gateway}`;
}

/** The gateway's operations listener, on its host's loopback (plain HTTP: it never leaves the host). */
export function gatewayOperationsUrl(org: OrgDefinition): string {
  return `http://127.0.0.1:${org.ports.gatewayOperations}`;
}

/**
 * GET `url` (http or https; https trusts only `ca`), bounded by `timeoutMs`: the status, or undefined
 * when no answer came. Node's fetch cannot be given a CA, so HTTPS goes through node:https.
 */
export function probe(url: string, ca: string | null, timeoutMs: number): Promise<number | undefined> {
  if (!url.startsWith('https:')) {
    return fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then(
      (r) => r.status,
      () => undefined,
    );
  }
  return new Promise((resolve) => {
    const req = httpsGet(
      url,
      { ca: ca === null ? undefined : readFileSync(ca), timeout: timeoutMs },
      (res) => {
        res.resume();
        resolve(res.statusCode);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => {
      resolve(undefined);
    });
  });
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
 * and libuv's few threads. Blocks of 32 KiB and more (socket reads, gRPC and HTTP/2 buffers) are
 * mmapped and unmapped on free instead of staying in the main arena, whose threshold glibc would
 * otherwise raise to 32 MiB as the load grows (docs/decisions/0245).
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=1',
  '--max-old-space-size=96',
  '--optimize-for-size',
];

/** glibc malloc settings of a gateway process (see {@link GATEWAY_NODE_FLAGS}). */
export const GATEWAY_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '32768',
  MALLOC_TRIM_THRESHOLD_: '131072',
};

/** The limits a definition overrides, as the gateway's variables (absent ones keep its defaults). */
function gatewayLimitsEnv(limits: Consortium['gateways']): Record<string, string> {
  const env: Record<string, string> = {};
  const set = (variable: string, value: number | undefined): void => {
    if (value !== undefined) env[variable] = String(value);
  };
  set('HPF_GW_PERSON_LOOKUPS_PER_MINUTE', limits.personLookupsPerMinute);
  set('HPF_GW_PERSON_LOOKUPS_PER_DAY', limits.personLookupsPerDay);
  set('HPF_GW_SSE_STREAMS_PER_KEY', limits.sseStreamsPerKey);
  set('HPF_GW_SSE_STREAMS_PER_GATEWAY', limits.sseStreamsPerGateway);
  set('HPF_GW_SSE_REPLAY_BLOCKS', limits.sseReplayBlocks);
  return env;
}

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
      ...GATEWAY_MALLOC_ENV,
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'production',
      HPF_GW_HOST: org.address,
      HPF_GW_PORT: String(org.ports.gateway),
      HPF_GW_OPERATIONS_PORT: String(org.ports.gatewayOperations),
      ...(gatewayServesHttps(org)
        ? { HPF_GW_HTTPS_CERT: layout.gatewayTls(org).cert, HPF_GW_HTTPS_KEY: layout.gatewayTls(org).key }
        : {}),
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
      // The first centre: operator keys naming none act for it, reads naming none are about it.
      HPF_GW_CENTRE_CODE: org.centres[0]?.code ?? '',
      HPF_GW_ENDORSING_FALLBACK_MSPS: others.join(','),
      HPF_GW_REGULATOR_MSP_ID: consortium.regulator.mspId,
      HPF_GW_DATA_DIR: gatewayDir(layout, org),
      HPF_GW_LOG_LEVEL: 'info',
      HPF_GW_RATE_LIMIT_PER_MINUTE: String(consortium.gateways.rateLimitPerMinute),
      ...gatewayLimitsEnv(consortium.gateways),
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

/**
 * Waits until a gateway's /readyz answers 200 (its peer is reachable and the chaincode answers); over
 * HTTPS, trusting only the organisation's TLS CA (from `layout`).
 */
export async function waitGatewayReady(
  org: OrgDefinition,
  timeoutMs = 60_000,
  layout?: Layout,
): Promise<void> {
  if (gatewayServesHttps(org) && layout === undefined) {
    throw new Error(`the gateway of ${org.mspId} serves HTTPS: its readiness check needs the layout (CA)`);
  }
  const ca = gatewayServesHttps(org) && layout !== undefined ? layout.orgTlsCa(org) : null;
  await pollUntil(
    async () => ((await probe(`${gatewayUrl(org)}/readyz`, ca, 5_000)) === 200 ? true : undefined),
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

/** What consortium:info prints: each gateway's URL and API keys, per centre. */
export function gatewayInfo(consortium: Consortium, layout: Layout): GatewayInfo[] {
  const store = readKeys(layout);
  return consortium.orgs.map((org) => {
    const keys = store[org.mspId] ?? {};
    const centres = centresHostedBy(layout, org).map((centre, i): CentreInfo => ({
      centreCode: centre.code,
      name: centre.name,
      apiKeys: withoutUndefined({
        operator: i === 0 ? keys.operator : keys.centres?.[centre.code],
        auditor: keys.auditor,
      }),
    }));
    return {
      mspId: org.mspId,
      centreCode: centres[0]?.centreCode ?? null,
      url: gatewayUrl(org),
      caCert: gatewayServesHttps(org) ? layout.orgTlsCa(org) : null,
      operationsUrl: gatewayOperationsUrl(org),
      apiKeys: centres[0]?.apiKeys ?? withoutUndefined({ auditor: keys.auditor }),
      centres,
    };
  });
}

function withoutUndefined(keys: Partial<Record<Role, string | undefined>>): Partial<Record<Role, string>> {
  const result: Partial<Record<Role, string>> = {};
  for (const role of ['operator', 'auditor'] as const) {
    const key = keys[role];
    if (key !== undefined) result[role] = key;
  }
  return result;
}
