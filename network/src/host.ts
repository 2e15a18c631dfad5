import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { common } from '@hyperledger/fabric-protos';
import path from 'node:path';
import { TextDecoder } from 'node:util';
import { agreedRegistrySha256, deriveAgreedRegistry, ensureAgreedRegistry } from './agreed-registry';
import {
  approve,
  commit,
  ensureInstalled,
  ensurePackage,
  queryCommitted,
  startChaincodeServer,
} from './chaincode-deploy';
import { ensureGenesisBlock, printOrg } from './channel-config';
import {
  fetchChannelConfig,
  signConfigUpdate,
  submitConfigUpdate,
  writeConfigUpdate,
  type ChannelAdmin,
} from './config-update';
import { ensureOrdererCrypto, ensureOrgCrypto, ensurePseudonymKey } from './crypto';
import { writeBundle, type Bundle } from './bundle';
import { claimDataDir } from './data-dir';
import {
  validateDefinition,
  withCentres,
  type CentreEntry,
  type Consortium,
  type OrgDefinition,
} from './definition';
import type { FabricInstall } from './fabric-bin';
import { FabricCli } from './fabric-cli';
import { ensureApiKeys, gatewayUrl, startGateway, waitGatewayReady } from './gateways';
import { Layout, REPO_ROOT } from './layout';
import {
  ensureBaseConfig,
  joinOrderer,
  joinPeer,
  LARGE_CONSORTIUM_ORGS,
  ordererProcessName,
  ordererTarget,
  ordererSpec,
  peerHeight,
  peerProcessName,
  peerSpec,
  startNode,
  waitNode,
  waitRaftLeader,
} from './nodes';
import {
  importOrganisation,
  ordererOrganisationFile,
  peerOrganisationFile,
  readOrganisationFile,
  writeOrganisationFile,
} from './organisation-file';
import { withOrg } from './org-client';
import { pollUntil, type Log } from './poll';

/**
 * One organisation's host, shaped like Fabric's integration/nwo `Network`: it owns its data dir's
 * layout, its view of the consortium (the shared definition with its own data dir), its Fabric CLI and
 * its processes, and offers per-node steps (start the orderer or the peer, join, install, approve,
 * commit, start the chaincode server and the gateway). Everything it needs from other organisations
 * arrives as files (organisation files, blocks, packages, config updates), and it never holds another
 * organisation's private key.
 */

/** Where a host runs: its data dir, its Fabric install, its log and (rehearsal only) its namespace. */
export interface HostPlace {
  /** This host's own data dir. */
  readonly dataDir: string;
  /** Network namespace the host's nodes run in (the rehearsal); none on a real host. */
  readonly netns?: string;
  readonly fabric: FabricInstall;
  readonly log: Log;
}

/**
 * A host over the shared definition's content (YAML parsed, unvalidated: it is validated with this
 * host's data dir, and can admit centres), or over a validated consortium whose data dir it uses
 * (`Network`'s hosts, all in one data dir).
 */
export type HostOptions = HostPlace &
  ({ readonly definition: unknown } | { readonly consortium: Consortium });

const utf8 = new TextDecoder();

