import { TextDecoder } from 'node:util';
import {
  ensureDefinition,
  ensureInstalled,
  ensurePackage,
  queryCommitted,
  startChaincodeServer,
  chaincodeServerName,
} from './chaincode-deploy';
import { ensureGenesisBlock } from './channel-config';
import { ensureCrypto, ensurePseudonymKey } from './crypto';
import { deriveAgreedRegistry, ensureAgreedRegistry } from './agreed-registry';
import { claimDataDir, purgeDataDir, purgeRefusal, PurgeRefusedError } from './data-dir';
import type { Consortium } from './definition';
import { ensureFabric, type FabricInstall } from './fabric-bin';
import { FabricCli } from './fabric-cli';
import { Layout } from './layout';
import {
  ensureBaseConfig,
  joinOrderer,
  joinPeer,
  ordererHeight,
  ordererProcessName,
  LARGE_CONSORTIUM_ORGS,
  ordererSpec,
  peerHeight,
  peerProcessName,
  peerSpec,
  startNode,
  waitHealthy,
  waitListening,
  waitRaftLeader,
} from './nodes';
import { withOrg } from './org-client';
import { eachLimited, pollUntil } from './poll';
import { nodeVersionOf, recordedNames, runningProcess, runningProcesses, stopAll } from './processes';
import { SUPERVISOR_NAME } from './supervisor';

/** network:up / network:down / network:status for one consortium definition. */

export type Log = (line: string) => void;

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

const utf8 = new TextDecoder();

/**
 * Polls through one org's peer until `meta:Version` answers (the peer launched the chaincode) and a
 * `Ping` proposal is endorsed by every org's peer (gossip has found all the other orgs' peers, which
 * takes a few seconds after a restart). The proposal is endorsed, never submitted.
 */
