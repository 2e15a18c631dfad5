import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureDefinition, ensureInstalled, ensurePackage, startChaincodeServer } from './chaincode-deploy';
import { peerOrgSection, writeConfigtx } from './channel-config';
import { ensureCrypto } from './crypto';
import {
  JOINED_CENTRES_FILE,
  readDefinitionContent,
  readJoinedCentres,
  validateDefinition,
  withCentres,
  type CentreEntry,
  type Consortium,
  type OrgDefinition,
} from './definition';
import { ensureFabric } from './fabric-bin';
import { FabricCli, FabricToolError } from './fabric-cli';
import { ensureApiKeys, gatewayProcessName, gatewayUrl, startGateway, waitGatewayReady } from './gateways';
import { Layout, REPO_ROOT } from './layout';
import { waitChaincode, type Log } from './network';
import {
  joinPeer,
  ordererArgs,
  ordererProcessName,
  peerHeight,
  peerProcessName,
  peerSpec,
  startNode,
  waitHealthy,
  waitListening,
} from './nodes';
import { withOrg } from './org-client';
import { pollUntil } from './poll';
import { runningProcess } from './processes';
import { z } from 'zod';
import { parseState, proposalSchema, readState } from './state-store';

/**
 * A provincial centre joining the running consortium, in the steps real admins take on their own
 * machines:
 *
 * 1. `propose`: the new centre's crypto and its org definition (`configtxgen -printOrg`), the current
 *    channel config (`peer channel fetch config`), and the config update that adds the org
 *    (`configtxlator compute_update`), wrapped in an envelope file;
 * 2. `sign`: one existing centre's admin adds a signature with its own credentials (`peer channel signconfigtx`);
 * 3. `submit`: the update goes to the orderer, which checks the channel's `MAJORITY Admins` policy;
 *    then the new centre comes online: peer, channel join, chaincode install, the chaincode definition
 *    with the new endorsement policy, chaincode server, gateway, and its registry entry (endorsed by a
 *    majority of the existing centres).
 *
 * Every step checks what is already done, so re-running after a failure carries on where it stopped.
 */

export class JoinError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'JoinError';
  }
}

export interface Proposal {
  readonly centre: CentreEntry;
  readonly channel: string;
  readonly createdAt: string;
  /** MSP IDs of the existing centres whose admins signed, in signing order. */
  readonly signers: readonly string[];
}

/** One host's view: the consortium as it knows it, its data dir's layout, its Fabric tools. */
export interface Context {
  readonly consortium: Consortium;
  readonly layout: Layout;
  readonly cli: FabricCli;
  readonly log: Log;
}

async function context(consortium: Consortium, log: Log): Promise<Context> {
  const fabric = await ensureFabric(log);
  const layout = new Layout(consortium);
  return { consortium, layout, cli: new FabricCli(fabric, layout), log };
}

function proposalDir(layout: Layout, code: string): string {
  return path.join(layout.root, 'joining', code);
}

function envelopeFile(layout: Layout, code: string): string {
  return path.join(proposalDir(layout, code), 'update-envelope.pb');
}

function readProposal(layout: Layout, code: string): Proposal {
  const file = path.join(proposalDir(layout, code), 'proposal.json');
  const proposal = readState(file, proposalSchema);
  if (proposal === null) {
    throw new JoinError(
      `no proposal for centre ${code}: run centre:propose -- --code ${code} --name … first`,
    );
  }
  return proposal;
}

function writeProposal(layout: Layout, proposal: Proposal): void {
  writeFileSync(
    path.join(proposalDir(layout, proposal.centre.code), 'proposal.json'),
    JSON.stringify(proposal, null, 2) + '\n',
  );
}

/** The single pending proposal, when `code` is not given and exactly one exists. */
export function pendingProposalCode(consortium: Consortium, code: string | undefined): string {
  if (code !== undefined) return code;
  const layout = new Layout(consortium);
  const dir = path.join(layout.root, 'joining');
  const pending = existsSync(dir)
    ? readdirSync(dir).filter((c) => existsSync(path.join(dir, c, 'proposal.json')))
    : [];
  if (pending.length !== 1) {
    throw new JoinError(
      pending.length === 0
        ? 'no pending proposal: run centre:propose first'
        : `several pending proposals (${pending.join(', ')}): name one with --code`,
    );
  }
  return pending[0] ?? '';
}

