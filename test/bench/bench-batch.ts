import { performance } from 'node:perf_hooks';
import { type Definition, Runtime } from '../../network';
import { benchConsortium } from './bench-network';
import {
  machineState,
  onFreshConsortium,
  round1,
  round2,
  rssByProcess,
  rssSummary,
  send,
  benchWithdrawal,
} from './bench-support';

/**
 * Batch submission against single calls: withdrawals recorded at one gateway, with the same number of
 * transactions in flight each way (8: eight single-call clients, or one batch call of 50 whose items
 * the gateway runs 8 at a time; 16: sixteen clients, or two batch calls). The four modes alternate
 * in two rounds so that drift hits them alike; each records `items / 4` withdrawals.
 */

export interface BatchBenchOptions {
  readonly basePort: number;
  readonly items: number;
}

const BATCH = 50;

export async function benchBatch(log: Runtime.Log, options: BatchBenchOptions): Promise<object> {
  const consortium = benchConsortium(options.basePort, '.hpf-bench-batch');
  const before = machineState();
  return onFreshConsortium('batch', consortium, log, async (layout) => {
    const gateway = firstGateway(consortium, layout);
    let next = 0;
    let errors = 0;
    const single = async (): Promise<number> => {
      const i = next++;
      const answer = await send(gateway, 'POST', '/v1/withdrawals', benchWithdrawal(`BB-${i}`, i));
      if (answer.status >= 300) errors += 1;
      return 1;
    };
    const batch = async (): Promise<number> => {
      const items = Array.from({ length: BATCH }, () => {
        const i = next++;
        return benchWithdrawal(`BB-${i}`, i);
      });
      const answer = await send(gateway, 'POST', '/v1/withdrawals/batch', { items });
      const results = (answer.body as { results?: { status: number }[] }).results ?? [];
      errors += results.filter((r) => r.status >= 300).length + (answer.status === 200 ? 0 : BATCH);
      return BATCH;
    };
    const modes: Record<string, { op: () => Promise<number>; workers: number }> = {
      single8: { op: single, workers: 8 },
      batch1x50: { op: batch, workers: 1 },
      single16: { op: single, workers: 16 },
      batch2x50: { op: batch, workers: 2 },
    };
    const totals: Record<string, { items: number; ms: number }> = {};
    const perMode = Math.max(BATCH, Math.floor(options.items / 4 / 2));
    await single(); // warm-up
    for (let round = 0; round < 2; round += 1) {
      for (const [name, { op, workers }] of Object.entries(modes)) {
        let done = 0;
        const t0 = performance.now();
        const worker = async (): Promise<void> => {
          while (done < perMode) {
            const items = await op(); // read `done` only after the await: workers share it
            done += items;
          }
        };
        await Promise.all(Array.from({ length: workers }, worker));
        const total = (totals[name] ??= { items: 0, ms: 0 });
        total.items += done;
        total.ms += performance.now() - t0;
        log(
          `batch: round ${round + 1} ${name}: ${done} items in ${round1((performance.now() - t0) / 1000)} s`,
        );
      }
    }
    const rate = Object.fromEntries(
      Object.entries(totals).map(([name, t]) => [name, round1((t.items / t.ms) * 1000)]),
    );
    return {
      ...options,
      itemsPerSecond: rate,
      ratios: {
        batch1x50OverSingle8: round2((rate.batch1x50 ?? 0) / Math.max(1e-9, rate.single8 ?? 0)),
        batch2x50OverSingle16: round2((rate.batch2x50 ?? 0) / Math.max(1e-9, rate.single16 ?? 0)),
      },
      totals,
      itemErrors: errors,
      peakRssMiBByKind: rssSummary(rssByProcess(consortium, 'VmHWM')),
      machineBefore: before,
      machineAfter: machineState(),
    };
  });
}

function firstGateway(consortium: Definition.Consortium, layout: Definition.Layout): Runtime.GatewayInfo {
  const gateway = Runtime.gatewayInfo(consortium, layout).find(
    (g) => g.mspId === consortium.centres[0]?.mspId,
  );
  if (gateway === undefined) throw new Error('no gateway');
  return gateway;
}
