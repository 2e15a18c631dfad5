import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import type { OrdererTarget, OsnadminTarget } from './commands';
import type { Consortium, OrdererNode, OrgDefinition } from './definition';
import type { FabricInstall } from './fabric-bin';
import type { FabricCli, Site } from './fabric-cli';
import { REPO_ROOT, type Layout } from './layout';
import { pollUntil, sleep } from './poll';
import { childPath, logFile, startProcess, type ProcessSpec } from './processes';

/**
 * Orderer and peer processes: Fabric's own orderer.yaml and core.yaml, copied into the data dir,
 * overridden by ORDERER_* / CORE_* environment variables per node, as Fabric's integration harness does.
 */

export const CCAAS_BUILDER_DIR = path.join(REPO_ROOT, 'network', 'builders', 'ccaas');

/** Copies Fabric's sample core.yaml and orderer.yaml for this release into the data dir. */
export function ensureBaseConfig(fabric: FabricInstall, layout: Layout): void {
  mkdirSync(layout.configDir, { recursive: true });
  for (const file of ['core.yaml', 'orderer.yaml']) {
    const target = path.join(layout.configDir, file);
    if (!existsSync(target)) {
      copyFileSync(path.join(fabric.configDir, file), target);
    }
  }
}

export function ordererProcessName(node: OrdererNode): string {
  return node.name;
}

export function peerProcessName(org: OrgDefinition): string {
  return `peer0-${org.key}`;
}

function baseEnv(layout: Layout): Record<string, string> {
  return {
    PATH: childPath(),
    HOME: process.env.HOME ?? '/tmp',
    FABRIC_CFG_PATH: layout.configDir,
    FABRIC_LOGGING_SPEC:
      process.env.HPF_FABRIC_LOGGING_SPEC ?? 'info:gossip,comm.grpc,cauthdsl,policies,msp=warning',
  };
}

export function ordererSpec(
  { consortium, layout }: Pick<Site, 'consortium' | 'layout'>,
  fabric: FabricInstall,
  node: OrdererNode,
): ProcessSpec {
  const identity = layout.orderer(consortium.ordererOrg.domain, node);
  const data = layout.nodeDir(node.name);
  const tls = identity.tls;
  return {
    name: ordererProcessName(node),
    command: path.join(fabric.binDir, 'orderer'),
    args: [],
    cwd: data,
    env: {
      ...baseEnv(layout),
      ORDERER_GENERAL_LISTENADDRESS: node.address,
      ORDERER_GENERAL_LISTENPORT: String(node.ports.listen),
      ORDERER_GENERAL_LOCALMSPID: consortium.ordererOrg.mspId,
      ORDERER_GENERAL_LOCALMSPDIR: identity.mspDir,
      ORDERER_GENERAL_TLS_ENABLED: 'true',
      ORDERER_GENERAL_TLS_PRIVATEKEY: tls.key,
      ORDERER_GENERAL_TLS_CERTIFICATE: tls.cert,
      ORDERER_GENERAL_TLS_ROOTCAS: `[${tls.ca}]`,
      ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE: tls.cert,
      ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY: tls.key,
      ORDERER_GENERAL_CLUSTER_ROOTCAS: `[${tls.ca}]`,
      ORDERER_CHANNELPARTICIPATION_ENABLED: 'true',
      ORDERER_ADMIN_LISTENADDRESS: `${node.address}:${node.ports.admin}`,
      ORDERER_ADMIN_TLS_ENABLED: 'true',
      ORDERER_ADMIN_TLS_PRIVATEKEY: tls.key,
      ORDERER_ADMIN_TLS_CERTIFICATE: tls.cert,
      ORDERER_ADMIN_TLS_ROOTCAS: `[${tls.ca}]`,
      ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED: 'true',
      ORDERER_ADMIN_TLS_CLIENTROOTCAS: `[${tls.ca}]`,
      ORDERER_OPERATIONS_LISTENADDRESS: `${node.address}:${node.ports.operations}`,
      ORDERER_METRICS_PROVIDER: 'prometheus',
      ORDERER_FILELEDGER_LOCATION: path.join(data, 'ledger'),
      ORDERER_CONSENSUS_WALDIR: path.join(data, 'etcdraft', 'wal'),
      ORDERER_CONSENSUS_SNAPDIR: path.join(data, 'etcdraft', 'snapshot'),
    },
  };
}

