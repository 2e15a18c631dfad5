import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { agreedRegistrySha256 } from './agreed-registry';
import type { Consortium, OrgDefinition } from './definition';
import type { FabricCli, Site } from './fabric-cli';
import { REPO_ROOT, type Layout } from './layout';
import { ordererTarget } from './nodes';
import type { ChaincodeDefinition } from './commands';
import { eachLimited } from './poll';
import { childPath, runningProcess, startProcess, stopProcess, type ProcessSpec } from './processes';
import { z } from 'zod';
import { committedRecordSchema, parseState, readState, type CommittedRecord } from './state-store';

const committedSchema = z.object({ sequence: z.number().optional(), version: z.string().optional() });
const readinessSchema = z.object({ approvals: z.record(z.string(), z.boolean()).optional() });

/** Approvals run this many orgs at a time. */
const APPROVE_CONCURRENCY = 4;

/**
 * Chaincode-as-a-service deployment of the real chaincode/ package: one ccaas package for every org
 * (its connection.json holds templates our builder fills per peer), installed on every peer, approved by
 * every org, committed, and served by one `fabric-chaincode-node server` process per org.
 */

export const CHAINCODE_DIR = path.join(REPO_ROOT, 'chaincode');

/**
 * Endorsement policy of the chaincode definition: any 2 distinct organisations' peers. A centre's client
 * asks its own peer plus the regulator's and can fall back to another centre when one is down; the
 * chaincode itself checks who the caller is. Transfers and the registry tighten this per key.
 */
export function endorsementPolicy(consortium: Consortium): string {
  return `OutOf(2, ${consortium.orgs.map((org) => `'${org.mspId}.peer'`).join(', ')})`;
}

/**
 * Builds the package once (metadata.json + code.tar.gz holding connection.json, nothing else) and
 * returns its package ID, `label:sha256(tgz bytes)`. Rebuilding would change nothing but the bytes'
 * timestamps, so an existing package is always reused.
 */
