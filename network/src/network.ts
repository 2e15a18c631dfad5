import { ensureAgreedRegistry } from './agreed-registry';
import { chaincodeServerName, ensureDefinition, ensurePackage, queryCommitted } from './chaincode-deploy';
import { ensureGenesisBlock } from './channel-config';
import { ensureCrypto, ensurePseudonymKey } from './crypto';
import { claimDataDir, purgeDataDir, purgeRefusal, PurgeRefusedError } from './data-dir';
import type { Consortium, OrgDefinition } from './definition';
import { ensureFabric, type FabricInstall } from './fabric-bin';
import { FabricCli } from './fabric-cli';
import { gatewayInfo, type GatewayInfo } from './gateways';
import { newOrdererHost, newPeerHost, type OrdererHost, type PeerHost } from './host';
import { Layout } from './layout';
import { ensureBaseConfig, ordererHeight, ordererProcessName, peerHeight, peerProcessName } from './nodes';
import { eachLimited, type Log } from './poll';
import { nodeVersionOf, recordedNames, runningProcess, runningProcesses, stopAll } from './processes';
import { SUPERVISOR_NAME } from './supervisor';

/**
 * One consortium on this machine, shaped like Fabric's integration/nwo `Network`: it owns the
 * definition (validated), the data dir's layout (every path), the Fabric install and CLI, and every
 * process; its organisations' hosts (`OrdererHost`, `PeerHost`, all over the one data dir) do the
 * per-node steps. `network:up`, `network:down` and `network:status` are its `up`, `down` and
 * `status`.
 */

export type { Log } from './poll';

/** Peer CLI steps (join, install) and readiness polls run this many orgs at a time (32 orgs on 2 cores: docs/decisions/0008). */
const CLI_CONCURRENCY = 4;

export const UP_STEPS = [
  'Generate crypto',
  'Build the channel genesis block',
  'Start the orderers and join them to the channel',
  'Start the peers and join them to the channel',
  'Package, install, approve and commit the chaincode',
  'Start the chaincode servers',
  'Wait until every peer answers for the chaincode, and register the centres',
] as const;

