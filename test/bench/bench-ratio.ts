import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SHAPE_PARTS } from '../../chaincode/src/shape-parts';
import { Network, Runtime } from '../../network';
import { benchConsortium } from './bench-network';
import {
  benchWithdrawal,
  cpuMsByProcess,
  firstCentre,
  kindOf,
  machineState,
  onFreshConsortium,
  percentile,
  rawWithdrawal,
  round1,
  round2,
  rssByProcess,
  send,
} from './bench-support';
import { keysOfTransaction, type KeysOfTransaction } from '../support/rwset';
import { nodeCpuProfile, perfAvailable, perfProfile, summariseCpuProfile } from './profile';

/**
 * Ratio: HTTP withdrawals (POST /v1/withdrawals at the first centre's gateway) against the trivial
 * put (meta:Ping through the raw fabric-gateway client), side by side on one fresh network. Two more
 * modes split the difference: the same withdrawal through the raw client (what the HTTP gateway
 * adds), and meta:Shape through the raw client, a withdrawal's Fabric work without its rules (what
 * the rules add, and what Fabric itself costs for that shape over a trivial put). Each mode runs a
 * closed loop of `inFlight` workers for `runMs`, alternating (HTTP, raw, shape, put, HTTP, …) `runs`
 * times, so drift and a neighbour's load hit all alike. Printed: each run's rate, the ratio
 * of the mean rates, p50 and p99 over all runs, every answer's status, and the CPU ms per completed
 * request of each process kind (read from /proc/<pid>/stat of every process the network started;
 * the serving gateway also on its own).
 */

export interface RatioOptions {
  readonly basePort: number;
  readonly runs: number;
  readonly runMs: number;
  readonly inFlight: number;
  /**
   * Also run meta:Shape part by part, cumulatively (reads; reads and ranges; … ; all five parts):
   * each step's CPU per request over the one before is what that part of a withdrawal's Fabric work
   * costs.
   */
  readonly shapeParts?: boolean;
  /**
   * After the runs, profile one more run of each mode into this folder: the serving gateway and the
   * first centre's chaincode server (V8 CPU profiles) and its peer (perf) during HTTP withdrawals;
   * the peer and the chaincode server during trivial puts. Profiling slows them: no rate is kept.
   */
  readonly profileDir?: string;
}

/** One request: resolves to its answer's status ('201', 'ok', or an error's first words). */
type Op = (i: number) => Promise<string>;

interface Run {
  readonly ok: number;
  readonly ms: number;
  readonly latencies: number[];
  readonly statuses: Record<string, number>;
  readonly cpuMsByProcess: Record<string, number>;
}

async function closedLoop(
  op: Op,
  okStatus: string,
  inFlight: number,
  ms: number,
  counter: { next: number },
  cpuOf: () => Record<string, number>,
): Promise<Run> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const cpuBefore = cpuOf();
  const started = performance.now();
  const deadline = started + ms;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      let status: string;
      try {
        status = await op(counter.next++);
      } catch (error) {
        status = String(error).replace(/\s+/g, ' ').slice(0, 80);
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === okStatus) latencies.push(performance.now() - t0);
      // A failing mode must not spin: a short pause after every failure.
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elapsed = performance.now() - started;
  const cpuAfter = cpuOf();
  const used: Record<string, number> = {};
  for (const [name, after] of Object.entries(cpuAfter)) used[name] = after - (cpuBefore[name] ?? after);
  return { ok: latencies.length, ms: elapsed, latencies, statuses, cpuMsByProcess: used };
}

/** The name this benchmark process's own CPU time goes under. */
const CLIENT = 'client';

interface ModeSummary {
  readonly ratesPerSecond: number[];
  readonly meanRatePerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly statuses: Record<string, number>;
  readonly cpuMsPerRequest: Record<string, number>;
}

/** CPU ms of the runs by process kind (and the serving gateway on its own; the client apart). */
function cpuByKind(runs: readonly Run[], servingGateway: string): Record<string, number> {
  const byKind: Record<string, number> = {};
  const add = (kind: string, ms: number): void => {
    byKind[kind] = (byKind[kind] ?? 0) + ms;
  };
  for (const run of runs) {
    for (const [name, ms] of Object.entries(run.cpuMsByProcess)) {
      add(name === CLIENT ? CLIENT : kindOf(name), ms);
      if (name === servingGateway) add('servingGateway', ms);
    }
  }
  return byKind;
}