function requireRunning(ctx: Context): void {
  const { consortium, layout } = ctx;
  const down = [
    ...consortium.ordererOrg.nodes.map(ordererProcessName),
    ...consortium.orgs.map(peerProcessName),
  ].filter((name) => runningProcess(layout.root, name) === null);
  if (down.length > 0) {
    throw new JoinError(
      `the network is not running (${down.join(', ')} down): start it with npm run network:up (or npm start)`,
    );
  }
}

/**
 * The consortium with `centre` added, validated like any definition: a malformed code, or a code or
 * MSP ID already in use, is rejected naming the field.
 */
export function consortiumWith(definitionFile: string, dataDir: string, centre: CentreEntry): Consortium {
  return consortiumOf(definitionFile, dataDir, centre.code, [centre]);
}

/** The consortium as it was before `code` joined (used to resume an interrupted join). */
function consortiumWithout(definitionFile: string, dataDir: string, code: string): Consortium {
  return consortiumOf(definitionFile, dataDir, code, []);
}

function consortiumOf(
  definitionFile: string,
  dataDir: string,
  code: string,
  extra: readonly CentreEntry[],
): Consortium {
  const others = readJoinedCentres(dataDir).filter((c) => c.code !== code);
  const content = withCentres(readDefinitionContent(definitionFile), [...others, ...extra]);
  return validateDefinition(content, REPO_ROOT, `${definitionFile} + centre ${code}`);
}

function orgOf(consortium: Consortium, code: string): OrgDefinition {
  const org = consortium.centres.find((c) => c.code === code);
  if (org === undefined) throw new JoinError(`centre ${code} is not a member of the consortium`);
  return org;
}

interface ChannelConfig {
  channel_group: { groups: { Application: { groups: Record<string, unknown> } } };
}

/** The channel's current config, fetched by an existing centre's admin and decoded to JSON by configtxlator. */
async function fetchConfig(ctx: Context, dir: string): Promise<ChannelConfig> {
  const first = ctx.consortium.centres[0];
  if (first === undefined) throw new JoinError('the consortium has no centre');
  const block = path.join(dir, 'config-block.pb');
  await ctx.cli.peer(first, [
    'channel',
    'fetch',
    'config',
    block,
    '-c',
    ctx.consortium.channel,
    ...ordererArgs(ctx.consortium, ctx.layout),
  ]);
  const parsed = (await decode(ctx, block, 'common.Block')) as {
    data: { data: { payload: { data: { config: ChannelConfig } } }[] };
  };
  const config = parsed.data.data[0]?.payload.data.config;
  if (config === undefined) throw new JoinError('the fetched config block holds no config');
  return config;
}

/** configtxlator writes to files: its default /dev/stdout cannot be opened when stdout is a socket. */
async function decode(ctx: Context, file: string, type: string): Promise<unknown> {
  const output = `${file}.json`;
  await ctx.cli.run('configtxlator', ['proto_decode', '--input', file, '--type', type, '--output', output]);
  return parseState(output, readFileSync(output, 'utf8'), z.unknown());
}

async function encode(ctx: Context, json: unknown, type: string, file: string): Promise<void> {
  const input = `${file}.json`;
  writeFileSync(input, JSON.stringify(json));
  await ctx.cli.run('configtxlator', ['proto_encode', '--input', input, '--type', type, '--output', file]);
}

/** Is the org already in the channel's Application group? */
export async function isChannelMember(
  consortium: Consortium,
  mspId: string,
  log: Log = () => undefined,
): Promise<boolean> {
  const ctx = await context(consortium, log);
  const dir = path.join(ctx.layout.root, 'joining');
  mkdirSync(dir, { recursive: true });
  const config = await fetchConfig(ctx, dir);
  return mspId in config.channel_group.groups.Application.groups;
}