async function step<T>(index: number, log: Log, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  log(`[${index + 1}/${UP_STEPS.length}] ${UP_STEPS[index] ?? ''}`);
  const result = await fn();
  log(`      done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

export interface UpResult {
  readonly fabric: FabricInstall;
  readonly packageId: string;
  readonly sequence: number;
  readonly seconds: number;
}

export interface NodeStatus {
  readonly name: string;
  readonly mspId: string;
  readonly endpoint: string;
  readonly pid: number | null;
  readonly running: boolean;
  readonly height: number | null;
  /** For our Node processes (chaincode servers): the Node version the running process executes. */
  readonly node?: string | null;
}

export interface NetworkStatus {
  /** The Node this command runs on, which network:up gives every process it starts. */
  readonly node: { readonly version: string; readonly execPath: string };
  readonly channel: string;
  readonly dataDir: string;
  readonly fabric: { readonly release: string; readonly commit: string; readonly source: string };
  readonly chaincode: {
    readonly name: string;
    readonly sequence: number | null;
    readonly version: string | null;
    readonly servers: readonly NodeStatus[];
  };
  readonly orderers: readonly NodeStatus[];
  readonly peers: readonly NodeStatus[];
}

/** The centres the organisations of the definition host (an organisation hosts one or more). */
function hostedCentres(consortium: Consortium): number {
  return consortium.centres.reduce((n, org) => n + org.centres.length, 0);
}

export class Network {
  readonly consortium: Consortium;
  /** Where everything lives in the data dir. */
  readonly layout: Layout;
  readonly log: Log;
  #fabric: Promise<FabricInstall> | undefined;

  constructor(consortium: Consortium, options: { readonly log?: Log } = {}) {
    this.consortium = consortium;
    this.layout = new Layout(consortium);
    this.log = options.log ?? console.log;
  }

  get dataDir(): string {
    return this.layout.root;
  }

  /** The Fabric binaries, found (or built) once. */
  fabric(): Promise<FabricInstall> {
    this.#fabric ??= ensureFabric(this.log);
    return this.#fabric;
  }

  async cli(): Promise<FabricCli> {
    return new FabricCli(await this.fabric(), this.layout);
  }

  async ordererHost(): Promise<OrdererHost> {
    return newOrdererHost({ consortium: this.consortium, ...(await this.#place()) });
  }

  /** The hosts of every organisation (centres and the regulator), in definition order. */
  async peerHosts(): Promise<PeerHost[]> {
    const place = await this.#place();
    return this.consortium.orgs.map((org) => newPeerHost({ consortium: this.consortium, ...place }, org.key));
  }

  async #place(): Promise<{ dataDir: string; fabric: FabricInstall; log: Log }> {
    return { dataDir: this.dataDir, fabric: await this.fabric(), log: this.log };
  }

  /** Each organisation's gateway: URL, API keys. */
  gateways(): GatewayInfo[] {
    return gatewayInfo(this.consortium, this.layout);
  }

  /** Every process name the consortium runs, dependants first (stop order): the supervisor before what it supervises. */
  processNames(): string[] {
    const { consortium } = this;
    return [
      SUPERVISOR_NAME,
      ...consortium.orgs.map((org) => `gateway-${org.key}`),
      ...consortium.orgs.map(chaincodeServerName),
      ...consortium.orgs.map(peerProcessName),
      ...consortium.ordererOrg.nodes.map(ordererProcessName),
    ];
  }

  /** Brings the consortium up, idempotently: every step checks what exists and does only what is missing. */
  async up(): Promise<UpResult> {
    const { consortium, layout, log } = this;
    const started = Date.now();
    const fabric = await this.fabric();
    const cli = await this.cli();
    log(
      `Consortium: channel ${consortium.channel}, ${consortium.centres.length} organisations hosting ${hostedCentres(consortium)} centres, ${consortium.ordererOrg.nodes.length} orderer(s), data dir ${layout.root}`,
    );
    claimDataDir(layout.root);
    ensureBaseConfig(fabric, layout);
    const peers = await this.peerHosts();

    await step(0, log, async () => {
      const generated = await ensureCrypto(consortium, layout, cli);
      if (ensurePseudonymKey(layout)) generated.push('pseudonymisation key');
      log(generated.length > 0 ? `      generated: ${generated.join(', ')}` : '      all present');
    });
    await step(1, log, async () => {
      const built = await ensureGenesisBlock(consortium, layout, cli);
      log(built ? '      built' : '      present (the channel exists)');
    });
    await step(2, log, async () => (await this.ordererHost()).startOrderers());
    await step(3, log, async () => {
      for (const peer of peers) peer.launchPeer();
      // A few at a time (each join builds a ledger in its peer); a small consortium joins all at once.
      await eachLimited(peers, CLI_CONCURRENCY, async (peer) => {
        await peer.awaitPeer();
        const joined = await peer.joinChannel(layout.genesisBlock);
        log(`      ${peer.org.mspId} ${joined ? 'joined' : 'already joined'} ${consortium.channel}`);
      });
    });
    const { packageId, sequence } = await step(4, log, async () => {
      const id = ensurePackage(consortium, layout);
      log(`      package ${id}`);
      // A few at a time: 32 peer CLIs at once on 2 cores missed the CLI's 3 s connect timeout (docs/decisions/0008).
      await eachLimited(peers, CLI_CONCURRENCY, async (peer) => {
        const installed = await peer.installPackage(layout.chaincodePackage, id);
        log(`      ${peer.org.mspId} ${installed ? 'installed' : 'had installed'} the package`);
      });
      return {
        packageId: id,
        sequence: await ensureDefinition(
          { consortium, layout, cli },
          { packageId: id, log: (line) => log(`    ${line}`) },
        ),
      };
    });
    await step(5, log, async () => {
      const agreed = await ensureAgreedRegistry(consortium, layout, cli);
      log(
        `      agreed registry (from the genesis config): ${agreed.channelMembers.length} members, sha256 ${agreed.sha256}`,
      );
      for (const peer of peers) {
        const { pid, reused, restarted } = await peer.startChaincodeServer(packageId);
        const state = restarted ? 'restarted (chaincode rebuilt)' : reused ? 'already running' : 'started';
        const org = peer.org;
        log(
          `      ${chaincodeServerName(org)} ${state} (pid ${pid}) on ${org.address}:${org.ports.chaincodeServer}`,
        );
      }
    });
    await step(6, log, async () => {
      // Gossip among many orgs takes longer to reach everyone: the wait grows with the consortium.
      const timeoutMs = Math.max(90_000, consortium.orgs.length * 5_000);
      await eachLimited(peers, CLI_CONCURRENCY, async (peer) =>
        log(`      ${peer.org.mspId}: ${await peer.waitChaincode(timeoutMs)}`),
      );
      const first = peers.find((p) => p.org.mspId === consortium.centres[0]?.mspId);
      if (first === undefined) throw new Error('the consortium has no centre');
      await first.initRegistry();
      log(
        `      registry holds ${hostedCentres(consortium)} centres of ${consortium.centres.length} organisations, and ${consortium.regulator.mspId}`,
      );
    });
    const seconds = (Date.now() - started) / 1000;
    log(`Consortium is up in ${seconds.toFixed(1)} s. Stop it with: npm run network:down`);
    return { fabric, packageId, sequence, seconds };
  }

  /** Stops every process recorded in the data dir (by PID), then optionally wipes the data dir. */
  async down(options: { readonly purge: boolean }): Promise<string[]> {
    const { layout, log } = this;
    // Refuse before stopping anything: a refused purge changes nothing.
    const refusal = options.purge ? purgeRefusal(layout.root) : null;
    if (refusal !== null) throw new PurgeRefusedError(layout.root, refusal);
    const known = this.processNames();
    const extra = recordedNames(layout.root).filter((name) => !known.includes(name));
    // The supervisor first (it would restart what is being stopped), then joined centres' processes.
    const stopped = await stopAll(layout.root, [
      SUPERVISOR_NAME,
      ...extra,
      ...known.filter((name) => name !== SUPERVISOR_NAME),
    ]);
    log(stopped.length > 0 ? `Stopped ${stopped.join(', ')}` : 'Nothing was running');
    const left = runningProcesses(layout.root);
    if (left.length > 0) {
      throw new Error(`still running: ${left.map((p) => `${p.name} (pid ${p.pid})`).join(', ')}`);
    }
    if (options.purge && purgeDataDir(layout.root)) {
      log(`Removed ${layout.root}`);
    }
    return stopped;
  }

  /** Reports every node of the consortium with its PID and channel height (null when it does not answer). */
  async status(): Promise<NetworkStatus> {
    const { consortium, layout } = this;
    const fabric = await this.fabric();
    const cli = await this.cli();
    const orderers = await Promise.all(
      consortium.ordererOrg.nodes.map(async (node): Promise<NodeStatus> => {
        const proc = runningProcess(layout.root, ordererProcessName(node));
        const height = proc === null ? null : await ordererHeight({ consortium, layout, cli }, node);
        return {
          name: node.name,
          mspId: consortium.ordererOrg.mspId,
          endpoint: `${node.address}:${node.ports.listen}`,
          pid: proc?.pid ?? null,
          running: proc !== null,
          height,
        };
      }),
    );
    const peers = await Promise.all(
      consortium.orgs.map(async (org: OrgDefinition): Promise<NodeStatus> => {
        const proc = runningProcess(layout.root, peerProcessName(org));
        const height = proc === null ? null : await peerHeight(consortium, cli, org);
        return {
          name: org.peerHost,
          mspId: org.mspId,
          endpoint: `${org.address}:${org.ports.peer}`,
          pid: proc?.pid ?? null,
          running: proc !== null,
          height,
        };
      }),
    );
    const servers = consortium.orgs.map((org): NodeStatus => {
      const proc = runningProcess(layout.root, chaincodeServerName(org));
      return {
        name: chaincodeServerName(org),
        mspId: org.mspId,
        endpoint: `${org.address}:${org.ports.chaincodeServer}`,
        pid: proc?.pid ?? null,
        running: proc !== null,
        height: null,
        node: proc === null ? null : nodeVersionOf(proc.pid),
      };
    });
    const answering = consortium.centres.find((org) =>
      peers.some((p) => p.mspId === org.mspId && p.height !== null),
    );
    const committed =
      answering === undefined ? null : await queryCommitted(consortium, cli, answering).catch(() => null);
    return {
      node: { version: process.version, execPath: process.execPath },
      channel: consortium.channel,
      dataDir: layout.root,
      fabric: { release: fabric.release, commit: fabric.commit, source: fabric.source },
      chaincode: {
        name: consortium.chaincode.name,
        sequence: committed?.sequence ?? null,
        version: committed?.version ?? null,
        servers,
      },
      orderers,
      peers,
    };
  }
}