/** Tries of `peer channel join` per peer (joins timed out on a loaded 2-core machine: docs/decisions/0008). */
const JOIN_ATTEMPTS = 3;

/** From this many organisations on, peers use Fabric's default gossip intervals and a longer execute timeout. */
export const LARGE_CONSORTIUM_ORGS = 9;

/**
 * Gossip timing and system-chaincode timeout by consortium size. Loopback gossip can afford short
 * intervals in a small consortium: peers of other orgs are found (and offered as endorsers by
 * discovery) within seconds of a start instead of the 25 s reconnect default. With 32 orgs the same
 * intervals cost every peer CPU in proportion to the others (all-to-all alive and state-info messages),
 * and on 2 cores the 21st peer's `channel join` ran past the 30 s execute timeout (docs/decisions/0008): large
 * consortia get Fabric's defaults and a 120 s execute timeout.
 */
function peerTimingEnv(orgCount: number): Record<string, string> {
  if (orgCount < LARGE_CONSORTIUM_ORGS) {
    return {
      CORE_PEER_GOSSIP_RECONNECTINTERVAL: '2s',
      CORE_PEER_GOSSIP_ALIVETIMEINTERVAL: '2s',
      CORE_PEER_GOSSIP_ALIVEEXPIRATIONTIMEOUT: '10s',
      CORE_PEER_GOSSIP_PUBLISHSTATEINFOINTERVAL: '1s',
      CORE_PEER_GOSSIP_REQUESTSTATEINFOINTERVAL: '1s',
      CORE_PEER_GOSSIP_MEMBERSHIPTRACKERINTERVAL: '2s',
    };
  }
  return {
    CORE_PEER_GOSSIP_RECONNECTINTERVAL: '5s',
    CORE_PEER_GOSSIP_ALIVETIMEINTERVAL: '5s',
    // Longer than Fabric's 25 s: a CPU-starved peer that misses a few alive messages is not dropped
    // from the others' membership (the regulator's discovery lost 3 orgs at load 100).
    CORE_PEER_GOSSIP_ALIVEEXPIRATIONTIMEOUT: '60s',
    CORE_PEER_GOSSIP_PUBLISHSTATEINFOINTERVAL: '4s',
    // Each pull answers with every member's signed state info, each verified against the channel
    // policy: a quarter of an idle peer's CPU in a 12-org consortium (perf), growing with
    // the square of the members. Pushes still carry changes at once; the pull is the backstop.
    CORE_PEER_GOSSIP_REQUESTSTATEINFOINTERVAL: '16s',
    CORE_PEER_GOSSIP_MEMBERSHIPTRACKERINTERVAL: '5s',
    CORE_CHAINCODE_EXECUTETIMEOUT: '120s',
  };
}