/** Step 1: writes the config update that adds the centre, and a proposal with no signatures yet. */
export async function propose(
  definitionFile: string,
  consortium: Consortium,
  centre: CentreEntry,
  log: Log = console.log,
): Promise<Proposal> {
  const ctx = await context(consortium, log);
  requireRunning(ctx);
  const next = consortiumWith(definitionFile, consortium.dataDir, centre);
  const org = orgOf(next, centre.code);
  const dir = proposalDir(ctx.layout, centre.code);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  const generated = await ensureCrypto(next, ctx.layout, ctx.cli);
  log(`  crypto: ${generated.length > 0 ? `generated for ${generated.join(', ')}` : 'present'}`);
  await writeAddOrgEnvelope(ctx, org, dir, envelopeFile(ctx.layout, centre.code));

  const proposal: Proposal = {
    centre,
    channel: consortium.channel,
    createdAt: new Date().toISOString(),
    signers: [],
  };
  writeProposal(ctx.layout, proposal);
  log(`  proposal written: ${envelopeFile(ctx.layout, centre.code)}`);
  log(
    `  it needs signatures of ${requiredSignatures(consortium)} of the ${consortium.orgs.length} member organisations' admins (MAJORITY Admins)`,
  );
  return proposal;
}

/**
 * Writes to `envelope` the config update that adds `org` to the channel, computed from the channel's
 * current config (fetched by the first centre's admin) and the org's MSP in `ctx.layout` (its public
 * certificates are all it needs). Work files go to `dir`.
 */
export async function writeAddOrgEnvelope(
  ctx: Context,
  org: OrgDefinition,
  dir: string,
  envelope: string,
): Promise<void> {
  const { consortium } = ctx;
  mkdirSync(dir, { recursive: true });
  writeConfigtx(dir, { Organizations: [peerOrgSection(org, ctx.layout)] });
  const printed = await ctx.cli.run('configtxgen', ['-printOrg', org.mspId, '-configPath', dir], {
    FABRIC_CFG_PATH: dir,
  });
  const orgGroup = parseState(`configtxgen -printOrg ${org.mspId}`, printed.stdout, z.unknown());

  const original = await fetchConfig(ctx, dir);
  if (org.mspId in original.channel_group.groups.Application.groups) {
    throw new JoinError(`${org.mspId} is already a member of channel ${consortium.channel}`);
  }
  const updated = structuredClone(original);
  updated.channel_group.groups.Application.groups[org.mspId] = orgGroup;
  await encode(ctx, original, 'common.Config', path.join(dir, 'original.pb'));
  await encode(ctx, updated, 'common.Config', path.join(dir, 'updated.pb'));
  const updateFile = path.join(dir, 'update.pb');
  await ctx.cli.run('configtxlator', [
    'compute_update', '--channel_id', consortium.channel,
    '--original', path.join(dir, 'original.pb'), '--updated', path.join(dir, 'updated.pb'), '--output', updateFile,
  ]); // prettier-ignore
  const update = await decode(ctx, updateFile, 'common.ConfigUpdate');
  const wrapped = {
    payload: {
      header: { channel_header: { channel_id: consortium.channel, type: 2 } },
      data: { config_update: update },
    },
  };
  await encode(ctx, wrapped, 'common.Envelope', envelope);
}

/** Signatures the channel's `MAJORITY Admins` policy needs: a majority of the application orgs. */
export function requiredSignatures(consortium: Consortium): number {
  return Math.floor(consortium.orgs.length / 2) + 1;
}

/** Step 2: the admin of existing centre `asCode` signs the update with its own credentials. */
export async function sign(
  consortium: Consortium,
  code: string,
  asCode: string,
  log: Log = console.log,
): Promise<Proposal> {
  const ctx = await context(consortium, log);
  const proposal = readProposal(ctx.layout, code);
  const signer = consortium.centres.find((c) => c.code === asCode);
  if (signer === undefined) {
    throw new JoinError(
      `--as ${asCode}: not an existing centre of the consortium (members: ${consortium.centres.map((c) => c.code).join(', ')})`,
    );
  }
  if (proposal.signers.includes(signer.mspId)) {
    log(`  ${signer.mspId} has already signed`);
    return proposal;
  }
  await ctx.cli.peer(signer, ['channel', 'signconfigtx', '-f', envelopeFile(ctx.layout, code)]);
  const signed: Proposal = { ...proposal, signers: [...proposal.signers, signer.mspId] };
  writeProposal(ctx.layout, signed);
  log(
    `  signed by ${signer.mspId}'s admin (${signed.signers.length} of ${requiredSignatures(consortium)} needed)`,
  );
  return signed;
}

