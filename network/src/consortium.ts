import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chaincodeServerSpec } from './chaincode-deploy';
import type { Consortium } from './definition';
import type { FabricInstall } from './fabric-bin';
import {
  ensureApiKeys,
  gatewayInfo,
  gatewayProcessName,
  gatewaySpec,
  startGateway,
  waitGatewayReady,
} from './gateways';
import { REPO_ROOT, type Layout } from './layout';
import { Network, type Log, type UpResult } from './network';
import { ordererSpec, peerSpec } from './nodes';
import { eachLimited, sleep } from './poll';
import {
  alive,
  logFile,
  recordedPid,
  recordSelf,
  runningProcess,
  startProcess,
  type ProcessSpec,
} from './processes';
import {
  SUPERVISOR_NAME,
  Supervisor,
  supervisorStateFile,
  type SupervisorOptions,
  type SupervisorState,
} from './supervisor';
import { readState, supervisorStateSchema } from './state-store';

/** Gateways started (and waited for) at once, and how long each may take to answer /readyz. */
const GATEWAY_START_CONCURRENCY = 4;
const GATEWAY_READY_TIMEOUT_MS = 120_000;

/** The whole local consortium: the network (network.ts) plus one HTTP gateway per organisation. */
export async function startConsortium(consortium: Consortium, log: Log = console.log): Promise<UpResult> {
  const started = Date.now();
  const network = new Network(consortium, { log });
  const result = await network.up();
  const layout = network.layout;
  ensureApiKeys(consortium, layout);
  log('Gateways');
  // A few at a time, each until ready: 32 Node processes started at once on 2 cores (next to 32
  // peers and 32 chaincode servers) were not ready within a minute (docs/decisions/0008-large-consortia-settings.md).
  await eachLimited(consortium.orgs, GATEWAY_START_CONCURRENCY, async (org) => {
    const { pid, reused } = startGateway(network, org);
    log(
      `      ${gatewayProcessName(org)} ${reused ? 'already running' : 'started'} (pid ${pid}) on ${org.address}:${org.ports.gateway}`,
    );
    await waitGatewayReady(org, GATEWAY_READY_TIMEOUT_MS, layout);
  });
  log(`Consortium and gateways ready in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
  for (const g of gatewayInfo(consortium, layout)) {
    log(`      ${g.mspId.padEnd(14)} ${g.url}  (API keys: npm run consortium:info)`);
  }
  return result;
}

/**
 * How each long-running process of the consortium is started, dependencies first: orderers, peers,
 * chaincode servers, gateways. The supervisor restarts from these; the systemd units are made of them.
 */
export function consortiumSpecs(
  site: { readonly consortium: Consortium; readonly layout: Layout },
  fabric: FabricInstall,
  packageId: string,
): ProcessSpec[] {
  const { consortium, layout } = site;
  return [
    ...consortium.ordererOrg.nodes.map((node) => ordererSpec(site, fabric, node)),
    ...consortium.orgs.map((org) => peerSpec(site, fabric, org)),
    ...consortium.orgs.map((org) => chaincodeServerSpec(layout, org, packageId)),
    ...consortium.orgs.map((org) => gatewaySpec(consortium, layout, org)),
  ];
}

/**
 * Starts the consortium and supervises it from this process (recorded as `supervisor`, so that
 * `npm run stop` stops it first). Resolves with the running supervisor; a failed start is written to
 * the supervisor's state file before the error is thrown.
 */
export async function startSupervised(
  consortium: Consortium,
  log: Log = console.log,
  options: Partial<Omit<SupervisorOptions, 'dataDir' | 'specs' | 'log'>> = {},
): Promise<Supervisor> {
  const { layout } = new Network(consortium, { log });
  recordSelf(layout.root, SUPERVISOR_NAME);
  let result: UpResult;
  try {
    result = await startConsortium(consortium, log);
  } catch (error) {
    Supervisor.reportFailure(layout.root, error instanceof Error ? error.message : String(error));
    throw error;
  }
  const supervisor = new Supervisor({
    ...options,
    dataDir: layout.root,
    specs: consortiumSpecs({ consortium, layout }, result.fabric, result.packageId),
    log,
  });
  supervisor.start();
  return supervisor;
}

export function readSupervisorState(dataDir: string): SupervisorState | null {
  return readState(supervisorStateFile(dataDir), supervisorStateSchema);
}

const TSX_CLI = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const SUPERVISE_SCRIPT = path.join(REPO_ROOT, 'scripts', 'supervise.ts');

/**
 * `npm start -- --detach`: starts a detached supervisor process (`scripts/supervise.ts`, recorded as
 * `supervisor`, log in `logs/supervisor.log`) that brings the consortium up and then keeps it running;
 * returns once the supervisor reports it running, or throws with the reason it failed.
 */
export async function startDetached(
  consortium: Consortium,
  options: { readonly definitionFile: string; readonly log?: Log; readonly timeoutMs?: number },
): Promise<SupervisorState> {
  const { definitionFile, log = console.log, timeoutMs = 15 * 60_000 } = options;
  const { layout } = new Network(consortium, { log });
  const existing = runningProcess(layout.root, SUPERVISOR_NAME);
  if (existing !== null) {
    log(`A supervisor is already running (pid ${existing.pid}); it keeps the consortium running.`);
  }
  const stateFile = supervisorStateFile(layout.root);
  const before = existsSync(stateFile) ? readFileSync(stateFile, 'utf8') : '';
  const { pid } =
    existing ??
    startProcess(layout.root, {
      name: SUPERVISOR_NAME,
      command: process.execPath,
      args: [TSX_CLI, SUPERVISE_SCRIPT, '--definition', path.resolve(definitionFile)],
      cwd: REPO_ROOT,
      env: Object.fromEntries(
        Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
      ),
    });
  log(`Supervisor started (pid ${pid}); its log: ${logFile(layout.root, SUPERVISOR_NAME)}`);
  return waitSupervisorRunning(layout, pid, existing !== null ? null : before, timeoutMs);
}

/** The state file, unless it is still the one a previous supervisor left. */
function freshState(layout: Layout, staleState: string | null): SupervisorState | null {
  const stateFile = supervisorStateFile(layout.root);
  const text = existsSync(stateFile) ? readFileSync(stateFile, 'utf8') : '';
  return text !== '' && text !== staleState ? readSupervisorState(layout.root) : null;
}

/** The supervisor's state once it reports running; throws once it failed or is gone; else undefined. */
function supervisorProbe(
  layout: Layout,
  pid: number,
  staleState: string | null,
): SupervisorState | undefined {
  const state = freshState(layout, staleState);
  // The supervisor re-records itself (tsx runs the script in a child process): either PID is it.
  const current = recordedPid(layout.root, SUPERVISOR_NAME);
  if (state?.phase === 'failed') {
    throw new Error(`the consortium did not start: ${state.error ?? 'unknown error'}`);
  }
  if (state?.phase === 'running' && [pid, current].includes(state.supervisorPid)) return state;
  // Just spawned, its command line may still be the launching shell's: alive is enough.
  if (![pid, current].some((p) => p !== null && alive(p))) {
    throw new Error(`the supervisor exited; see ${logFile(layout.root, SUPERVISOR_NAME)}`);
  }
  return undefined;
}

/** Waits until the supervisor's state file says running (or failed), or the supervisor is gone. */
async function waitSupervisorRunning(
  layout: Layout,
  pid: number,
  staleState: string | null,
  timeoutMs: number,
): Promise<SupervisorState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = supervisorProbe(layout, pid, staleState);
    if (state !== undefined) return state;
    if (Date.now() > deadline) {
      throw new Error(`the supervisor did not report the consortium running within ${timeoutMs / 1000} s`);
    }
    await sleep(500);
  }
}
