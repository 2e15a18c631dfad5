import path from 'node:path';
import { parseArgs } from 'node:util';
import { helpText, usageLine, type CommandSpec, type FlagSpec } from './cli-args';
import { UsageError } from './errors';
import { readDefinitionContent, readJoinedCentres, withCentres, type CentreEntry } from './definition';
import type { FabricInstall } from './fabric-bin';
import { newPeerHost, type PeerHost } from './host';
import type { Log } from './poll';
import { readOrganisationFile } from './organisation-file';

/**
 * The per-host role commands (`member:propose|sign|submit|approve|commit`, `organisation:join|serve`):
 * each runs on one organisation's own host, over its own data dir, and exchanges only files. Each is
 * a function over a fresh `PeerHost` built from the flags, so the rehearsal calls exactly what the
 * command calls. Flags are parsed by `parseRoleFlags` (unknown, missing or malformed flags are
 * errors naming the flag).
 */

/** Where a role command runs: its Fabric install, its log, and (rehearsal only) its namespace. */
export interface RoleEnv {
  readonly fabric: FabricInstall;
  readonly log: Log;
  readonly netns?: string;
}

/** The host a command acts on: the shared definition file, this host's data dir, its organisation. */
export interface HostFlags {
  readonly definition: string;
  readonly dataDir: string;
  readonly org: string;
}

export type RoleName =
  | 'member:propose'
  | 'member:sign'
  | 'member:submit'
  | 'member:approve'
  | 'member:commit'
  | 'organisation:join'
  | 'organisation:serve';

export interface RoleFlags {
  readonly definition: string;
  readonly dataDir: string;
  /** The acting member's key (`regulator`, `c110000`); empty for organisation:* (the centre file names it). */
  readonly org: string;
  readonly centreFile?: string;
  readonly ordererFile?: string;
  readonly update?: string;
  readonly out?: string;
  readonly package?: string;
  readonly packageId?: string;
  readonly pseudonymKey?: string;
  readonly sequence?: number;
}

/** A role command's flags are wrong (the message names the flag). */
export class RoleUsageError extends UsageError {}

type Flag =
  | 'definition'
  | 'data-dir'
  | 'org'
  | 'centre-file'
  | 'orderer-file'
  | 'update'
  | 'out'
  | 'package'
  | 'package-id'
  | 'pseudonym-key'
  | 'sequence';

/** Which flags each role requires (every role also requires --definition and --data-dir). */
export const ROLE_FLAGS: Readonly<Record<RoleName, readonly Flag[]>> = {
  'member:propose': ['org', 'centre-file', 'out'],
  'member:sign': ['org', 'update', 'out'],
  'member:submit': ['org', 'update'],
  'member:approve': ['org', 'centre-file', 'package-id', 'sequence'],
  'member:commit': ['org', 'centre-file', 'sequence'],
  'organisation:join': ['centre-file', 'orderer-file', 'package', 'package-id', 'pseudonym-key', 'sequence'],
  'organisation:serve': ['centre-file', 'package-id'],
};

/** Each flag's help line and placeholder (every role flag takes a value and is required). */
const FLAG_HELP: Readonly<Record<Flag, Pick<FlagSpec, 'arg' | 'help'>>> = {
  definition: { arg: 'FILE', help: 'the shared consortium definition (YAML)' },
  'data-dir': { arg: 'DIR', help: "this host's own data dir" },
  org: { arg: 'KEY', help: 'the acting member: regulator or c<6-digit code>' },
  'centre-file': { arg: 'FILE', help: "the joining centre's organisation file" },
  'orderer-file': { arg: 'FILE', help: "the orderer organisation's organisation file" },
  update: { arg: 'FILE', help: 'the config update envelope received' },
  out: { arg: 'FILE', help: 'where the (signed) config update is written' },
  package: { arg: 'FILE', help: 'the chaincode package received' },
  'package-id': {
    arg: 'ID',
    help: "the approved package ID (label:sha256), checked against the package's hash",
  },
  'pseudonym-key': { arg: 'FILE', help: "the consortium's pseudonymisation key received" },
  sequence: { arg: 'N', help: 'the chaincode definition sequence to approve or commit' },
};

const ROLE_SUMMARY: Readonly<Record<RoleName, string>> = {
  'member:propose': 'A member writes the config update adding the centre of --centre-file to the channel.',
  'member:sign': "A member's admin signs the config update received.",
  'member:submit': 'A member submits the signed config update to the orderer (its own signature is added).',
  'member:approve': 'A member approves the next chaincode definition (the joining centre included).',
  'member:commit': "A member commits the definition at --sequence, endorsed by every organisation's peer.",
  'organisation:join':
    "On the joining organisation's host: its peer joins the channel, catches up, installs the package and approves.",
  'organisation:serve':
    "On the joining organisation's host, after the commit: its chaincode server and gateway.",
};