export function ensurePackage(consortium: Consortium, layout: Layout): string {
  const file = layout.chaincodePackage;
  if (!existsSync(file)) {
    const work = mkdtempSync(path.join(os.tmpdir(), 'hpf-ccaas-'));
    try {
      const connection = {
        address: '{{.address}}',
        dial_timeout: '10s',
        tls_required: true,
        // Mutual TLS: the peer presents its own TLS certificate, and the chaincode server accepts only
        // certificates of its organisation's TLS CA (so no other organisation's peer can call it).
        client_auth_required: true,
        client_cert: '{{.client_cert}}',
        client_key: '{{.client_key}}',
        root_cert: '{{.root_cert}}',
      };
      writeFileSync(path.join(work, 'connection.json'), JSON.stringify(connection));
      writeFileSync(
        path.join(work, 'metadata.json'),
        JSON.stringify({ type: 'ccaas', label: consortium.chaincode.label }),
      );
      const tarFlags = [
        '--sort=name',
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        '--mtime=@0',
        '--format=gnu',
      ];
      execFileSync('tar', [...tarFlags, '-C', work, '-cf', path.join(work, 'code.tar'), 'connection.json']);
      execFileSync('gzip', ['-n', '-9', path.join(work, 'code.tar')]);
      execFileSync('tar', [
        ...tarFlags,
        '-C',
        work,
        '-cf',
        path.join(work, 'pkg.tar'),
        'metadata.json',
        'code.tar.gz',
      ]);
      execFileSync('gzip', ['-n', '-9', path.join(work, 'pkg.tar')]);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, readFileSync(path.join(work, 'pkg.tar.gz')));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return `${consortium.chaincode.label}:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
}

export async function ensureInstalled(
  { cli, layout }: Pick<Site, 'cli' | 'layout'>,
  org: OrgDefinition,
  packageId: string,
): Promise<boolean> {
  const installed = await cli.peer(org, { kind: 'lifecycle queryinstalled' });
  if (installed.stdout.includes(packageId)) {
    return false;
  }
  await cli.peer(org, { kind: 'lifecycle install', package: layout.chaincodePackage }, 300_000);
  return true;
}

interface Committed {
  readonly sequence: number;
  readonly version: string;
}

/** The committed definition of the chaincode, or null when none is committed yet. */
export async function queryCommitted(
  consortium: Consortium,
  cli: FabricCli,
  org: OrgDefinition,
): Promise<Committed | null> {
  try {
    const out = await cli.peer(org, {
      kind: 'lifecycle querycommitted',
      channel: consortium.channel,
      name: consortium.chaincode.name,
    });
    const parsed = parseState('peer lifecycle chaincode querycommitted', out.stdout, committedSchema);
    return { sequence: parsed.sequence ?? 0, version: parsed.version ?? '' };
  } catch (error) {
    if (error instanceof Error && /not found|does not exist|404/i.test(error.message)) {
      return null;
    }
    throw error;
  }
}

function definitionOf(consortium: Consortium, sequence: number): ChaincodeDefinition {
  return {
    channel: consortium.channel,
    name: consortium.chaincode.name,
    version: consortium.chaincode.version,
    sequence,
    signaturePolicy: endorsementPolicy(consortium),
  };
}

/** Which orgs have approved the definition at `sequence` (checkcommitreadiness). */
async function approvals(
  { consortium, layout, cli }: Site,
  org: OrgDefinition,
  sequence: number,
): Promise<Record<string, boolean>> {
  const out = await cli.peer(org, {
    kind: 'lifecycle checkcommitreadiness',
    definition: definitionOf(consortium, sequence),
    orderer: ordererTarget(consortium, layout),
  });
  return (
    parseState('peer lifecycle chaincode checkcommitreadiness', out.stdout, readinessSchema).approvals ?? {}
  );
}

/** `org`'s admin approves the definition at `sequence` for `packageId`, unless it has; true when it did now. */
export async function approve(
  site: Site,
  options: { readonly org: OrgDefinition; readonly packageId: string; readonly sequence: number },
): Promise<boolean> {
  const { consortium, layout, cli } = site;
  const { org, packageId, sequence } = options;
  const current = await approvals(site, org, sequence);
  if (current[org.mspId] === true) {
    return false;
  }
  await cli.peer(
    org,
    {
      kind: 'lifecycle approveformyorg',
      definition: definitionOf(consortium, sequence),
      packageId,
      orderer: ordererTarget(consortium, layout),
    },
    120_000,
  );
  return true;
}

/**
 * Commits the definition at `sequence` as `by`'s admin (default: the first centre), endorsed by every
 * org's peer, and records what it committed (committed.json) in this data dir.
 */
export async function commit(
  { consortium, layout, cli }: Site,
  options: { readonly sequence: number; readonly by?: OrgDefinition },
): Promise<void> {
  const { sequence } = options;
  const first = options.by ?? consortium.centres[0];
  if (first === undefined) throw new Error('the consortium has no centre');
  await cli.peer(
    first,
    {
      kind: 'lifecycle commit',
      definition: definitionOf(consortium, sequence),
      orderer: ordererTarget(consortium, layout),
      peers: consortium.orgs.map((org) => ({
        address: `${org.address}:${org.ports.peer}`,
        tlsRootCertFile: layout.peer(org).tls.ca,
      })),
    },
    120_000,
  );
  const record: CommittedRecord = {
    sequence,
    version: consortium.chaincode.version,
    policy: endorsementPolicy(consortium),
  };
  mkdirSync(path.dirname(committedRecordFile(layout)), { recursive: true });
  writeFileSync(committedRecordFile(layout), JSON.stringify(record) + '\n');
}

/** What we last committed (committed.json), so a re-run can tell whether the committed definition is still the wanted one. */

function committedRecordFile(layout: Layout): string {
  return layout.committedRecord;
}

function readCommittedRecord(layout: Layout): CommittedRecord | null {
  return readState(committedRecordFile(layout), committedRecordSchema);
}

/** True when what we recorded committing is what is committed now, with the wanted policy. */
function isCurrent(record: CommittedRecord | null, wanted: CommittedRecord): boolean {
  return (
    record?.sequence === wanted.sequence &&
    record.version === wanted.version &&
    record.policy === wanted.policy
  );
}

/**
 * The sequence the consortium's definition needs: the committed one (`current`) when it already has
 * this version and endorsement policy, else the next (a changed policy: an organisation joined).
 */
export async function wantedSequence({
  consortium,
  layout,
  cli,
}: Site): Promise<{ readonly sequence: number; readonly current: boolean }> {
  const first = consortium.centres[0];
  if (first === undefined) throw new Error('the consortium has no centre');
  const committed = await queryCommitted(consortium, cli, first);
  const wanted = {
    sequence: committed?.sequence ?? 0,
    version: consortium.chaincode.version,
    policy: endorsementPolicy(consortium),
  };
  return committed !== null && isCurrent(readCommittedRecord(layout), wanted)
    ? { sequence: committed.sequence, current: true }
    : { sequence: (committed?.sequence ?? 0) + 1, current: false };
}

/**
 * Approves and commits the definition for the current consortium, unless the committed one already has
 * this version and endorsement policy. A changed policy (a centre joined) commits the next sequence.
 * Returns the committed sequence.
 */
export async function ensureDefinition(
  site: Site,
  options: { readonly packageId: string; readonly log: (line: string) => void },
): Promise<number> {
  const { consortium } = site;
  const { packageId, log } = options;
  const { sequence, current } = await wantedSequence(site);
  if (current) {
    log(`  definition sequence ${sequence} already committed`);
    return sequence;
  }
  // A few at a time: each approval is a peer CLI run and an ordered transaction (32 orgs: docs/decisions/0008-large-consortia-settings.md).
  await eachLimited(consortium.orgs, APPROVE_CONCURRENCY, async (org) => {
    const done = await approve(site, { org, packageId, sequence });
    log(`  ${org.mspId} ${done ? 'approved' : 'had approved'} sequence ${sequence}`);
  });
  await commit(site, { sequence });
  log(`  committed sequence ${sequence} with policy ${endorsementPolicy(consortium)}`);
  return sequence;
}

export function chaincodeServerName(org: OrgDefinition): string {
  return `chaincode-${org.key}`;
}

export function chaincodeServerSpec(layout: Layout, org: OrgDefinition, packageId: string): ProcessSpec {
  const tls = layout.chaincodeServerTls(org);
  const agreed = agreedRegistrySha256(layout);
  // dist/server.js reads and checks HPF_CC_PSEUDONYM_KEY_FILE, then runs fabric-shim's `server` command.
  const entry = path.join(CHAINCODE_DIR, 'dist', 'server.js');
  return {
    name: chaincodeServerName(org),
    command: process.execPath,
    args: [
      entry,
      'server',
      '--chaincode-address',
      `${org.address}:${org.ports.chaincodeServer}`,
      '--chaincode-id',
      packageId,
      '--chaincode-tls-cert-file',
      tls.cert,
      '--chaincode-tls-key-file',
      tls.key,
      // Requires a client certificate issued by the organisation's own TLS CA: its peer's.
      '--chaincode-tls-client-cacert-file',
      layout.orgTlsCa(org),
    ],
    cwd: CHAINCODE_DIR,
    env: {
      PATH: childPath(),
      HOME: process.env.HOME ?? '/tmp',
      // fabric-shim logs two lines per transaction at info (bench-results/profiles): at warning they are
      // no longer written (and, with chaincode/src/shim-logging.ts, no longer formatted either).
      CORE_CHAINCODE_LOGGING_LEVEL: 'warning',
      CORE_PEER_LOCALMSPID: org.mspId,
      // The same key file the gateways read: endorsers recompute subjectRefs with it (never the ledger).
      HPF_CC_PSEUDONYM_KEY_FILE: layout.pseudonymKey,
      // The registry this organisation agreed to (derived from the genesis config): Init is endorsed only with it.
      ...(agreed === undefined ? {} : { HPF_CC_AGREED_REGISTRY_SHA256: agreed }),
    },
  };
}

/** SHA-256 over every built chaincode file, so a rebuild that changed nothing is not a change. */
function builtCodeHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.js')) hash.update(entry.name).update(readFileSync(file));
    }
  };
  walk(path.join(CHAINCODE_DIR, 'dist'));
  return hash.digest('hex');
}

/**
 * Starts the org's chaincode server, or restarts it when the built chaincode differs from what it
 * serves (so `network:up` after editing the chaincode serves the new code; the package, which holds
 * only the address, does not change).
 */
export async function startChaincodeServer(
  layout: Layout,
  org: OrgDefinition,
  options: { readonly packageId: string; readonly netns?: string },
): Promise<{ pid: number; reused: boolean; restarted: boolean }> {
  const { packageId, netns } = options;
  if (!existsSync(path.join(CHAINCODE_DIR, 'dist', 'index.js'))) {
    throw new Error('chaincode/dist/index.js is missing: run `npm run build -w chaincode` first');
  }
  const name = chaincodeServerName(org);
  const servedFile = layout.servedCode(name);
  const code = builtCodeHash();
  const stale =
    runningProcess(layout.root, name) !== null &&
    (!existsSync(servedFile) || readFileSync(servedFile, 'utf8') !== code);
  if (stale) {
    await stopProcess(layout.root, name);
  }
  const started = startProcess(layout.root, { ...chaincodeServerSpec(layout, org, packageId), netns });
  if (!started.reused) writeFileSync(servedFile, code);
  return { ...started, restarted: stale };
}
