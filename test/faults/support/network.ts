import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Network, Definition, Runtime } from '../../../network';
import { keyOf } from '../../support/http';

/**
 * The consortium the fault suite runs against: 3 Raft orderers (leader and quorum faults need them),
 * started through the detached supervisor exactly as `npm start -- --detach` does.
 * `HPF_FAULT_DEFINITION` points at another definition (other ports and data dir).
 */
export const FAULT_DEFINITION =
  process.env.HPF_FAULT_DEFINITION ?? path.join(Definition.REPO_ROOT, 'test', 'consortium-faults.test.yaml');

export function faultConsortium(options: { includeJoined?: boolean } = {}): Definition.Consortium {
  return Definition.loadDefinition(FAULT_DEFINITION, Definition.REPO_ROOT, options);
}

export function faultLog(line: string): void {
  process.stdout.write(`[faults] ${line}\n`);
}

export const consortium = faultConsortium();
export const layout = new Network(consortium).layout;

export function gatewayOf(org: Definition.OrgDefinition): Runtime.GatewayInfo {
  const found = Runtime.gatewayInfo(consortium, layout).find((g) => g.mspId === org.mspId);
  if (found === undefined) throw new Error(`no gateway for ${org.mspId}`);
  return found;
}

export function centreOf(gateway: Runtime.GatewayInfo): Definition.OrgDefinition {
  const found = consortium.centres.find((c) => c.mspId === gateway.mspId);
  if (found === undefined) throw new Error(`${gateway.mspId} is not a centre`);
  return found;
}

/** SIGKILLs one process of the consortium (ours: started by this suite's supervisor); returns its PID. */
export function sigkill(name: string): number {
  const running = Runtime.runningProcess(layout.root, name);
  if (running === null) throw new Error(`${name} is not running`);
  process.kill(running.pid, 'SIGKILL');
  return running.pid;
}

export function pidOf(name: string): number | null {
  return Runtime.runningProcess(layout.root, name)?.pid ?? null;
}

/** Waits (bounded) for the supervisor to log the restart of `name` that replaced `oldPid`. */
export async function supervisorRestart(
  name: string,
  oldPid: number,
  timeoutMs = 90_000,
): Promise<Runtime.RestartEvent> {
  return Runtime.pollUntil(
    () =>
      Promise.resolve(
        Runtime.readSupervisorState(layout.root)?.restarts.find(
          (e) => e.name === name && e.oldPid === oldPid,
        ),
      ),
    {
      timeoutMs,
      intervalMs: 200,
      failure: () =>
        new Error(`the supervisor did not restart ${name} (pid ${oldPid}) within ${timeoutMs / 1000} s`),
    },
  );
}

export async function raftLeader(): Promise<string | null> {
  for (const node of consortium.ordererOrg.nodes) {
    if (await Runtime.isRaftLeader(node.address, node.ports.operations, consortium.channel)) return node.name;
  }
  return null;
}

let cli: Runtime.FabricCli | undefined;

export async function heights(): Promise<Map<string, number | null>> {
  cli ??= new Runtime.FabricCli(await Runtime.ensureFabric(() => undefined), layout);
  const c = cli;
  const entries = await Promise.all(
    consortium.orgs.map(async (org) => [org.mspId, await Runtime.peerHeight(consortium, c, org)] as const),
  );
  return new Map(entries);
}

let centreQuery: boolean | undefined;

/**
 * Reads one withdrawal through a gateway. Withdrawal IDs are scoped to their centre: `?centre=` names
 * it; a gateway without that query parameter (it answers 400 to unknown ones) is asked without it.
 */
export async function readWithdrawal(
  via: Runtime.GatewayInfo,
  centreCode: string,
  withdrawalId: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const get = async (query: boolean): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(
      `${via.url}/v1/withdrawals/${withdrawalId}${query ? `?centre=${centreCode}` : ''}`,
      { headers: { authorization: `Bearer ${keyOf(via, 'auditor')}` }, signal: AbortSignal.timeout(20_000) },
    );
    const text = await response.text();
    return {
      status: response.status,
      body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    };
  };
  if (centreQuery === undefined) {
    const first = await get(true);
    if (first.status !== 400) {
      centreQuery = true;
      return first;
    }
    centreQuery = false;
  }
  return get(centreQuery);
}

export interface CaseFigures {
  readonly fault: string;
  readonly writes: number;
  readonly acknowledged: number;
  readonly lost: number;
  readonly statuses: Record<string, number>;
  readonly http504: { readonly count: number; readonly resolved200: number; readonly resolved201: number };
  readonly noAnswer: { readonly count: number; readonly resolved200: number; readonly resolved201: number };
  /** From the kill to the supervisor's restart of the process (null when the case restarts nothing itself). */
  readonly restartMs: number | null;
  /**
   * From the kill to the first acknowledged write (at the affected gateways) whose request started
   * after the kill and after every failed request there (null: none within the case).
   */
  readonly recoveryMs: number | null;
  readonly faultWindowMs: number;
  readonly p50DuringFaultMs: number | null;
  readonly p99DuringFaultMs: number | null;
  readonly notes: string;
}

export const results: CaseFigures[] = [];

export function writeResults(): void {
  if (results.length === 0) return;
  const dir = path.join(Definition.REPO_ROOT, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'faults.json');
  writeFileSync(
    file,
    JSON.stringify({ at: new Date().toISOString(), definition: FAULT_DEFINITION, cases: results }, null, 2) +
      '\n',
  );
  const rows = results.map(
    (r) =>
      `${r.fault.padEnd(42)} acked ${String(r.acknowledged).padStart(4)}  lost ${r.lost}  504 ${r.http504.count} (→200 ${r.http504.resolved200}, →201 ${r.http504.resolved201})  no answer ${r.noAnswer.count} (→200 ${r.noAnswer.resolved200}, →201 ${r.noAnswer.resolved201})  restart ${r.restartMs ?? '-'} ms  recovery ${r.recoveryMs ?? '-'} ms  p99 ${r.p99DuringFaultMs ?? '-'} ms  statuses ${JSON.stringify(r.statuses)}`,
  );
  faultLog(`figures (also in ${file}):\n${rows.join('\n')}`);
}
