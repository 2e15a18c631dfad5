import { performance } from 'node:perf_hooks';
import type { Runtime } from '../../network';
import { benchConsortium } from './bench-network';
import {
  cpuMsByKindDuring,
  firstCentre,
  machineState,
  onFreshConsortium,
  percentile,
  post,
  rawWithdrawal,
  round1,
  round2,
  rssByProcess,
  rssSummary,
  sleep,
  benchWithdrawal,
} from './bench-support';

/**
 * Saturation: an open-loop load (requests start on a fixed schedule whatever the answers, so a slow
 * network cannot slow the load down) stepping the offered rate up, for three writes interleaved at
 * every step on one network: a withdrawal via HTTP, the same transaction via the raw fabric-gateway
 * client, and a trivial put (meta:Ping). Latency counts from each request's scheduled start.
 *
 * A step holds if achieved ≥ 95 % of offered, p99 ≤ 1 s and no request failed; a step that does not
 * hold is run once more (the machine is shared) and the mode breaks if it fails again. The knee of
 * a mode is the highest offered rate that held before it broke; the mode then stops stepping. Last, each mode runs at 80 % of its knee for two step lengths: p50/p99 there.
 *
 * Before stepping, each mode runs at a low rate (COST_RATE) while the CPU time of every process is
 * read from /proc: the CPU milliseconds one request costs each kind of process (peer, chaincode
 * server, gateway, orderer, and this client). On 2 cores the knee is where those add up to the
 * machine, so this says where a mode's cost goes.
 */

export interface SaturationOptions {
  readonly basePort: number;
  readonly startRate: number;
  readonly rateStep: number;
  readonly maxRate: number;
  readonly stepMs: number;
}

interface StepResult {
  readonly offered: number;
  readonly achieved: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly ok: number;
  readonly errors: number;
  readonly holds: boolean;
  readonly firstError?: string;
}

type Op = (i: number) => Promise<void>;

/** The rate (req/s) and duration of the CPU-cost run of each mode: well below every knee. */
const COST_RATE = 8;
const COST_MS = 15_000;

/** CPU milliseconds per completed request, by process kind, while `op` runs at COST_RATE. */
async function costPerRequest(
  op: Op,
  consortium: Parameters<typeof cpuMsByKindDuring>[0],
  counter: { next: number },
): Promise<Record<string, number>> {
  const clientBefore = process.cpuUsage();
  const { result: step, byKind } = await cpuMsByKindDuring(consortium, () =>
    openLoop(op, COST_RATE, COST_MS, counter),
  );
  const client = process.cpuUsage(clientBefore);
  byKind.client = (client.user + client.system) / 1000;
  const perRequest = Object.fromEntries(
    Object.entries(byKind).map(([kind, ms]) => [kind, round1(ms / Math.max(1, step.ok))]),
  );
  perRequest.total = round1(Object.values(byKind).reduce((a, b) => a + b, 0) / Math.max(1, step.ok));
  return perRequest;
}

/** Upper bound on requests in flight, so an overloaded step cannot grow without limit. */
const MAX_IN_FLIGHT = 4_000;

async function openLoop(op: Op, rate: number, ms: number, counter: { next: number }): Promise<StepResult> {
  const count = Math.max(1, Math.round((rate * ms) / 1000));
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let inFlight = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let k = 0; k < count; k += 1) {
    const due = start + (k * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    if (inFlight >= MAX_IN_FLIGHT) {
      errors += 1;
      firstError ??= `more than ${MAX_IN_FLIGHT} in flight`;
      continue;
    }
    inFlight += 1;
    pending.push(
      op(counter.next++).then(
        () => {
          latencies.push(performance.now() - due);
          inFlight -= 1;
        },
        (error: unknown) => {
          errors += 1;
          firstError ??= String(error).slice(0, 300);
          inFlight -= 1;
        },
      ),
    );
  }
  await Promise.all(pending);
  const elapsed = performance.now() - start;
  const sorted = latencies.sort((a, b) => a - b);
  const achieved = (latencies.length / elapsed) * 1000;
  const p99 = percentile(sorted, 0.99);
  return {
    offered: rate,
    achieved: round1(achieved),
    p50Ms: round1(percentile(sorted, 0.5)),
    p99Ms: round1(p99),
    ok: latencies.length,
    errors,
    holds: achieved >= 0.95 * rate && p99 <= 1000 && errors === 0,
    ...(firstError === undefined ? {} : { firstError }),
  };
}