/** Waits until the new peer has caught up with an existing one (it must, to endorse like them). */
async function waitCaughtUp(ctx: Context, org: OrgDefinition, timeoutMs = 60_000): Promise<void> {
  const reference = ctx.consortium.centres.find((c) => c.mspId !== org.mspId);
  if (reference === undefined) return;
  let heights: (number | null)[] = [];
  await pollUntil(
    async () => {
      heights = await Promise.all([
        peerHeight(ctx.consortium, ctx.cli, org),
        peerHeight(ctx.consortium, ctx.cli, reference),
      ]);
      const [mine, theirs] = heights;
      return mine != null && theirs != null && mine >= theirs ? true : undefined;
    },
    {
      timeoutMs,
      intervalMs: 500,
      failure: () =>
        new JoinError(
          `${org.mspId}'s peer did not catch up (height ${String(heights[0])} of ${String(heights[1])})`,
        ),
    },
  );
}

function recordJoined(layout: Layout, centre: CentreEntry): void {
  const joined = readJoinedCentres(layout.root);
  if (!joined.some((c) => c.code === centre.code)) {
    writeFileSync(
      path.join(layout.root, JOINED_CENTRES_FILE),
      JSON.stringify([...joined, centre], null, 2) + '\n',
    );
  }
}

/** Registers the centre in the chaincode registry, endorsed by every existing centre (a majority is needed). */
export async function register(ctx: Context, existing: Consortium, centre: CentreEntry): Promise<void> {
  const proposer = existing.centres[0];
  if (proposer === undefined) throw new JoinError('the consortium has no centre');
  await withOrg(ctx.layout, proposer, async ({ gateway }) => {
    const contract = gateway.getNetwork(existing.channel).getContract(existing.chaincode.name, 'registry');
    await contract.submit('AddCentre', {
      // The registry entry: code, MSP ID and name (where its nodes run is not the ledger's business).
      arguments: [JSON.stringify({ code: centre.code, mspId: centre.mspId, name: centre.name })],
      endorsingOrganizations: existing.centres.map((c) => c.mspId),
    });
  });
}

/**
 * Brings a centre that is in the channel config online: its peer, channel join, chaincode install, the
 * definition with the new policy, its chaincode server and gateway, and its registry entry.
 */
async function activate(
  ctx: Context,
  existing: Consortium,
  next: Consortium,
  centre: CentreEntry,
): Promise<void> {
  const { layout, cli, log } = ctx;
  const org = orgOf(next, centre.code);
  const nextCtx: Context = { ...ctx, consortium: next };
  const fabric = await ensureFabric(() => undefined);
  const { pid } = startNode(layout, peerSpec(layout, fabric, org, next.orgs.length));
  await waitHealthy(peerProcessName(org), org.address, org.ports.operations, layout);
  await waitListening(peerProcessName(org), org.address, org.ports.peer, layout);
  log(
    `  ${peerProcessName(org)} running (pid ${pid}); ${(await joinPeer(next, layout, cli, org)) ? 'joined' : 'already joined'} ${next.channel}`,
  );
  await waitCaughtUp(nextCtx, org);
  const packageId = ensurePackage(next, layout);
  log(
    `  ${(await ensureInstalled(cli, layout, org, packageId)) ? 'installed' : 'had installed'} ${packageId}`,
  );
  await ensureDefinition(next, layout, cli, packageId, (line) => log(`  ${line}`));
  await startChaincodeServer(layout, org, packageId);
  // Every peer, old and new, must know every other before transfers with the new centre can be endorsed.
  await Promise.all(next.orgs.map((o) => waitChaincode(next, layout, o)));
  log(`  every peer answers for the chaincode and knows ${org.mspId}`);
  if (existing.orgs.some((o) => runningProcess(layout.root, gatewayProcessName(o)) !== null)) {
    ensureApiKeys(next, layout);
    startGateway(next, layout, org);
    await waitGatewayReady(org);
    log(`  gateway on ${gatewayUrl(org)}`);
  }
  await register(ctx, existing, centre);
  log(`  registered ${centre.code} (${centre.mspId}) in the chaincode registry`);
}