function summarise(runs: readonly Run[], servingGateway: string): ModeSummary {
  const rates = runs.map((r) => round1((r.ok / r.ms) * 1000));
  const sorted = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const run of runs)
    for (const [status, n] of Object.entries(run.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  const ok = runs.reduce((sum, run) => sum + run.ok, 0);
  const byKind = cpuByKind(runs, servingGateway);
  const total = Object.entries(byKind)
    .filter(([kind]) => kind !== 'servingGateway')
    .reduce((sum, [, ms]) => sum + ms, 0);
  const perRequest = Object.fromEntries(
    Object.entries(byKind).map(([kind, ms]) => [kind, round1(ms / Math.max(1, ok))]),
  );
  perRequest.total = round1(total / Math.max(1, ok));
  return {
    ratesPerSecond: rates,
    meanRatePerSecond: round1(rates.reduce((a, b) => a + b, 0) / Math.max(1, rates.length)),
    p50Ms: round1(percentile(sorted, 0.5)),
    p99Ms: round1(percentile(sorted, 0.99)),
    statuses,
    cpuMsPerRequest: perRequest,
  };
}

/** One profiled run per (mode, process): Node profiles one at a time (one inspector port). */
async function profileModes(
  log: Runtime.Log,
  options: RatioOptions & { profileDir?: string },
  pids: { gateway: number; chaincode: number; peer: number },
  runMode: (name: string) => Promise<Run>,
): Promise<void> {
  const dir = options.profileDir!;
  mkdirSync(dir, { recursive: true });
  const seconds = Math.round(options.runMs / 1000);
  const plan: [mode: string, node: 'gateway' | 'chaincode', withPerf: boolean][] = [
    ['httpWithdrawal', 'gateway', true],
    ['httpWithdrawal', 'chaincode', false],
    ['trivialPut', 'chaincode', true],
  ];
  for (const [mode, node, withPerf] of plan) {
    log(`ratio: profiling the ${node}${withPerf ? ' and the peer' : ''} during ${mode}`);
    const profiled = async (): Promise<Run> => {
      const { result, profile } = await nodeCpuProfile(pids[node], () => runMode(mode));
      writeFileSync(
        path.join(dir, `${mode}-${node}.txt`),
        summariseCpuProfile(
          profile,
          `${node} (pid ${pids[node]}) during ${mode}, ${options.inFlight} in flight`,
        ),
      );
      return result;
    };
    if (withPerf && perfAvailable()) {
      const { text } = await perfProfile(
        pids.peer,
        seconds,
        path.join(tmpdir(), `hpf-bench-perf-${process.pid}.data`),
        `peer (pid ${pids.peer}) during ${mode}, ${options.inFlight} in flight`,
        profiled,
      );
      writeFileSync(path.join(dir, `${mode}-peer.txt`), text);
    } else {
      await profiled();
    }
  }
}

export async function benchRatio(log: Runtime.Log, options: RatioOptions): Promise<object> {
  const consortium = benchConsortium(options.basePort, '.hpf-bench-ratio');
  const before = machineState();
  const started = performance.now();
  return onFreshConsortium('ratio', consortium, log, async (layout) => {
    const { gateway, endorsers, meta, qscc, close, key, centre, withdrawal } = firstCentre(
      consortium,
      layout,
    );
    const org = consortium.orgs.find((o) => o.mspId === gateway.mspId);
    if (org === undefined) throw new Error(`no organisation ${gateway.mspId}`);
    const servingGateway = Runtime.gatewayProcessName(org);
    const cpuOf = (): Record<string, number> => {
      const client = process.cpuUsage();
      return { ...cpuMsByProcess(consortium), [CLIENT]: (client.user + client.system) / 1000 };
    };
    let shapeValue: string | undefined;
    const shapeMode = (name: string, parts: string): { op: Op; ok: string } => ({
      ok: 'ok',
      op: async (i) => {
        const transaction = meta.newProposal('Shape', {
          arguments: [`${name.replace(/\W/g, '-')}-${i}`, shapeValue ?? '{}', parts],
          endorsingOrganizations: endorsers,
        });
        lastTx[name] = transaction.getTransactionId();
        const submitted = await (await transaction.endorse()).submit();
        const status = await submitted.getStatus();
        if (!status.successful) throw new Error(`${name} ${status.transactionId}: code ${status.code}`);
        return 'ok';
      },
    });
    const modes: Record<string, { op: Op; ok: string }> = {
      httpWithdrawal: {
        ok: '201',
        op: async (i) => {
          const answer = await send(gateway, 'POST', '/v1/withdrawals', benchWithdrawal(`RH-${i}`, i));
          if (answer.status === 201) {
            lastTx.httpWithdrawal = (answer.body as { txId?: string }).txId;
            // The shape mode writes a withdrawal's own record (the warm-up runs this mode first).
            shapeValue ??= JSON.stringify(answer.body);
            return '201';
          }
          // Another answer is counted with its problem code (e.g. "503 UNAVAILABLE").
          const code = (answer.body as { code?: unknown }).code;
          return `${answer.status} ${typeof code === 'string' ? code : ''}`.trim();
        },
      },
      rawWithdrawal: {
        ok: 'ok',
        op: async (i) => {
          await rawWithdrawal(withdrawal, { key, centre, endorsers }, `RR-${i}`, i);
          return 'ok';
        },
      },
      shape: shapeMode('shape', ''),
      ...(options.shapeParts === true
        ? Object.fromEntries(
            SHAPE_PARTS.slice(0, -1).map((_, index) => {
              const parts = SHAPE_PARTS.slice(0, index + 1).join(',');
              return [`shape:${parts}`, shapeMode(`shape:${parts}`, parts)];
            }),
          )
        : {}),
      trivialPut: {
        ok: 'ok',
        op: async (i) => {
          const transaction = meta.newProposal('Ping', {
            arguments: [`ratio-${i}`],
            endorsingOrganizations: endorsers,
          });
          lastTx.trivialPut = transaction.getTransactionId();
          const submitted = await (await transaction.endorse()).submit();
          const status = await submitted.getStatus();
          if (!status.successful) throw new Error(`trivial put ${status.transactionId}: code ${status.code}`);
          return 'ok';
        },
      },
    };
    const counter = { next: 0 };
    const lastTx: Record<string, string | undefined> = {};

    log(`ratio: warm-up (3 s per mode at ${Math.min(8, options.inFlight)} in flight)`);
    for (const { op, ok } of Object.values(modes))
      await closedLoop(op, ok, Math.min(8, options.inFlight), 3_000, counter, cpuOf);
    const runs: Record<string, Run[]> = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
    for (let r = 1; r <= options.runs; r += 1) {
      for (const [name, { op, ok }] of Object.entries(modes)) {
        const run = await closedLoop(op, ok, options.inFlight, options.runMs, counter, cpuOf);
        runs[name]!.push(run);
        log(
          `ratio: run ${r}/${options.runs} ${name}: ${round1((run.ok / run.ms) * 1000)}/s, ` +
            `answers ${JSON.stringify(run.statuses)}, load ${machineState().loadAverage}`,
        );
      }
    }
    const rss = rssByProcess(consortium, 'VmHWM');
    const keysPerTransaction: Record<string, KeysOfTransaction> = {};
    for (const [name, txId] of Object.entries(lastTx)) {
      if (txId === undefined) continue;
      keysPerTransaction[name] = await keysOfTransaction(
        qscc,
        consortium.channel,
        consortium.chaincode.name,
        txId,
      );
      log(
        `ratio: ${name} ${txId}: reads ${keysPerTransaction[name].reads}, range queries ` +
          `${keysPerTransaction[name].rangeQueries} (${keysPerTransaction[name].rangeQueryResults} keys), writes ${keysPerTransaction[name].writes}`,
      );
    }
    if (options.profileDir !== undefined) {
      const pidOf = (name: string): number => {
        const found = Runtime.runningProcesses(new Network(consortium).layout.root).find(
          (p) => p.name === name,
        );
        if (found === undefined) throw new Error(`no running ${name}`);
        return found.pid;
      };
      await profileModes(
        log,
        options,
        {
          gateway: pidOf(servingGateway),
          chaincode: pidOf(Runtime.chaincodeServerName(org)),
          peer: pidOf(Runtime.peerProcessName(org)),
        },
        (name) =>
          closedLoop(modes[name]!.op, modes[name]!.ok, options.inFlight, options.runMs, counter, cpuOf),
      );
    }
    close();
    const summaries = Object.fromEntries(
      Object.entries(runs).map(([name, list]) => [name, summarise(list, servingGateway)]),
    );
    const http = summaries.httpWithdrawal!;
    const put = summaries.trivialPut!;
    const over = (a: string, b: string): number =>
      round2(summaries[a]!.meanRatePerSecond / Math.max(0.001, summaries[b]!.meanRatePerSecond));
    const ratio = over('httpWithdrawal', 'trivialPut');
    const ratios = {
      httpWithdrawalOverTrivialPut: ratio,
      rawWithdrawalOverTrivialPut: over('rawWithdrawal', 'trivialPut'),
      shapeOverTrivialPut: over('shape', 'trivialPut'),
      httpWithdrawalOverRawWithdrawal: over('httpWithdrawal', 'rawWithdrawal'),
      rawWithdrawalOverShape: over('rawWithdrawal', 'shape'),
    };
    log(
      `ratio: HTTP withdrawal ${http.meanRatePerSecond}/s (p50 ${http.p50Ms} ms, p99 ${http.p99Ms} ms), ` +
        `trivial put ${put.meanRatePerSecond}/s (p50 ${put.p50Ms} ms, p99 ${put.p99Ms} ms): ratio ${ratio}`,
    );
    log(
      `ratio: ${Object.entries(ratios)
        .map(([name, value]) => `${name} ${value}`)
        .join(', ')}`,
    );
    for (const [name, summary] of Object.entries(summaries))
      log(
        `ratio: ${name} CPU ms per request: ${Object.entries(summary.cpuMsPerRequest)
          .map(([kind, ms]) => `${kind} ${ms}`)
          .join(', ')}`,
      );
    return {
      ...options,
      httpWithdrawalOverTrivialPut: ratio,
      ratios,
      modes: summaries,
      keysPerTransaction,
      note: "closed loops of inFlight workers, alternating runs; rawWithdrawal: the same withdrawal through the raw fabric-gateway client; shape: meta:Shape, a withdrawal's Fabric work without its rules; CPU ms = user + system time from /proc per completed request, summed per process kind (servingGateway: the gateway that served the HTTP requests, also counted in gateway; client: this benchmark process)",
      servingGateway,
      peakRssMiB: rss,
      machineBefore: before,
      machineAfter: machineState(),
      durationSeconds: Math.round((performance.now() - started) / 1000),
    };
  });
}