export function peerSpec(
  { consortium, layout }: Pick<Site, 'consortium' | 'layout'>,
  fabric: FabricInstall,
  org: OrgDefinition,
): ProcessSpec {
  const orgCount = consortium.orgs.length;
  const identity = layout.peer(org);
  const data = layout.nodeDir(peerProcessName(org));
  const address = `${org.address}:${org.ports.peer}`;
  const builders = [
    {
      name: 'hpf-ccaas',
      path: CCAAS_BUILDER_DIR,
      propagateEnvironment: [
        'HPF_CCAAS_ADDRESS',
        'HPF_CCAAS_ROOT_CERT',
        'HPF_CCAAS_CLIENT_CERT',
        'HPF_CCAAS_CLIENT_KEY',
      ],
    },
  ];
  return {
    name: peerProcessName(org),
    command: path.join(fabric.binDir, 'peer'),
    args: ['node', 'start'],
    cwd: data,
    env: {
      ...baseEnv(layout),
      CORE_PEER_ID: org.peerHost,
      CORE_PEER_ADDRESS: address,
      CORE_PEER_LISTENADDRESS: address,
      CORE_PEER_CHAINCODEADDRESS: `${org.address}:${org.ports.chaincodeListen}`,
      CORE_PEER_CHAINCODELISTENADDRESS: `${org.address}:${org.ports.chaincodeListen}`,
      CORE_PEER_GOSSIP_BOOTSTRAP: address,
      CORE_PEER_GOSSIP_ENDPOINT: address,
      CORE_PEER_GOSSIP_EXTERNALENDPOINT: address,
      ...peerTimingEnv(orgCount),
      // A transaction that failed validation (say, an answer to a certificate request endorsed without
      // the requesting centre) may carry private data for a collection this peer is a member of but never
      // received. Pulling it at commit stalled the whole block for up to pullRetryThreshold (60 s) on the
      // real network; an invalid transaction's writes are never applied, so its private data is left to
      // the reconciler instead.
      CORE_PEER_GOSSIP_PVTDATA_SKIPPULLINGINVALIDTRANSACTIONSDURINGCOMMIT: 'true',
      CORE_PEER_LOCALMSPID: org.mspId,
      CORE_PEER_MSPCONFIGPATH: identity.mspDir,
      CORE_PEER_TLS_ENABLED: 'true',
      CORE_PEER_TLS_CERT_FILE: identity.tls.cert,
      CORE_PEER_TLS_KEY_FILE: identity.tls.key,
      CORE_PEER_TLS_ROOTCERT_FILE: identity.tls.ca,
      CORE_PEER_FILESYSTEMPATH: path.join(data, 'ledger'),
      CORE_PEER_GATEWAY_ENABLED: 'true',
      CORE_LEDGER_SNAPSHOTS_ROOTDIR: path.join(data, 'snapshots'),
      CORE_OPERATIONS_LISTENADDRESS: `${org.address}:${org.ports.operations}`,
      CORE_METRICS_PROVIDER: 'prometheus',
      // No Docker here: an empty endpoint keeps the peer from looking for one; chaincode runs as a service.
      CORE_VM_ENDPOINT: '',
      CORE_CHAINCODE_EXTERNALBUILDERS: JSON.stringify(builders),
      HPF_CCAAS_ADDRESS: `${org.address}:${org.ports.chaincodeServer}`,
      HPF_CCAAS_ROOT_CERT: layout.orgTlsCa(org),
      // The peer dials its chaincode server with its own TLS key pair (mutual TLS).
      HPF_CCAAS_CLIENT_CERT: identity.tls.cert,
      HPF_CCAAS_CLIENT_KEY: identity.tls.key,
    },
  };
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(1_000, () => done(false));
  });
}

/** A node process to wait for: its name (for the log file), address, operations port and main port. */
export interface NodeEndpoints {
  readonly name: string;
  readonly address: string;
  readonly operationsPort: number;
  readonly port: number;
}

/**
 * Waits until a node serves: its operations endpoint's /healthz answers 200, then its main port
 * accepts connections (a peer answers /healthz before its gRPC server listens, so a CLI call right
 * after /healthz can be refused). Fails naming the log to read.
 */
export async function waitNode(layout: Layout, node: NodeEndpoints, timeoutMs = 60_000): Promise<void> {
  const { name, address } = node;
  const failure = (what: string, port: number) => (): Error =>
    new Error(
      `${name} ${what} on ${address}:${port} within ${timeoutMs / 1000} s; see ${logFile(layout.root, name)}`,
    );
  await pollUntil(
    async () =>
      (
        await fetch(`http://${address}:${node.operationsPort}/healthz`, {
          signal: AbortSignal.timeout(2_000),
        })
      ).ok
        ? true
        : undefined,
    { timeoutMs, intervalMs: 250, failure: failure('did not become healthy', node.operationsPort) },
  );
  await pollUntil(async () => ((await accepts(address, node.port)) ? true : undefined), {
    timeoutMs,
    intervalMs: 100,
    failure: failure('did not accept connections', node.port),
  });
}

export function startNode(layout: Layout, spec: ProcessSpec): { pid: number; reused: boolean } {
  mkdirSync(spec.cwd, { recursive: true });
  return startProcess(layout.root, spec);
}

export async function isRaftLeader(host: string, port: number, channel: string): Promise<boolean> {
  try {
    const response = await fetch(`http://${host}:${port}/metrics`, { signal: AbortSignal.timeout(2_000) });
    return (await response.text()).includes(`consensus_etcdraft_is_leader{channel="${channel}"} 1`);
  } catch {
    return false;
  }
}

