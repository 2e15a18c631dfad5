import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { wantedSequence } from './chaincode-deploy';
import { requiredSignatures } from './config-update';
import {
  JOINED_CENTRES_FILE,
  readDefinitionContent,
  readJoinedCentres,
  validateDefinition,
  withCentres,
  type CentreEntry,
  type Consortium,
} from './definition';
import { JoinError } from './errors';
import { ensureFabric } from './fabric-bin';
import { gatewayProcessName } from './gateways';
import { newOrdererHost, newPeerHost, type PeerHost } from './host';
import { REPO_ROOT } from './layout';
import { ordererProcessName, peerProcessName } from './nodes';
import type { Log } from './poll';
import { runningProcess } from './processes';
import { organisationInit, parseRoleFlags, ROLES, type RoleEnv, type RoleName } from './roles';

/**
 * `organisation:add`: on one machine, a new organisation joins the running consortium as the role
 * commands run in sequence over the one data dir (see roles.ts): `organisation:init`,
 * `member:propose`, `member:sign` by a majority of the members' admins less one, `member:submit` by
 * the last of them, `organisation:join`, `member:approve` by every member, `member:commit`,
 * `organisation:serve` (only the chaincode server when no gateway runs), and its registry entry.
 * Every step checks what is already done, so re-running after a failure carries on where it stopped.
 */

/**
 * The consortium of `definitionFile`, over `dataDir`, with the centres `dataDir` recorded joining
 * (except `code`) and `extra`, validated like any definition: a malformed code, or a code or MSP ID already in use, is
 * refused naming the field.
 */
function consortiumOf(
  definitionFile: string,
  dataDir: string,
  code: string,
  extra: readonly CentreEntry[],
): Consortium {
  const others = readJoinedCentres(dataDir).filter((c) => c.code !== code);
  const content = withCentres(readDefinitionContent(definitionFile), [...others, ...extra]);
  return validateDefinition(
    { ...(content as object), dataDir },
    REPO_ROOT,
    `${definitionFile} + centre ${code}`,
  );
}

function requireRunning(consortium: Consortium): void {
  const down = [
    ...consortium.ordererOrg.nodes.map(ordererProcessName),
    ...consortium.orgs.map(peerProcessName),
  ].filter((name) => runningProcess(consortium.dataDir, name) === null);
  if (down.length > 0) {
    throw new JoinError(
      `the network is not running (${down.join(', ')} down): start it with npm run network:up (or npm start)`,
    );
  }
}

function recordJoined(dataDir: string, centre: CentreEntry): void {
  const joined = readJoinedCentres(dataDir);
  if (!joined.some((c) => c.code === centre.code)) {
    writeFileSync(
      path.join(dataDir, JOINED_CENTRES_FILE),
      JSON.stringify([...joined, centre], null, 2) + '\n',
    );
  }
}

export interface AddOrganisationOptions {
  /** The definition file the consortium was loaded from (the role commands read it). */
  readonly definitionFile: string;
  /** The running consortium. */
  readonly consortium: Consortium;
  /** The organisation that joins. */
  readonly centre: CentreEntry;
  readonly log?: Log;
}

/** Runs a role command's function with the flags a human would type on this machine. */
type RoleRunner = (command: RoleName, flags: Readonly<Record<string, string>>) => Promise<unknown>;

/** One machine's join in progress: the roles' runner, the files they exchange, the first member's host. */
interface Join {
  readonly centre: CentreEntry;
  readonly centreFile: string;
  readonly work: string;
  readonly role: RoleRunner;
  readonly member: PeerHost;
  readonly log: Log;
}

/** member:propose, member:sign by a majority of the members' admins less one, member:submit by the last. */
async function admitToChannel(join: Join, base: Consortium): Promise<void> {
  const { centre, centreFile, work, role, log } = join;
  const signers = base.centres.slice(0, requiredSignatures(base));
  const last = signers[signers.length - 1];
  if (last === undefined || signers.length < requiredSignatures(base)) {
    throw new JoinError(
      `the consortium has ${base.centres.length} centres; the MAJORITY Admins policy needs ${requiredSignatures(base)} admin signatures`,
    );
  }
  log(`Proposing ${centre.mspId} (${centre.name}); ${signers.length} of ${base.orgs.length} admins sign`);
  const out = path.join(work, 'update.pb');
  let update = String(
    await role('member:propose', { org: join.member.orgKey, 'centre-file': centreFile, out }),
  );
  for (const signer of signers.slice(0, -1)) {
    const signed = path.join(work, `update.${signer.key}.pb`);
    update = String(await role('member:sign', { org: signer.key, update, out: signed }));
  }
  await role('member:submit', { org: last.key, update });
  log(`  the orderer accepted the update: ${centre.mspId} is a member of ${base.channel}`);
}