/** A role command as a CommandSpec (its usage line and --help). */
export function roleSpec(role: RoleName): CommandSpec<Record<string, FlagSpec>> {
  const flags: Flag[] = ['definition', 'data-dir', ...ROLE_FLAGS[role]];
  return {
    command: `npm run ${role}`,
    summary: `${ROLE_SUMMARY[role]} Run on one organisation's own host, over its own data dir; exchanges only files.`,
    flags: Object.fromEntries(
      flags.map((f) => [f, { type: 'string', required: true, ...FLAG_HELP[f] } satisfies FlagSpec]),
    ),
  };
}

export function roleUsage(role: RoleName): string {
  return usageLine(roleSpec(role));
}

export function roleHelp(role: RoleName): string {
  return helpText(roleSpec(role));
}

export function isRoleName(role: string): role is RoleName {
  return role in ROLE_FLAGS;
}

const ORG_KEY = /^(regulator|c\d{6})$/;
const PACKAGE_ID = /^[A-Za-z0-9_.+-]{1,100}:[0-9a-f]{64}$/;

/** Parses and validates a role command's flags; throws RoleUsageError naming the flag. */
export function parseRoleFlags(role: string, args: readonly string[]): RoleFlags {
  if (!isRoleName(role)) {
    throw new RoleUsageError(`unknown role command ${role}: use ${Object.keys(ROLE_FLAGS).join(', ')}`);
  }
  const name = role;
  const allowed: readonly Flag[] = ['definition', 'data-dir', ...ROLE_FLAGS[name]];
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...args],
      options: Object.fromEntries(allowed.map((f) => [f, { type: 'string' as const }])),
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new RoleUsageError(`${(error as Error).message}\nusage: ${roleUsage(name)}`);
  }
  const get = (flag: Flag): string => {
    const value = values[flag];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new RoleUsageError(`--${flag} is required for ${name}\nusage: ${roleUsage(name)}`);
    }
    return value.trim();
  };
  const opt = (flag: Flag): string | undefined => (allowed.includes(flag) ? get(flag) : undefined);
  const org = opt('org');
  if (org !== undefined && !ORG_KEY.test(org)) {
    throw new RoleUsageError(`--org ${org}: must be regulator or c followed by a 6-digit centre code`);
  }
  const packageId = opt('package-id');
  if (packageId !== undefined && !PACKAGE_ID.test(packageId)) {
    throw new RoleUsageError(
      `--package-id ${packageId}: must be label:sha256-hex (peer lifecycle's package ID)`,
    );
  }
  const sequenceText = opt('sequence');
  let sequence: number | undefined;
  if (sequenceText !== undefined) {
    if (!/^[1-9]\d{0,5}$/.test(sequenceText)) {
      throw new RoleUsageError(`--sequence ${sequenceText}: must be a positive integer`);
    }
    sequence = Number(sequenceText);
  }
  const file = (flag: Flag): string | undefined => {
    const value = opt(flag);
    return value === undefined ? undefined : path.resolve(value);
  };
  const centreFile = file('centre-file');
  return {
    definition: path.resolve(get('definition')),
    dataDir: path.resolve(get('data-dir')),
    org: org ?? '',
    centreFile,
    ordererFile: file('orderer-file'),
    update: file('update'),
    out: file('out'),
    package: file('package'),
    packageId,
    pseudonymKey: file('pseudonym-key'),
    sequence,
  };
}

/** The centre entry an organisation file describes (refused when it is not a centre's). */
export function centreEntryOf(file: string): CentreEntry {
  const content = readOrganisationFile(file);
  if (content.role !== 'centre' || content.code === null) {
    throw new RoleUsageError(
      `--centre-file ${file}: is a ${content.role}'s organisation file, not a centre's`,
    );
  }
  return { code: content.code, mspId: content.mspId, name: content.name, host: content.host };
}

function need<T>(value: T | undefined, flag: string): T {
  if (value === undefined) throw new RoleUsageError(`--${flag} is required`);
  return value;
}

/**
 * The shared definition with the centres this data dir recorded joining (on one machine, where
 * `organisation:add` runs the roles over one data dir) and `extra`.
 */
function definitionOf(
  flags: Pick<RoleFlags, 'definition' | 'dataDir'>,
  extra: readonly CentreEntry[],
): unknown {
  const joined = readJoinedCentres(flags.dataDir).filter((c) => !extra.some((e) => e.code === c.code));
  return withCentres(readDefinitionContent(flags.definition), [...joined, ...extra]);
}