export async function waitChaincode(
  consortium: Consortium,
  layout: Layout,
  org: Consortium['orgs'][number],
  timeoutMs = 90_000,
): Promise<string> {
  return withOrg(layout, org, async ({ gateway }) => {
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
 * Initialises the chaincode registry with the content the members agreed (derived from the genesis
 * config, see agreed-registry.ts), as the first centre; the chaincode makes this idempotent, and each
 * endorsing peer refuses any other content.
 */
export async function initRegistry(consortium: Consortium, layout: Layout, cli: FabricCli): Promise<void> {
  const first = consortium.centres[0];
  if (first === undefined) throw new Error('the consortium has no centre');
  const registry = (await deriveAgreedRegistry(consortium, layout, cli)).content;
  await withOrg(layout, first, async ({ gateway }) => {
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

export interface UpResult {
  readonly fabric: FabricInstall;
  readonly packageId: string;
  readonly sequence: number;
  readonly seconds: number;
}

/** Brings the consortium up, idempotently: every step checks what exists and does only what is missing. */
export async function up(consortium: Consortium, log: Log = console.log): Promise<UpResult> {
  const started = Date.now();
  const fabric = await ensureFabric(log);
  const layout = new Layout(consortium);
  const cli = new FabricCli(fabric, layout);
  log(
    `Consortium: channel ${consortium.channel}, ${consortium.centres.length} centres, ${consortium.ordererOrg.nodes.length} orderer(s), data dir ${layout.root}`,
  );
  claimDataDir(layout.root);
  ensureBaseConfig(fabric, layout);

  await step(0, log, async () => {
    const generated = await ensureCrypto(consortium, layout, cli);
    if (ensurePseudonymKey(layout)) generated.push('pseudonymisation key');
    log(generated.length > 0 ? `      generated: ${generated.join(', ')}` : '      all present');
  });
  await step(1, log, async () => {
    log(
      (await ensureGenesisBlock(consortium, layout, cli))
        ? '      built'
        : '      present (the channel exists)',
    );
  });
  await step(2, log, async () => {
    const nodes = consortium.ordererOrg.nodes;
    for (const node of nodes) {
      const { pid, reused } = startNode(layout, ordererSpec(consortium, layout, fabric, node));
      log(
        `      ${node.name} ${reused ? 'already running' : 'started'} (pid ${pid}) on ${node.address}:${node.ports.listen}`,
      );
    }
    for (const node of nodes) {
      await waitHealthy(ordererProcessName(node), node.address, node.ports.operations, layout);
      await waitListening(ordererProcessName(node), node.address, node.ports.admin, layout);
      log(
        `      ${node.name} ${(await joinOrderer(consortium, layout, cli, node)) ? 'joined' : 'already joined'} ${consortium.channel}`,
      );
    }
    log(`      Raft leader: ${await waitRaftLeader(consortium)}`);
  });
  await step(3, log, async () => {
    for (const org of consortium.orgs) {
      const { pid, reused } = startNode(layout, peerSpec(layout, fabric, org, consortium.orgs.length));
      log(
        `      ${peerProcessName(org)} ${reused ? 'already running' : 'started'} (pid ${pid}) on ${org.address}:${org.ports.peer}`,
      );
    }
    // A few at a time (each join builds a ledger in its peer); a small consortium joins all at once.
    await eachLimited(consortium.orgs, CLI_CONCURRENCY, async (org) => {
      await waitHealthy(peerProcessName(org), org.address, org.ports.operations, layout);
      await waitListening(peerProcessName(org), org.address, org.ports.peer, layout);
      log(
        `      ${org.mspId} ${(await joinPeer(consortium, layout, cli, org)) ? 'joined' : 'already joined'} ${consortium.channel}`,
      );
    });
  });
  const { packageId, sequence } = await step(4, log, async () => {
    const id = ensurePackage(consortium, layout);
    log(`      package ${id}`);
    // A few at a time: 32 peer CLIs at once on 2 cores missed the CLI's 3 s connect timeout (docs/decisions/0008).
    await eachLimited(consortium.orgs, CLI_CONCURRENCY, async (org) => {
      log(
        `      ${org.mspId} ${(await ensureInstalled(cli, layout, org, id)) ? 'installed' : 'had installed'} the package`,
      );
    });
    return {
      packageId: id,
      sequence: await ensureDefinition(consortium, layout, cli, id, (line) => log(`    ${line}`)),
    };
  });
  await step(5, log, async () => {
    const agreed = await ensureAgreedRegistry(consortium, layout, cli);
    log(
      `      agreed registry (from the genesis config): ${agreed.channelMembers.length} members, sha256 ${agreed.sha256}`,
    );
    for (const org of consortium.orgs) {
      const { pid, reused, restarted } = await startChaincodeServer(layout, org, packageId);
      const state = restarted ? 'restarted (chaincode rebuilt)' : reused ? 'already running' : 'started';
      log(
        `      ${chaincodeServerName(org)} ${state} (pid ${pid}) on ${org.address}:${org.ports.chaincodeServer}`,
      );
    }
  });
  await step(6, log, async () => {
    // Gossip among many orgs takes longer to reach everyone: the wait grows with the consortium.
    const timeoutMs = Math.max(90_000, consortium.orgs.length * 5_000);
    await eachLimited(consortium.orgs, CLI_CONCURRENCY, async (org) =>
      log(`      ${org.mspId}: ${await waitChaincode(consortium, layout, org, timeoutMs)}`),
    );
    await initRegistry(consortium, layout, cli);
    log(`      registry holds ${consortium.centres.length} centres and ${consortium.regulator.mspId}`);
  });
  const seconds = (Date.now() - started) / 1000;
  log(`Consortium is up in ${seconds.toFixed(1)} s. Stop it with: npm run network:down`);
  return { fabric, packageId, sequence, seconds };
}

/** Every process name the consortium runs, dependants first (stop order): the supervisor before what it supervises. */
export function processNames(consortium: Consortium): string[] {
  return [
    SUPERVISOR_NAME,
    ...consortium.orgs.map((org) => `gateway-${org.key}`),
    ...consortium.orgs.map(chaincodeServerName),
    ...consortium.orgs.map(peerProcessName),
    ...consortium.ordererOrg.nodes.map(ordererProcessName),
  ];
}

/** Stops every process recorded in the data dir (by PID), then optionally wipes the data dir. */
export async function down(
  consortium: Consortium,
  options: { purge: boolean },
  log: Log = console.log,
): Promise<string[]> {
  const layout = new Layout(consortium);
  // Refuse before stopping anything: a refused purge changes nothing.
  const refusal = options.purge ? purgeRefusal(layout.root) : null;
  if (refusal !== null) throw new PurgeRefusedError(layout.root, refusal);
  const known = processNames(consortium);
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

/** Reports every node of the consortium with its PID and channel height (null when it does not answer). */
export async function status(consortium: Consortium, log: Log = () => undefined): Promise<NetworkStatus> {
  const fabric = await ensureFabric(log);
  const layout = new Layout(consortium);
  const cli = new FabricCli(fabric, layout);
  const orderers = await Promise.all(
    consortium.ordererOrg.nodes.map(async (node): Promise<NodeStatus> => {
      const proc = runningProcess(layout.root, ordererProcessName(node));
      const height = proc === null ? null : await ordererHeight(consortium, layout, cli, node);
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
    consortium.orgs.map(async (org): Promise<NodeStatus> => {
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
