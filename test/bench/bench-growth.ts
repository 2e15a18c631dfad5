import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { computeSubjectRef, decodePseudonymKey } from '../../chaincode/src/domain';
import { type Definition, Runtime } from '../../network';
import { benchConsortium } from './bench-network';
import {
  benchConfirmOut,
  diskBytes,
  onFreshConsortium,
  get,
  machineState,
  percentile,
  post,
  residentIdFor,
  round1,
  round2,
  rssByProcess,
  send,
  sleep,
  type HttpAnswer,
  today,
  benchWithdrawal,
} from './bench-support';

/**
 * Ledger growth: load `size` attestations through the gateways (withdrawal batches, transfers driven
 * step by step to every state), measuring the same reads and a write at `baseline` and at `size`.
 * Nine attestations in ten are withdrawals (spread over people and the 3 centres, half the people
 * with two), one in ten a transfer between two centres, in one of 8 states.
 */

export interface GrowthOptions {
  readonly basePort: number;
  readonly size: number;
  readonly baseline: number;
}

function daysAgoUtc(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

/** Attestations loaded per chunk (withdrawal batches of up to 50 and transfer chains run concurrently). */
const CHUNK = 500;
const BATCH = 50;
const TRANSFER_CONCURRENCY = 24;
const REPEATS = 30;

const TRANSFER_STATES = [
  'REQUESTED',
  'ACCEPTED',
  'REJECTED',
  'OUT_CONFIRMED',
  'COMPLETED',
  'CANCELLED',
  'NEGOTIATING',
  'FAILED',
] as const;

interface Centre {
  readonly org: Definition.OrgDefinition;
  readonly code: string;
  readonly gateway: Runtime.GatewayInfo;
}

interface LoadState {
  attestations: number;
  withdrawals: number;
  transfers: number;
  transactions: number;
  itemErrors: number;
  firstError?: string;
  /** Item errors by kind (status and problem code, digits of IDs removed), so a run says what failed. */
  errorKinds: Record<string, number>;
}

function transferIdOf(centre: Centre, t: number): string {
  const date = new Date(Date.UTC(2001, 0, 1) + Math.floor(t / 10_000) * 86_400_000);
  return `${centre.code}${date.toISOString().slice(2, 10).replace(/-/g, '')}${String(t % 10_000).padStart(4, '0')}`;
}

const CONFIRM_OUT = benchConfirmOut('GROWTH');

/** The steps after the request that bring transfer `t` to its state: [who acts, step, body]. */
function stepsTo(state: (typeof TRANSFER_STATES)[number]): ['source' | 'destination', string, object][] {
  const accept: ['source' | 'destination', string, object] = ['source', 'accept', {}];
  const confirm: ['source' | 'destination', string, object] = ['source', 'confirm-out', CONFIRM_OUT];
  switch (state) {
    case 'REQUESTED':
      return [];
    case 'ACCEPTED':
      return [accept];
    case 'REJECTED':
      return [['source', 'reject', { reasonCode: '01', message: '材料不全' }]];
    case 'OUT_CONFIRMED':
      return [accept, confirm];
    case 'COMPLETED':
      return [
        accept,
        confirm,
        ['destination', 'complete', { receivedAmount: '12034.50', receivedOn: today() }],
      ];
    case 'CANCELLED':
      return [['destination', 'cancel', {}]];
    case 'NEGOTIATING':
      return [accept, confirm, ['destination', 'dispute', { message: '金额不符' }]];
    case 'FAILED':
      return [accept, ['source', 'fail', { message: '账户状态异常' }]];
  }
}

/**
 * A step at the other centre right after the request committed at the first: that centre's peer may
 * not have the block yet (404), so a few retries, as a business system would.
 */
async function sendCommitted(gateway: Runtime.GatewayInfo, url: string, body: object): Promise<HttpAnswer> {
  let answer = await send(gateway, 'POST', url, body);
  for (let attempt = 0; attempt < 10 && answer.status === 404; attempt += 1) {
    await sleep(300);
    answer = await send(gateway, 'POST', url, body);
  }
  return answer;
}

async function pool<T>(
  items: readonly T[],
  concurrency: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) await run(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

class Loader {
  readonly state: LoadState = {
    attestations: 0,
    withdrawals: 0,
    transfers: 0,
    transactions: 0,
    itemErrors: 0,
    errorKinds: {},
  };
  readonly #centres: readonly Centre[];
  readonly #people: number;

  constructor(centres: readonly Centre[], people: number) {
    this.#centres = centres;
    this.#people = people;
  }

  centreOfWithdrawal(w: number): Centre {
    return this.#centres[w % this.#centres.length]!;
  }

  personOfWithdrawal(w: number): number {
    return w % this.#people;
  }

  transferEnds(t: number): { destination: Centre; source: Centre } {
    const n = this.#centres.length;
    return { destination: this.#centres[t % n]!, source: this.#centres[(t + 1) % n]! };
  }

  #error(what: string): void {
    this.state.itemErrors += 1;
    this.state.firstError ??= what.slice(0, 400);
    const code = /"code":"([A-Z_]+)"/.exec(what)?.[1] ?? what.slice(0, 60);
    const kind = `${/HTTP (\d{3})/.exec(what)?.[1] ?? 'item'} ${code}`.replace(/[0-9]{6,}/g, '…');
    this.state.errorKinds[kind] = (this.state.errorKinds[kind] ?? 0) + 1;
  }

  async #withdrawalBatch(centre: Centre, ws: readonly number[]): Promise<void> {
    // A person's second monthly rent is dated 40 days before the first: at most one a month at a
    // centre (WITHDRAWAL_TOO_FREQUENT otherwise), as centres pay rent.
    const items = ws.map((w) => ({
      ...benchWithdrawal(`G-${w}`, this.personOfWithdrawal(w)),
      ...(w < this.#people ? {} : { withdrawnOn: daysAgoUtc(40) }),
    }));
    const answer = await send(centre.gateway, 'POST', '/v1/withdrawals/batch', { items });
    if (answer.status !== 200) {
      this.#error(`batch HTTP ${answer.status}: ${JSON.stringify(answer.body)}`);
      return;
    }
    for (const result of (answer.body as { results: { status: number; problem?: unknown }[] }).results) {
      if (result.status >= 300) this.#error(JSON.stringify(result.problem));
      else this.state.transactions += 1;
    }
  }

  async #transfer(t: number): Promise<void> {
    const { destination, source } = this.transferEnds(t);
    const transferId = transferIdOf(destination, t);
    const person = { idType: '01', idNumber: residentIdFor(t, '310104'), name: '转移' };
    const calls: [Centre, string, object][] = [
      [destination, '/v1/transfers', { transferId, fromCentre: source.code, person }],
      ...stepsTo(TRANSFER_STATES[t % TRANSFER_STATES.length]!).map(
        ([who, step, body]): [Centre, string, object] => [
          who === 'source' ? source : destination,
          `/v1/transfers/${transferId}/${step}`,
          body,
        ],
      ),
    ];
    for (const [centre, url, body] of calls) {
      const answer = await sendCommitted(centre.gateway, url, body);
      if (answer.status >= 300) {
        this.#error(`${url} HTTP ${answer.status}: ${JSON.stringify(answer.body)}`);
        return;
      }
      this.state.transactions += 1;
    }
  }

  /** Loads attestations until `target` are on the ledger, logging the rate every few chunks. */
  async loadTo(
    target: number,
    log: Runtime.Log,
  ): Promise<{ seconds: number; attestationsPerSecond: number; transactionsPerSecond: number }> {
    const started = performance.now();
    const from = { attestations: this.state.attestations, transactions: this.state.transactions };
    let chunks = 0;
    while (this.state.attestations < target) {
      const count = Math.min(CHUNK, target - this.state.attestations);
      const withdrawals: number[] = [];
      const transfers: number[] = [];
      for (let k = 0; k < count; k += 1) {
        if ((this.state.attestations + k) % 10 === 9) transfers.push(this.state.transfers++);
        else withdrawals.push(this.state.withdrawals++);
      }
      const byCentre = new Map<Centre, number[]>();
      for (const w of withdrawals) {
        const centre = this.centreOfWithdrawal(w);
        byCentre.set(centre, [...(byCentre.get(centre) ?? []), w]);
      }
      const batches: [Centre, number[]][] = [];
      for (const [centre, ws] of byCentre) {
        for (let i = 0; i < ws.length; i += BATCH) batches.push([centre, ws.slice(i, i + BATCH)]);
      }
      // A call that failed outright (a timeout on an overloaded machine) is counted, not fatal.
      const counted = (run: Promise<void>): Promise<void> =>
        run.catch((error: unknown) => this.#error(String(error)));
      await Promise.all([
        ...batches.map(([centre, ws]) => counted(this.#withdrawalBatch(centre, ws))),
        pool(transfers, TRANSFER_CONCURRENCY, (t) => counted(this.#transfer(t))),
      ]);
      this.state.attestations += count;
      chunks += 1;
      if (chunks % 10 === 0 || this.state.attestations >= target) {
        const seconds = (performance.now() - started) / 1000;
        log(
          `growth: ${this.state.attestations}/${target} attestations, ` +
            `${round1((this.state.attestations - from.attestations) / seconds)}/s, item errors ${this.state.itemErrors}` +
            `, load ${machineState().loadAverage}`,
        );
      }
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      seconds: round1(seconds),
      attestationsPerSecond: round1((this.state.attestations - from.attestations) / seconds),
      transactionsPerSecond: round1((this.state.transactions - from.transactions) / seconds),
    };
  }
}

interface Timing {
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly meanMs: number;
  readonly count: number;
  readonly errors: number;
  readonly firstError?: string;
}

async function timed(count: number, run: (k: number) => Promise<unknown>): Promise<Timing> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  for (let k = 0; k < count; k += 1) {
    const t0 = performance.now();
    try {
      await run(k);
      latencies.push(performance.now() - t0);
    } catch (error) {
      errors += 1;
      firstError ??= String(error).slice(0, 300);
    }
  }
  const sorted = latencies.sort((a, b) => a - b);
  return {
    p50Ms: round1(percentile(sorted, 0.5)),
    p95Ms: round1(percentile(sorted, 0.95)),
    meanMs: round1(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
    count: sorted.length,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
  };
}

/** A deterministic pseudo-random index in [0, n) for repeat k at a size, so both sizes sample alike. */
function pick(k: number, n: number): number {
  return (k * 2_654_435_761) % Math.max(1, n);
}

export async function benchGrowth(log: Runtime.Log, options: GrowthOptions): Promise<object> {
  const consortium = benchConsortium(options.basePort, '.hpf-bench-growth');
  const before = machineState();
  const started = performance.now();
  return onFreshConsortium('growth', consortium, log, async (layout) => {
    const infos = Runtime.gatewayInfo(consortium, layout);
    const centres: Centre[] = consortium.centres.map((org) => ({
      org,
      code: org.code ?? '',
      gateway: infos.find((g) => g.mspId === org.mspId)!,
    }));
    const regulator = infos.find((g) => g.mspId === consortium.regulator.mspId)!;
    const key = decodePseudonymKey(readFileSync(layout.pseudonymKey));
    if (key === undefined) throw new Error('the pseudonymisation key is too short');
    const people = Math.max(1, Math.floor(options.size * 0.45));
    const loader = new Loader(centres, people);
    const beijing = centres[0]!;

    const measure = async (label: string, offset: number): Promise<Record<string, Timing>> => {
      const { withdrawals, transfers } = loader.state;
      const withdrawalId = (k: number): string => {
        const w = pick(k, withdrawals);
        return `withdrawal:${loader.centreOfWithdrawal(w).code}:G-${w}`;
      };
      const results: Record<string, Timing> = {
        verifyWithdrawal: await timed(REPEATS, (k) =>
          post(regulator, '/v1/verify', { attestationId: withdrawalId(k) }),
        ),
        verifyTransfer: await timed(REPEATS, (k) => {
          const t = pick(k, transfers);
          return post(regulator, '/v1/verify', {
            attestationId: `transfer:${transferIdOf(loader.transferEnds(t).destination, t)}`,
          });
        }),
        subjectTimeline: await timed(REPEATS, (k) => {
          const ref = computeSubjectRef(
            key,
            '01',
            residentIdFor(loader.personOfWithdrawal(pick(k, withdrawals))),
            undefined,
          );
          return get(regulator, `/v1/subjects/${ref}/timeline`);
        }),
        workQueuePage: await timed(REPEATS, () =>
          get(beijing.gateway, '/v1/transfers?direction=incoming&status=REQUESTED&pageSize=20'),
        ),
        proof: await timed(REPEATS, (k) => get(regulator, `/v1/attestations/${withdrawalId(k + 7)}/proof`)),
        withdrawalWrite: await timed(REPEATS, (k) =>
          // Fresh people at each size: the same person's second rent today would be too frequent.
          post(beijing.gateway, '/v1/withdrawals', benchWithdrawal(`GM-${label}-${k}`, people + offset + k)),
        ),
      };
      log(
        `growth: at ${label}: ${Object.entries(results)
          .map(([n, t]) => `${n} p50 ${t.p50Ms} ms`)
          .join(', ')}`,
      );
      return results;
    };

    const baselineLoad = await loader.loadTo(options.baseline, log);
    const atBaseline = await measure(String(options.baseline), 0);
    const baselineBytes = diskBytes(layout.root);
    const baselineLedgerBytes = diskBytes(path.join(layout.root, 'nodes'));
    const baselineRss = peerRss(consortium);
    const bulkLoad = await loader.loadTo(options.size, log);
    const atSize = await measure(String(options.size), REPEATS);
    const sizeBytes = diskBytes(layout.root);
    const sizeLedgerBytes = diskBytes(path.join(layout.root, 'nodes'));
    const per1000 = (a: number, b: number): number =>
      round2((b - a) / 1_048_576 / Math.max(1e-9, (options.size - options.baseline) / 1000));
    const ratios = Object.fromEntries(
      Object.keys(atSize).map((name) => [
        name,
        round2(atSize[name]!.p50Ms / Math.max(0.1, atBaseline[name]!.p50Ms)),
      ]),
    );
    return {
      ...options,
      loaded: loader.state,
      loadRate: { baseline: baselineLoad, bulk: bulkLoad },
      p50RatioSizeOverBaseline: ratios,
      atBaseline,
      atSize,
      dataDir: {
        bytesAtBaseline: baselineBytes,
        bytesAtSize: sizeBytes,
        miBPer1000Attestations: per1000(baselineBytes, sizeBytes),
        ledgerBytesAtBaseline: baselineLedgerBytes,
        ledgerBytesAtSize: sizeLedgerBytes,
        ledgerMiBPer1000Attestations: per1000(baselineLedgerBytes, sizeLedgerBytes),
        note: 'dataDir is everything (ledgers, logs, crypto); ledger is nodes/ (peers and orderers, all copies)',
      },
      peerRssMiB: { atBaseline: baselineRss, atSize: peerRss(consortium) },
      allRssMiBAtSize: rssByProcess(consortium),
      machineBefore: before,
      machineAfter: machineState(),
      durationSeconds: Math.round((performance.now() - started) / 1000),
    };
  });
}

function peerRss(consortium: Parameters<typeof rssByProcess>[0]): Record<string, number> {
  return Object.fromEntries(
    Object.entries(rssByProcess(consortium)).filter(([name]) => name.startsWith('peer')),
  );
}