/** Steps every mode's offered rate up together until each has broken once (or maxRate). */
async function stepUp(
  modes: Readonly<Record<string, Op>>,
  options: SaturationOptions,
  counter: { next: number },
  log: Runtime.Log,
): Promise<{ steps: Record<string, StepResult[]>; knees: Record<string, number> }> {
  const steps: Record<string, StepResult[]> = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
  const knees: Record<string, number> = {};
  const broken = new Set<string>();
  for (let rate = options.startRate; rate <= options.maxRate; rate += options.rateStep) {
    const live = Object.entries(modes).filter(([name]) => !broken.has(name));
    if (live.length === 0) break;
    for (const [name, op] of live) {
      let step = await openLoop(op, rate, options.stepMs, counter);
      // One more try of a step that broke: on a shared machine a neighbour's burst can break one step.
      if (!step.holds) {
        steps[name]!.push(step);
        step = await openLoop(op, rate, options.stepMs, counter);
      }
      steps[name]!.push(step);
      if (step.holds) knees[name] = rate;
      else broken.add(name);
      log(
        `saturation: ${name} offered ${rate}/s achieved ${step.achieved}/s p99 ${step.p99Ms} ms` +
          ` errors ${step.errors}${step.holds ? '' : ' (broke)'}`,
      );
    }
  }
  return { steps, knees };
}

export async function benchSaturation(log: Runtime.Log, options: SaturationOptions): Promise<object> {
  const consortium = benchConsortium(options.basePort, '.hpf-bench-saturation');
  const before = machineState();
  const started = performance.now();
  return onFreshConsortium('saturation', consortium, log, async (layout) => {
    const { centre, gateway, key, endorsers, withdrawal, meta, close } = firstCentre(consortium, layout);
    const modes: Record<string, Op> = {
      httpAttestation: async (i) => {
        await post(gateway, '/v1/withdrawals', benchWithdrawal(`SH-${i}`, i));
      },
      rawAttestation: (i) => rawWithdrawal(withdrawal, { key, centre, endorsers }, `SR-${i}`, i),
      trivialPut: async (i) => {
        await meta.submit('Ping', { arguments: [`sat-${i}`], endorsingOrganizations: endorsers });
      },
    };
    const counter = { next: 0 };
    log('saturation: warm-up');
    for (const op of Object.values(modes)) await openLoop(op, 10, 2_000, counter);
    const cpuMsPerRequest: Record<string, Record<string, number>> = {};
    for (const [name, op] of Object.entries(modes)) {
      cpuMsPerRequest[name] = await costPerRequest(op, consortium, counter);
      log(
        `saturation: ${name} CPU ms per request: ${Object.entries(cpuMsPerRequest[name])
          .map(([kind, ms]) => `${kind} ${ms}`)
          .join(', ')}`,
      );
    }

    const { steps, knees } = await stepUp(modes, options, counter, log);
    const atEightyPercent: Record<string, StepResult> = {};
    for (const [name, op] of Object.entries(modes)) {
      const rate = Math.max(1, Math.round(0.8 * (knees[name] ?? options.startRate)));
      atEightyPercent[name] = await openLoop(op, rate, options.stepMs * 2, counter);
      log(
        `saturation: ${name} at 80 % of its knee (${rate}/s): p50 ${atEightyPercent[name].p50Ms} ms, p99 ${atEightyPercent[name].p99Ms} ms`,
      );
    }
    const rss = rssByProcess(consortium, 'VmHWM');
    close();
    const knee = (name: string): number | null => knees[name] ?? null;
    const ratio = (a: string, b: string): number | null => {
      const x = knee(a);
      const y = knee(b);
      return x === null || y === null ? null : round2(x / y);
    };
    return {
      ...options,
      kneeDefinition:
        'highest offered rate (req/s) whose step held (achieved >= 95 % of offered, p99 <= 1 s, no error) before a rate that failed twice in a row',
      kneeRequestsPerSecond: knees,
      ratiosAtKnee: {
        httpAttestationOverTrivialPut: ratio('httpAttestation', 'trivialPut'),
        rawAttestationOverTrivialPut: ratio('rawAttestation', 'trivialPut'),
        httpAttestationOverRawAttestation: ratio('httpAttestation', 'rawAttestation'),
      },
      atEightyPercentOfKnee: atEightyPercent,
      cpuMsPerRequest: {
        rate: COST_RATE,
        seconds: COST_MS / 1000,
        note: 'CPU time (user + system, from /proc) per completed request, summed over the processes of each kind; client = this benchmark process',
        byMode: cpuMsPerRequest,
      },
      steps,
      peakRssMiBByKind: rssSummary(rss),
      machineBefore: before,
      machineAfter: machineState(),
      durationSeconds: Math.round((performance.now() - started) / 1000),
    };
  });
}