/** The reason the orderer gave for refusing a config update, from `peer channel update` output. */
function rejection(error: FabricToolError): string {
  const line = error.output.split('\n').find((l) => /status: BAD_REQUEST|FORBIDDEN|policy|Error:/.test(l));
  return (line ?? error.output.trim().split('\n').pop() ?? '').replace(/^.*?Error: /, '');
}

/** Step 3: submits the signed update; on success brings the new centre online. */
export async function submit(
  definitionFile: string,
  consortium: Consortium,
  code: string,
  log: Log = console.log,
): Promise<Consortium> {
  const ctx = await context(consortium, log);
  requireRunning(ctx);
  const proposal = readProposal(ctx.layout, code);
  const submitterMsp = proposal.signers[0];
  const submitter = consortium.centres.find((c) => c.mspId === submitterMsp);
  if (submitter === undefined) {
    throw new JoinError(
      `the proposal for ${code} has no signatures: add them with centre:sign -- --as <code> (needs ${requiredSignatures(consortium)})`,
    );
  }
  try {
    await ctx.cli.peer(submitter, [
      'channel',
      'update',
      '-f',
      envelopeFile(ctx.layout, code),
      '-c',
      consortium.channel,
      ...ordererArgs(ctx.consortium, ctx.layout),
    ]);
  } catch (error) {
    if (!(error instanceof FabricToolError)) throw error;
    throw new JoinError(
      `the orderer rejected the channel update for ${proposal.centre.mspId}: ${rejection(error)}\n` +
        `signatures: ${proposal.signers.length} (${proposal.signers.join(', ')}); the channel's MAJORITY Admins policy needs ${requiredSignatures(consortium)}. ` +
        'Nothing was changed; add signatures with centre:sign and submit again.',
      { cause: error },
    );
  }
  log(`  the orderer accepted the update: ${proposal.centre.mspId} is a member of ${consortium.channel}`);
  recordJoined(ctx.layout, proposal.centre);
  const next = consortiumWith(definitionFile, consortium.dataDir, proposal.centre);
  await activate(ctx, consortium, next, proposal.centre);
  rmSync(path.join(proposalDir(ctx.layout, code), 'proposal.json'), { force: true });
  return next;
}

/**
 * The one-shot `centre:add`: propose, sign with as many existing centres as the policy needs, submit.
 * Re-running after a failure resumes: a centre already in the channel config is only brought online.
 */
export async function addCentre(
  definitionFile: string,
  consortium: Consortium,
  centre: CentreEntry,
  log: Log = console.log,
): Promise<Consortium> {
  const started = Date.now();
  const joinedAlready = readJoinedCentres(consortium.dataDir).some((c) => c.code === centre.code);
  const base = joinedAlready
    ? consortiumWithout(definitionFile, consortium.dataDir, centre.code)
    : consortium;
  // Validate first: a duplicate or malformed centre is refused before anything is touched.
  const next = consortiumWith(definitionFile, base.dataDir, centre);
  const ctx = await context(base, log);
  requireRunning(ctx);
  if (joinedAlready || (await isChannelMember(base, centre.mspId))) {
    log(`${centre.mspId} is already in the channel config; bringing it online`);
    recordJoined(ctx.layout, centre);
    await activate(ctx, base, next, centre);
  } else {
    log(`Proposing ${centre.mspId} (${centre.name})`);
    await propose(definitionFile, base, centre, log);
    const signers = base.centres.slice(0, requiredSignatures(base));
    if (signers.length < requiredSignatures(base)) {
      throw new JoinError(
        `the consortium has ${base.centres.length} centres; the MAJORITY Admins policy needs ${requiredSignatures(base)} admin signatures`,
      );
    }
    for (const signer of signers) await sign(base, centre.code, signer.code ?? '', log);
    await submit(definitionFile, base, centre.code, log);
  }
  log(`Centre ${centre.code} added in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return next;
}
