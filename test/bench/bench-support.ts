import { readFileSync, readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Contract } from '@hyperledger/fabric-gateway';
import {
  canonicalJson,
  computeSubjectRef,
  decodePseudonymKey,
  evidenceHashOf,
  residentIdCheckChar,
} from '../../chaincode/src/domain';
import { Network, Definition, Runtime } from '../../network';
import {
  type ConfirmOutBody,
  confirmOutBody,
  rentWithdrawal,
  type WithdrawalBodyFixture,
} from '../support/fixtures';

/** Helpers the benchmarks share: HTTP calls, generated people and records, percentiles, RSS, disk use. */

/** A distinct valid resident ID per index (sequence 001-999 within a birth date, then the next day). */
export function residentIdFor(i: number, region = '110105'): string {
  const day = new Date(Date.UTC(1960, 0, 1) + Math.floor(i / 999) * 86_400_000)
    .toISOString()
    .slice(0, 10)
    .replace(/-/g, '');
  const first17 = `${region}${day}${String((i % 999) + 1).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
}

export const today = (): string => new Date().toISOString().slice(0, 10);

/** A withdrawal body for POST /v1/withdrawals: person `person`, a rent contract unique to `id`. */
export function benchWithdrawal(id: string, person: number): WithdrawalBodyFixture {
  return rentWithdrawal(id, { idType: '01', idNumber: residentIdFor(person), name: '基准' });
}

/** A keep-alive HTTP client, as a centre's business system would hold one (lighter than fetch). */
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * One call with the gateway's operator key (auditor key on the regulator); never throws on a status.
 * A kept-alive socket the server closed just as it was reused is retried once on a new one: every
 * call here is idempotent (writes are idempotent per ID).
 */
export async function send(
  gateway: Runtime.GatewayInfo,
  method: string,
  url: string,
  body?: unknown,
): Promise<HttpAnswer> {
  try {
    return await sendOnce(gateway, method, url, body);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'ECONNRESET' && !String(error).includes('socket hang up')) throw error;
    return sendOnce(gateway, method, url, body);
  }
}

function sendOnce(
  gateway: Runtime.GatewayInfo,
  method: string,
  url: string,
  body?: unknown,
): Promise<HttpAnswer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const key = gateway.apiKeys.operator ?? gateway.apiKeys.auditor ?? '';
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${gateway.url}${url}`,
      {
        method,
        agent,
        timeout: 120_000,
        headers: {
          authorization: `Bearer ${key}`,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 500,
            body: text === '' ? {} : (JSON.parse(text) as unknown),
          });
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end(payload);
  });
}

/** A call that must succeed (2xx): its body, else an error with the status and body. */
export async function post(gateway: Runtime.GatewayInfo, url: string, body: unknown): Promise<unknown> {
  const answer = await send(gateway, 'POST', url, body);
  if (answer.status >= 300)
    throw new Error(`HTTP ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
  return answer.body;
}

export async function get(gateway: Runtime.GatewayInfo, url: string): Promise<unknown> {
  const answer = await send(gateway, 'GET', url);
  if (answer.status >= 300)
    throw new Error(`HTTP ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
  return answer.body;
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0);
}

export const round1 = (n: number): number => Math.round(n * 10) / 10;
export const round2 = (n: number): number => Math.round(n * 100) / 100;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One closed-loop measurement window: what `closedLoop` saw. */
export interface LoopSample {
  readonly ops: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly ms: number;
  readonly latencies: number[];
}

/**
 * `concurrency` workers call `op` with consecutive numbers from `counter` until `ms` have passed; a
 * failed call is counted (the first error kept) and its worker pauses 50 ms.
 */
export async function closedLoop(
  op: (i: number) => Promise<void>,
  concurrency: number,
  ms: number,
  counter: { next: number },
): Promise<LoopSample> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + ms;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await op(counter.next++);
        latencies.push(performance.now() - t0);
      } catch (error) {
        errors += 1;
        firstError ??= String(error).slice(0, 300);
        await sleep(50);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return {
    ops: latencies.length,
    errors,
    ms: performance.now() - started,
    latencies,
    ...(firstError === undefined ? {} : { firstError }),
  };
}

function statusKiB(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? null : Number(match[1]);
  } catch {
    return null;
  }
}

/** Current RSS (MiB) of each running process of the consortium, by process name. */
export function rssByProcess(
  consortium: Definition.Consortium,
  field: 'VmHWM' | 'VmRSS' = 'VmRSS',
): Record<string, number> {
  const result: Record<string, number> = {};
  for (const proc of Runtime.runningProcesses(new Network(consortium).layout.root)) {
    const kib = statusKiB(proc.pid, field);
    if (kib !== null) result[proc.name] = round1(kib / 1024);
  }
  return result;
}

/** Clock ticks per second of /proc/<pid>/stat's CPU times (USER_HZ; 100 on Linux). */
const USER_HZ = 100;