/**
 * Waits until one orderer reports itself Raft leader of the channel (its operations metrics say so).
 * Before that, submissions fail with "no orderers could successfully process transaction"; after a
 * restart the election takes ElectionTick × TickInterval, about 5 s.
 */
export async function waitRaftLeader(consortium: Consortium, timeoutMs = 60_000): Promise<string> {
  return pollUntil(
    async () => {
      for (const node of consortium.ordererOrg.nodes) {
        if (await isRaftLeader(node.address, node.ports.operations, consortium.channel)) return node.name;
      }
      return undefined;
    },
    {
      timeoutMs,
      intervalMs: 250,
      failure: () =>
        new Error(`no Raft leader for channel ${consortium.channel} within ${timeoutMs / 1000} s`),
    },
  );
}

/** `peer` CLI flags that send to the first orderer over TLS (channel updates, lifecycle approvals and commits). */
/** The orderer `peer` commands send to: the first orderer node, trusting the orderer org's TLS CA. */
export function ordererTarget(consortium: Consortium, layout: Layout): OrdererTarget {
  const node = consortium.ordererOrg.nodes[0];
  if (node === undefined) throw new Error('the consortium has no orderer');
  return {
    address: `${node.address}:${node.ports.listen}`,
    caFile: layout.ordererTlsCa(consortium.ordererOrg.domain),
  };
}

/** Where and as whom osnadmin talks to one orderer's admin endpoint (mutual TLS as the orderer org's admin). */
function osnadminTarget(consortium: Consortium, layout: Layout, node: OrdererNode): OsnadminTarget {
  const domain = consortium.ordererOrg.domain;
  const admin = layout.ordererAdmin(domain);
  return {
    address: `${node.address}:${node.ports.admin}`,
    caFile: layout.ordererTlsCa(domain),
    clientCert: admin.tls.cert,
    clientKey: admin.tls.key,
  };
}

/** Joins an orderer to the channel through the channel participation API, unless it already is. */
export async function joinOrderer({ consortium, layout, cli }: Site, node: OrdererNode): Promise<boolean> {
  const target = osnadminTarget(consortium, layout, node);
  const list = await cli.osnadmin({ kind: 'channel list', target });
  if (
    list.stdout.includes(`"name": "${consortium.channel}"`) ||
    list.stdout.includes(`"name":"${consortium.channel}"`)
  ) {
    return false;
  }
  await cli.osnadmin({
    kind: 'channel join',
    channel: consortium.channel,
    configBlock: layout.genesisBlock,
    target,
  });
  return true;
}

/** Joins a peer to the channel with its admin, unless it already is. */
export async function joinPeer({ consortium, layout, cli }: Site, org: OrgDefinition): Promise<boolean> {
  const joined = async (): Promise<boolean> => {
    const list = await cli.peer(org, { kind: 'channel list' });
    return list.stdout.split('\n').some((line) => line.trim() === consortium.channel);
  };
  if (await joined()) return false;
  // A join that timed out inside a busy peer may still finish there: check before trying again.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await cli.peer(org, { kind: 'channel join', block: layout.genesisBlock }, 180_000);
      return true;
    } catch (error) {
      if (attempt >= JOIN_ATTEMPTS) throw error;
      await sleep(5_000);
      if (await joined()) return true;
    }
  }
}

/** Block height of the channel on one peer, or null when the peer does not answer. */
export async function peerHeight(
  consortium: Consortium,
  cli: FabricCli,
  org: OrgDefinition,
): Promise<number | null> {
  try {
    const info = await cli.peer(org, { kind: 'channel getinfo', channel: consortium.channel }, 15_000);
    const match = /"height":(\d+)/.exec(info.stdout + info.stderr);
    return match?.[1] === undefined ? null : Number(match[1]);
  } catch {
    return null;
  }
}

/** Block height of the channel on one orderer (channel participation API), or null. */
export async function ordererHeight(
  { consortium, layout, cli }: Site,
  node: OrdererNode,
): Promise<number | null> {
  try {
    const out = await cli.osnadmin(
      { kind: 'channel list', channel: consortium.channel, target: osnadminTarget(consortium, layout, node) },
      15_000,
    );
    const match = /"height":\s*(\d+)/.exec(out.stdout);
    return match?.[1] === undefined ? null : Number(match[1]);
  } catch {
    return null;
  }
}