/**
 * organisation:join, member:approve by every member, member:commit, organisation:serve (only the
 * chaincode server when no gateway runs), then the registry entry once every peer knows every other.
 */
async function bringOnline(
  join: Join,
  base: Consortium,
  next: Consortium,
  newcomer: PeerHost,
): Promise<void> {
  const { centre, centreFile, role, member, log } = join;
  const { file: packageFile, packageId } = member.buildPackage();
  const sequence = String(
    (await wantedSequence({ consortium: next, layout: member.layout, cli: member.cli })).sequence,
  );
  const place = { fabric: newcomer.options.fabric, log: newcomer.options.log, dataDir: base.dataDir };
  const ordererFile = await newOrdererHost({ ...place, consortium: base }).init(
    path.join(join.work, 'orderer.json'),
  );
  const pseudonymKey = newcomer.layout.pseudonymKey;
  await role('organisation:join', {
    'centre-file': centreFile,
    'orderer-file': ordererFile,
    package: packageFile,
    'package-id': packageId,
    'pseudonym-key': pseudonymKey,
    sequence,
  });
  for (const org of base.orgs) {
    await role('member:approve', {
      org: org.key,
      'centre-file': centreFile,
      'package-id': packageId,
      sequence,
    });
  }
  await role('member:commit', { org: member.orgKey, 'centre-file': centreFile, sequence });
  if (base.orgs.some((o) => runningProcess(base.dataDir, gatewayProcessName(o)) !== null)) {
    log(
      `  gateway on ${String(await role('organisation:serve', { 'centre-file': centreFile, 'package-id': packageId }))}`,
    );
  } else {
    await newcomer.startChaincodeServer(packageId);
  }
  // Every peer, old and new, must know every other before transfers with the new centre can be endorsed.
  await Promise.all(next.orgs.map((o) => newPeerHost({ ...place, consortium: next }, o.key).waitChaincode()));
  log(`  every peer answers for the chaincode and knows ${centre.mspId}`);
  await member.registerCentre(base, centre);
  log(`  registered ${centre.code} (${centre.mspId}) in the chaincode registry`);
}

/** Runs `organisation:add` (see above); returns the consortium with the organisation in it. */
export async function addOrganisation(options: AddOrganisationOptions): Promise<Consortium> {
  const { definitionFile, centre } = options;
  const log = options.log ?? console.log;
  const started = Date.now();
  const dataDir = options.consortium.dataDir;
  const base = consortiumOf(definitionFile, dataDir, centre.code, []);
  // Validate first: a duplicate or malformed centre is refused before anything is touched.
  const next = consortiumOf(definitionFile, dataDir, centre.code, [centre]);
  requireRunning(base);
  const first = base.centres[0];
  if (first === undefined) throw new JoinError('the consortium has no centre');
  const env: RoleEnv = { fabric: await ensureFabric(() => undefined), log: (line) => log(`  ${line}`) };
  const joined = readJoinedCentres(dataDir);
  const others = joined.filter((c) => c.code !== centre.code);
  const member = newPeerHost(
    { ...env, definition: withCentres(readDefinitionContent(definitionFile), others), dataDir },
    first.key,
  );
  const work = member.layout.joiningDir(centre.code);
  const centreFile = path.join(work, 'organisation.json');
  const newcomer = await organisationInit(env, {
    definition: definitionFile,
    dataDir,
    centre,
    out: centreFile,
  });
  const join: Join = {
    centre,
    centreFile,
    work,
    member,
    log,
    role: async (command, flags) => {
      const argv = Object.entries(flags).flatMap(([flag, value]) => [`--${flag}`, value]);
      log(`  ${command} ${argv.join(' ')}`);
      const common = ['--definition', definitionFile, '--data-dir', dataDir];
      return ROLES[command](env, parseRoleFlags(command, [...common, ...argv]));
    },
  };
  if (others.length < joined.length || (await member.isChannelMember(centre.mspId))) {
    log(`${centre.mspId} is already in the channel config; bringing it online`);
  } else {
    await admitToChannel(join, base);
  }
  recordJoined(dataDir, centre);
  await bringOnline(join, base, next, newcomer);
  log(`Centre ${centre.code} added in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return next;
}