/** CPU time (ms, user + system) each running process of the consortium has used so far, by name. */
export function cpuMsByProcess(consortium: Definition.Consortium): Record<string, number> {
  const result: Record<string, number> = {};
  for (const proc of Runtime.runningProcesses(new Network(consortium).layout.root)) {
    try {
      // The fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${proc.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      result[proc.name] = ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return result;
}

/** The kind of a process name: orderer, peer, chaincode, gateway. */
export function kindOf(name: string): string {
  return name.replace(/[-\d].*$/, '');
}

/** Runs `during`, then says the CPU ms each kind of the consortium's processes used meanwhile. */
export async function cpuMsByKindDuring<T>(
  consortium: Definition.Consortium,
  during: () => Promise<T>,
): Promise<{ result: T; byKind: Record<string, number> }> {
  const before = cpuMsByProcess(consortium);
  const result = await during();
  const byKind: Record<string, number> = {};
  for (const [name, used] of Object.entries(cpuMsByProcess(consortium))) {
    byKind[kindOf(name)] = (byKind[kindOf(name)] ?? 0) + used - (before[name] ?? used);
  }
  return { result, byKind };
}

/** Per process kind: count, total, largest and mean RSS (MiB). */
export function rssSummary(
  byProcess: Readonly<Record<string, number>>,
): Record<string, { count: number; totalMiB: number; maxMiB: number; meanMiB: number }> {
  const kinds: Record<string, number[]> = {};
  for (const [name, mib] of Object.entries(byProcess)) (kinds[kindOf(name)] ??= []).push(mib);
  return Object.fromEntries(
    Object.entries(kinds).map(([kind, list]) => {
      const total = list.reduce((a, b) => a + b, 0);
      return [
        kind,
        {
          count: list.length,
          totalMiB: round1(total),
          maxMiB: Math.max(...list),
          meanMiB: round1(total / list.length),
        },
      ];
    }),
  );
}

/** Bytes under a directory (files only; symlinks not followed). */
export function diskBytes(dir: string): number {
  let total = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop()!;
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (entry.isFile()) total += statSync(full).size;
    }
  }
  return total;
}

/** The machine's load average and available memory, to print beside every figure (the machine is shared). */
export function machineState(): { loadAverage: string; memAvailableMiB: number; memTotalMiB: number } {
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  const field = (name: string): number =>
    Math.round(Number(new RegExp(`${name}:\\s+(\\d+)`).exec(meminfo)?.[1] ?? 0) / 1024);
  return {
    loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    memAvailableMiB: field('MemAvailable'),
    memTotalMiB: field('MemTotal'),
  };
}

/**
 * The transaction POST /v1/withdrawals submits, through the raw fabric-gateway client: the same
 * argument and transient map, without HTTP or the gateway's services.
 */
export async function rawWithdrawal(
  contract: Contract,
  options: { key: Uint8Array; centre: string; endorsers: string[] },
  id: string,
  person: number,
): Promise<void> {
  const body = benchWithdrawal(id, person);
  const idNumber = residentIdFor(person);
  const args = {
    withdrawalId: id,
    centre: options.centre,
    subjectRef: computeSubjectRef(options.key, '01', idNumber, undefined),
    reasonCode: '07',
    amount: '1200.00',
    closesAccount: false,
    evidence: [{ kind: 'RENT_CONTRACT', hash: evidenceHashOf(options.key, `RENT-${id}`) }],
    withdrawnOn: body.withdrawnOn,
  };
  await contract.submit('Record', {
    arguments: [canonicalJson(args)],
    transientData: {
      person: canonicalJson({ idType: '01', idNumber }),
      evidence: canonicalJson([{ kind: 'RENT_CONTRACT', reference: `RENT-${id}` }]),
    },
    endorsingOrganizations: options.endorsers,
  });
}

/** The body of POST /v1/transfers/{id}/confirm-out the benchmarks send: 12 034.50 yuan in all. */
export function benchConfirmOut(settlementRef: string): ConfirmOutBody {
  return confirmOutBody({
    principal: '12000.00',
    interest: '34.50',
    openedOn: '2018-01-01',
    loanCount: 0,
    settlementRef,
  });
}

/**
 * Runs `measure` on a fresh consortium with gateways (`benchConsortium` on its own ports and data
 * dir), then takes it down and purges it, also when `measure` fails.
 */
export async function onFreshConsortium<T>(
  name: string,
  consortium: Definition.Consortium,
  log: (line: string) => void,
  measure: (layout: Definition.Layout) => Promise<T>,
): Promise<T> {
  const quiet = (): void => undefined;
  await new Network(consortium, { log: quiet }).down({ purge: true });
  try {
    log(`${name}: starting the consortium with gateways`);
    await Runtime.startConsortium(consortium, quiet);
    return await measure(new Network(consortium).layout);
  } finally {
    await new Network(consortium, { log: quiet }).down({ purge: true });
  }
}

/** What the write benchmarks need at the first centre: its gateway, and the raw client's contracts. */
export interface FirstCentre {
  readonly centre: string;
  readonly gateway: Runtime.GatewayInfo;
  readonly key: Uint8Array;
  readonly endorsers: string[];
  readonly withdrawal: Contract;
  readonly meta: Contract;
  /** The system chaincode qscc on the same channel (blocks and transactions by ID). */
  readonly qscc: Contract;
  readonly close: () => void;
}

export function firstCentre(consortium: Definition.Consortium, layout: Definition.Layout): FirstCentre {
  const beijing = consortium.centres[0];
  if (beijing?.code == null) throw new Error('no centre');
  const gateway = Runtime.gatewayInfo(consortium, layout).find((g) => g.mspId === beijing.mspId);
  if (gateway === undefined) throw new Error('no gateway');
  const key = decodePseudonymKey(readFileSync(layout.pseudonymKey));
  if (key === undefined) throw new Error('the pseudonymisation key is too short');
  const raw = Runtime.connectOrg(layout, beijing);
  const network = raw.gateway.getNetwork(consortium.channel);
  return {
    centre: beijing.code,
    gateway,
    key,
    endorsers: [beijing.mspId, consortium.regulator.mspId],
    withdrawal: network.getContract(consortium.chaincode.name, 'withdrawal'),
    meta: network.getContract(consortium.chaincode.name, 'meta'),
    qscc: network.getContract('qscc'),
    close: () => raw.close(),
  };
}