/** A member's host as the command sees it; with `admit`, after learning of the joining centre. */
function memberHost(env: RoleEnv, flags: RoleFlags, admit: boolean): PeerHost {
  const host = newPeerHost(
    { definition: definitionOf(flags, []), dataDir: flags.dataDir, ...env },
    flags.org,
  );
  if (admit) {
    const file = need(flags.centreFile, 'centre-file');
    host.admit(centreEntryOf(file));
    host.importOrganisationFile(file);
  }
  return host;
}

/** The joining centre's host: the shared definition plus itself (from its own organisation file). */
function centreHost(env: RoleEnv, flags: RoleFlags): PeerHost {
  const entry = centreEntryOf(need(flags.centreFile, 'centre-file'));
  return newPeerHost(
    { definition: definitionOf(flags, [entry]), dataDir: flags.dataDir, ...env },
    `c${entry.code}`,
  );
}

/**
 * organisation:init — on the new organisation's own host: generates its keys there and writes its
 * organisation file (public material only) to `out`. The entry is validated like any definition
 * entry: a bad code, name or host is refused naming the field.
 */
export async function organisationInit(
  env: RoleEnv,
  options: {
    readonly definition: string;
    readonly dataDir: string;
    readonly centre: CentreEntry;
    readonly out: string;
  },
): Promise<PeerHost> {
  const { centre } = options;
  const host = newPeerHost(
    { definition: definitionOf(options, [centre]), dataDir: options.dataDir, ...env },
    `c${centre.code}`,
  );
  await host.init(options.out);
  return host;
}

/** member:propose — writes the config update adding the centre of --centre-file to --out. */
export async function memberPropose(env: RoleEnv, flags: RoleFlags): Promise<string> {
  const host = memberHost(env, flags, false);
  const file = need(flags.centreFile, 'centre-file');
  return host.proposeCentre(file, centreEntryOf(file), need(flags.out, 'out'));
}

/** member:sign — this member's admin signs --update, writing the signed update to --out. */
export async function memberSign(env: RoleEnv, flags: RoleFlags): Promise<string> {
  return memberHost(env, flags, false).signUpdate(need(flags.update, 'update'), need(flags.out, 'out'));
}

/** member:submit — sends the signed --update to the orderer (this member's signature is added). */
export async function memberSubmit(env: RoleEnv, flags: RoleFlags): Promise<void> {
  await memberHost(env, flags, false).submitUpdate(need(flags.update, 'update'));
}

/** member:approve — this member approves the next definition (the joining centre included). */
export async function memberApprove(env: RoleEnv, flags: RoleFlags): Promise<void> {
  await memberHost(env, flags, true).approve(
    need(flags.packageId, 'package-id'),
    need(flags.sequence, 'sequence'),
  );
}

/** member:commit — commits the definition at --sequence, endorsed by every organisation's peer. */
export async function memberCommit(env: RoleEnv, flags: RoleFlags): Promise<void> {
  await memberHost(env, flags, true).commit(need(flags.sequence, 'sequence'));
}

/**
 * organisation:join — on the joining centre's host: imports the orderer's organisation file, installs the
 * pseudonymisation key, starts its peer, fetches block 0 from an orderer and joins, catches up,
 * installs the package received (its hash checked against --package-id) and approves --sequence.
 */
export async function organisationJoin(env: RoleEnv, flags: RoleFlags): Promise<void> {
  const host = centreHost(env, flags);
  host.importOrganisationFile(need(flags.ordererFile, 'orderer-file'));
  host.receivePseudonymKey(need(flags.pseudonymKey, 'pseudonym-key'));
  await host.startPeer();
  await host.joinChannel(await host.fetchGenesisBlock());
  const newest = await host.newestBlock();
  env.log(`   ${host.org.mspId}: catching up to height ${newest + 1}`);
  await host.waitHeight(newest + 1);
  const packageId = need(flags.packageId, 'package-id');
  await host.installPackage(need(flags.package, 'package'), packageId);
  await host.approve(packageId, need(flags.sequence, 'sequence'));
}

/** organisation:serve — after the commit: the joining centre's chaincode server and gateway. */
export async function organisationServe(env: RoleEnv, flags: RoleFlags): Promise<string> {
  const host = centreHost(env, flags);
  await host.startChaincodeServer(need(flags.packageId, 'package-id'));
  await host.waitChaincode();
  return host.startGateway();
}

export const ROLES: Readonly<Record<RoleName, (env: RoleEnv, flags: RoleFlags) => Promise<unknown>>> = {
  'member:propose': memberPropose,
  'member:sign': memberSign,
  'member:submit': memberSubmit,
  'member:approve': memberApprove,
  'member:commit': memberCommit,
  'organisation:join': organisationJoin,
  'organisation:serve': organisationServe,
};