/** The SHA-256 package ID (`label:hex`) of a chaincode package file, as `peer lifecycle` computes it. */
export function packageIdOf(label: string, file: string): string {
  return `${label}:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
}

class HostBase {
  readonly dataDir: string;
  readonly layout: Layout;
  readonly cli: FabricCli;
  readonly options: Readonly<HostOptions>;
  #extra: CentreEntry[] = [];
  #consortium: Consortium;

  constructor(options: Readonly<HostOptions>) {
    this.options = options;
    this.dataDir = path.resolve(options.dataDir);
    this.#consortium = this.#build();
    this.layout = new Layout(this.#consortium);
    this.cli = new FabricCli(options.fabric, this.layout);
  }

  #build(): Consortium {
    if ('consortium' in this.options) {
      if (this.#extra.length > 0) throw new Error('a host over a validated consortium admits no centre');
      return { ...this.options.consortium, dataDir: this.dataDir };
    }
    const content = this.definitionContent();
    const withDir = { ...(content as Record<string, unknown>), dataDir: this.dataDir };
    return validateDefinition(withDir, REPO_ROOT, `definition on host ${this.dataDir}`);
  }

  get consortium(): Consortium {
    return this.#consortium;
  }

  /** This host learns of a centre admitted to the consortium (validated like any definition entry). */
  admit(centre: CentreEntry): void {
    if (this.#consortium.centres.some((c) => c.code === centre.code)) return;
    this.#extra = [...this.#extra, centre];
    this.#consortium = this.#build();
  }

  /** The definition's content with the centres this host admitted after it was written. */
  protected definitionContent(): unknown {
    if (!('definition' in this.options))
      throw new Error('a host over a validated consortium has no definition file');
    return withCentres(this.options.definition, this.#extra);
  }

  protected prepare(): void {
    claimDataDir(this.dataDir);
    ensureBaseConfig(this.options.fabric, this.layout);
  }

  /** Places another organisation's public material (from its organisation file) in this host's layout. */
  importOrganisationFile(file: string): void {
    importOrganisation(this.layout, this.#consortium, readOrganisationFile(file));
  }
}

/** The orderer organisation's host: its keys, the channel's genesis block, its Raft nodes. */
export class OrdererHost extends HostBase {
  /** Generates the orderer organisation's keys here; writes its organisation file to `outFile`. */
  async init(outFile: string): Promise<string> {
    this.prepare();
    await ensureOrdererCrypto(this.consortium, this.layout, this.cli);
    return writeOrganisationFile(outFile, ordererOrganisationFile(this.layout, this.consortium));
  }

  /** Builds the genesis block from every organisation's imported public MSP; returns its path. */
  async genesisBlock(): Promise<string> {
    await ensureGenesisBlock(this.consortium, this.layout, this.cli);
    return this.layout.genesisBlock;
  }

  /** Starts every orderer node, joins each to the channel, and waits for a Raft leader. */
  async startOrderers(): Promise<void> {
    const { consortium, layout } = this;
    const log = this.options.log;
    for (const node of consortium.ordererOrg.nodes) {
      const spec = ordererSpec(this, this.options.fabric, node);
      const { pid, reused } = startNode(layout, { ...spec, netns: this.options.netns });
      log(
        `      ${node.name} ${reused ? 'already running' : 'started'} (pid ${pid}) on ${node.address}:${node.ports.listen}`,
      );
    }
    for (const node of consortium.ordererOrg.nodes) {
      await waitNode(layout, {
        name: ordererProcessName(node),
        address: node.address,
        operationsPort: node.ports.operations,
        port: node.ports.admin,
      });
      const joined = await joinOrderer(this, node);
      log(`      ${node.name} ${joined ? 'joined' : 'already joined'} ${consortium.channel}`);
    }
    log(`      Raft leader: ${await waitRaftLeader(consortium)}`);
  }
}

/** A centre's or the regulator's host: its keys, its peer, chaincode server and gateway. */
export class PeerHost extends HostBase implements ChannelAdmin {
  readonly orgKey: string;

  constructor(options: Readonly<HostOptions>, orgKey: string) {
    super(options);
    this.orgKey = orgKey;
    // Fails early, naming the org, when the definition does not have it.
    if (!this.consortium.orgs.some((o) => o.key === orgKey)) {
      throw new Error(`organisation ${orgKey} is not in the consortium definition`);
    }
  }

  get org(): OrgDefinition {
    const org = this.consortium.orgs.find((o) => o.key === this.orgKey);
    if (org === undefined) throw new Error(`organisation ${this.orgKey} is not in the consortium definition`);
    return org;
  }

  /** `organisation:init`: generates this organisation's keys here; writes its organisation file to `outFile`. */
  async init(outFile: string): Promise<string> {
    this.prepare();
    await ensureOrgCrypto(this.org, this.layout, this.cli);
    return writeOrganisationFile(outFile, peerOrganisationFile(this.layout, this.org));
  }

  /** Generates the consortium's shared pseudonymisation key here (one member does, then sends it). */
  createPseudonymKey(): string {
    ensurePseudonymKey(this.layout);
    return this.layout.pseudonymKey;
  }

  /** Installs the shared pseudonymisation key received from the member that created it. */
  receivePseudonymKey(file: string): void {
    mkdirSync(this.layout.secretsDir, { recursive: true, mode: 0o700 });
    if (path.resolve(file) !== this.layout.pseudonymKey) copyFileSync(file, this.layout.pseudonymKey);
  }

  /** Starts the peer process (or finds it running); `awaitPeer` waits until it serves. */
  launchPeer(): { pid: number; reused: boolean } {
    const { layout, org } = this;
    const started = startNode(layout, {
      ...peerSpec(this, this.options.fabric, org),
      netns: this.options.netns,
    });
    this.options.log(
      `      ${peerProcessName(org)} ${started.reused ? 'already running' : 'started'} (pid ${started.pid}) on ${org.address}:${org.ports.peer}`,
    );
    return started;
  }

  async awaitPeer(): Promise<void> {
    const { layout, org } = this;
    await waitNode(layout, {
      name: peerProcessName(org),
      address: org.address,
      operationsPort: org.ports.operations,
      port: org.ports.peer,
    });
  }

  async startPeer(): Promise<void> {
    this.launchPeer();
    await this.awaitPeer();
  }

  /** Joins the peer with the block received (the genesis block), unless it has joined; true when it joined now. */
  async joinChannel(block: string): Promise<boolean> {
    mkdirSync(path.dirname(this.layout.genesisBlock), { recursive: true });
    if (path.resolve(block) !== this.layout.genesisBlock) copyFileSync(block, this.layout.genesisBlock);
    return joinPeer(this, this.org);
  }

  /**
   * A new member fetches the channel's first block from an orderer itself (it may: it is a member
   * now), unless this data dir has it.
   */
  async fetchGenesisBlock(): Promise<string> {
    if (!existsSync(this.layout.genesisBlock)) await this.fetchBlock(0, this.layout.genesisBlock);
    return this.layout.genesisBlock;
  }

  /** The number of the newest block the orderer has (fetched by this peer's admin). */
  async newestBlock(): Promise<number> {
    const file = this.layout.joiningDir('newest.block');
    await this.fetchBlock('newest', file);
    const header = common.Block.deserializeBinary(readFileSync(file)).getHeader();
    if (header === undefined) throw new Error(`${file}: the orderer's newest block has no header`);
    return header.getNumber();
  }

  private async fetchBlock(block: number | 'newest', output: string): Promise<void> {
    mkdirSync(path.dirname(output), { recursive: true });
    await this.cli.peer(this.org, {
      kind: 'channel fetch',
      block,
      output,
      channel: this.consortium.channel,
      orderer: ordererTarget(this.consortium, this.layout),
    });
  }

  /** Is `mspId` in the channel's Application group (the channel config as the orderer has it now)? */
  async isChannelMember(mspId: string): Promise<boolean> {
    const config = await fetchChannelConfig(this, this.layout.joiningDir('config'));
    return mspId in config.channel_group.groups.Application.groups;
  }

  /** Waits until this peer's height reaches `height` (it must catch up before it endorses). */
  async waitHeight(height: number, timeoutMs = 120_000): Promise<void> {
    let seen: number | null = null;
    await pollUntil(
      async () => {
        seen = await peerHeight(this.consortium, this.cli, this.org);
        return seen !== null && seen >= height ? true : undefined;
      },
      {
        timeoutMs,
        intervalMs: 500,
        failure: () => new Error(`${this.org.mspId}'s peer is at height ${String(seen)}, not ${height}`),
      },
    );
  }

  async height(): Promise<number | null> {
    return peerHeight(this.consortium, this.cli, this.org);
  }

  /** Builds the chaincode package (one member does, then sends it); returns its file and package ID. */
  buildPackage(): { file: string; packageId: string } {
    const packageId = ensurePackage(this.consortium, this.layout);
    return { file: this.layout.chaincodePackage, packageId };
  }

  /**
   * Installs the package received, after checking that its hash is the package ID the members
   * approved: a package that differs by one byte is refused before it reaches the peer.
   */
  async installPackage(file: string, approvedId: string): Promise<boolean> {
    const actual = packageIdOf(this.consortium.chaincode.label, file);
    if (actual !== approvedId) {
      throw new Error(`chaincode package ${file}: its ID is ${actual}, not the approved ${approvedId}`);
    }
    mkdirSync(path.dirname(this.layout.chaincodePackage), { recursive: true });
    if (path.resolve(file) !== this.layout.chaincodePackage) copyFileSync(file, this.layout.chaincodePackage);
    return ensureInstalled(this, this.org, approvedId);
  }

  /** Has the channel committed the definition at `sequence` (or a later one) already? */
  async #committed(sequence: number): Promise<boolean> {
    const committed = await queryCommitted(this.consortium, this.cli, this.org);
    return committed !== null && committed.sequence >= sequence;
  }

  /** This organisation's admin approves the definition at `sequence` for its own org (unless committed). */
  async approve(packageId: string, sequence: number): Promise<void> {
    if (await this.#committed(sequence)) return;
    await approve(this, { org: this.org, packageId, sequence });
  }

  /** Commits the definition at `sequence`, endorsed by every organisation's peer (unless committed). */
  async commit(sequence: number): Promise<void> {
    if (await this.#committed(sequence)) return;
    await commit(this, { sequence, by: this.org });
  }

  /** Starts (or restarts, when the built chaincode changed) this organisation's chaincode server. */
  async startChaincodeServer(
    packageId: string,
  ): Promise<{ pid: number; reused: boolean; restarted: boolean }> {
    if (!existsSync(this.layout.pseudonymKey)) {
      throw new Error(`${this.org.mspId} has no pseudonymisation key at ${this.layout.pseudonymKey}`);
    }
    if (agreedRegistrySha256(this.layout) === undefined) {
      await ensureAgreedRegistry(this.consortium, this.layout, this.cli);
    }
    return startChaincodeServer(this.layout, this.org, { packageId, netns: this.options.netns });
  }

  /**
   * Polls through this peer until `meta:Version` answers (the peer launched the chaincode) and a
   * `Ping` proposal is endorsed by every org's peer (gossip has found all the other orgs' peers,
   * which takes a few seconds after a restart). The proposal is endorsed, never submitted.
   */
  async waitChaincode(timeoutMs = 90_000): Promise<string> {
    const { consortium, org } = this;
    return withOrg(this.layout, org, async ({ gateway }) => {
      const contract = gateway.getNetwork(consortium.channel).getContract(consortium.chaincode.name, 'meta');
      return pollUntil(
        async () => {
          const version = utf8.decode(await contract.evaluateTransaction('Version'));
          // Every org's peer, not just any two: each peer must know all the others (transfers and
          // withdrawals name their endorsers explicitly).
          await contract
            .newProposal('Ping', {
              arguments: ['readiness'],
              endorsingOrganizations: consortium.orgs.map((o) => o.mspId),
            })
            .endorse();
          return version;
        },
        {
          timeoutMs,
          // A large consortium's polls are spaced out: each one that gets past discovery runs the
          // chaincode on every org's peer, and on 2 cores frequent polls were load of their own.
          intervalMs: consortium.orgs.length >= LARGE_CONSORTIUM_ORGS ? 3_000 : 500,
          failure: (error) =>
            new Error(
              `${org.mspId}'s peer is not ready for chaincode ${consortium.chaincode.name}: ${String(error)}`,
            ),
        },
      );
    });
  }

  /**
   * Initialises the chaincode registry with the content the members agreed (derived from the
   * genesis config, see agreed-registry.ts), as this organisation; the chaincode makes this
   * idempotent, and each endorsing peer refuses any other content.
   */
  async initRegistry(): Promise<void> {
    const { consortium } = this;
    const registry = (await deriveAgreedRegistry(consortium, this.layout, this.cli)).content;
    await withOrg(this.layout, this.org, async ({ gateway }) => {
      const contract = gateway
        .getNetwork(consortium.channel)
        .getContract(consortium.chaincode.name, 'registry');
      const existing = await contract.evaluateTransaction('Get').then(
        (bytes) => utf8.decode(bytes),
        () => null,
      );
      if (existing === null) {
        await contract.submitTransaction('Init', JSON.stringify(registry));
      }
    });
  }

  /** Starts this organisation's gateway with API keys for this organisation only. */
  async startGateway(): Promise<string> {
    const own: Consortium = { ...this.consortium, orgs: [this.org] };
    ensureApiKeys(own, this.layout);
    startGateway(this, this.org, this.options.netns);
    await waitGatewayReady(this.org, undefined, this.layout);
    return gatewayUrl(this.org);
  }

  /**
   * A member proposes adding the organisation of `organisationFile`: writes the config update
   * envelope (for the others to sign) to `outFile`.
   */
  async proposeCentre(organisationFile: string, centre: CentreEntry, outFile: string): Promise<string> {
    const next = new PeerHost(this.options, this.orgKey);
    next.admit(centre);
    next.importOrganisationFile(organisationFile);
    const org = next.consortium.centres.find((c) => c.code === centre.code);
    if (org === undefined) throw new Error(`centre ${centre.code} is not in the next consortium`);
    const dir = this.layout.joiningDir(centre.code);
    const group = await printOrg({ cli: this.cli, layout: next.layout }, org, dir);
    return writeConfigUpdate(this, {
      dir,
      out: outFile,
      modify: (config) => {
        const groups = config.channel_group.groups.Application.groups;
        if (org.mspId in groups) {
          throw new Error(`${org.mspId} is already a member of channel ${this.consortium.channel}`);
        }
        groups[org.mspId] = group;
      },
    });
  }

  /**
   * This organisation's admin signs the config update received, writing the signed envelope to
   * `outFile` (the input is never changed).
   */
  async signUpdate(envelope: string, outFile: string): Promise<string> {
    return signConfigUpdate(this, envelope, outFile);
  }

  /** Submits a signed config update to the orderer (`peer channel update` adds this admin's signature). */
  async submitUpdate(envelope: string): Promise<void> {
    await submitConfigUpdate(this, envelope, this.layout.joiningDir());
  }

  /** Writes this organisation's deployment bundle (see bundle.ts) to `outDir`. */
  bundle(outDir: string, packageId: string): Bundle {
    const definition = this.definitionContent();
    return writeBundle({
      consortium: this.consortium,
      layout: this.layout,
      org: this.org,
      fabric: this.options.fabric,
      packageId,
      definition,
      outDir,
    });
  }

  /**
   * Registers an admitted centre in the chaincode registry, as this organisation, endorsed by every
   * centre of `existing` (the consortium before it joined; a majority is needed).
   */
  async registerCentre(existing: Consortium, centre: CentreEntry): Promise<void> {
    await withOrg(this.layout, this.org, async ({ gateway }) => {
      const contract = gateway.getNetwork(existing.channel).getContract(existing.chaincode.name, 'registry');
      await contract.submit('AddCentre', {
        // The registry entry: code, MSP ID and name (where its nodes run is not the ledger's business).
        arguments: [JSON.stringify({ code: centre.code, mspId: centre.mspId, name: centre.name })],
        endorsingOrganizations: existing.centres.map((c) => c.mspId),
      });
    });
  }
}

export function newOrdererHost(options: Readonly<HostOptions>): OrdererHost {
  return new OrdererHost(options);
}

export function newPeerHost(options: Readonly<HostOptions>, orgKey: string): PeerHost {
  return new PeerHost(options, orgKey);
}
