import { createHash } from 'node:crypto';
import {
  addMonths,
  evidenceHashOf,
  hashKeysOf,
  validateEvidenceReference,
  validateWithdrawalId,
} from '../../chaincode/src/domain';
import { Network, type Definition, type Runtime } from '../../network';
import { rentWithdrawal } from '../support/fixtures';
import { benchConsortium } from './bench-network';
import {
  closedLoop,
  type LoopSample,
  cpuMsByKindDuring,
  firstCentre,
  machineState,
  onFreshConsortium,
  percentile,
  post,
  residentIdFor,
  round1,
  round2,
  today,
} from './bench-support';

/**
 * What the withdrawal rules' checks cost (`npm run bench -- --suite checks`): the fraud-ban check
 * and the recurring-interval check on every withdrawal, and the personal-data hardening (keyed
 * evidence hash, ID-shaped detector, confusable fold). Figures only, never pass/fail.
 *
 * The checks cannot be switched off in a deployed chaincode, so the suite measures what they add:
 * - **in play vs fresh**, on the real network through the HTTP gateway, in alternating windows: rent
 *   withdrawals (07) for people with nothing on the ledger (the ban key is absent, the subject and
 *   evidence indexes are empty: the checks find nothing to do), against rent withdrawals for people
 *   whose every check has work (an expired ban still in their ban key, read and evaluated; earlier
 *   monthly withdrawals on the same lease at the same centre, walked by the interval check and
 *   passed by the recurring-evidence rule). The difference in peer and chaincode-server CPU per
 *   attestation is what the checks cost when in play (an upper bound: the longer index pages also
 *   serve the older rules).
 * - **the ban key's point read**, which a fresh person pays too: peer and chaincode-server CPU per
 *   evaluate of meta:GetPing (one point read) minus meta:Noop (none), times the two endorsers.
 * - **the hardening**, in this process: CPU per call of what an attestation now runs (fold, detector,
 *   keyed hash) minus the plain SHA-256 of the reference it replaced, times three (the gateway and
 *   the two endorsers each run it once).
 * On this CPU-bound machine throughput is the inverse of CPU per attestation, so each cost's share
 * of throughput is its CPU over the CPU of an attestation that pays it.
 */

export interface ChecksOptions {
  readonly basePort: number;
  readonly windows: number;
  readonly windowMs: number;
  readonly concurrency: number;
}

/** People whose checks are in play, used in turn (more than `concurrency`, so none is in flight twice). */
const SUBJECTS = 64;
/** Monthly rent withdrawals each of them has on the ledger before the measurement. */
const HISTORY = 3;
/** Calls per micro-benchmark of the hardening checks. */
const MICRO_CALLS = 20_000;

type Op = (i: number) => Promise<void>;

interface Window extends LoopSample {
  readonly cpuMsByKind: Record<string, number>;
}

/** A closed loop of `concurrency` workers for `ms`, with the consortium's CPU by kind meanwhile. */
async function window(
  consortium: Definition.Consortium,
  op: Op,
  concurrency: number,
  ms: number,
  counter: { next: number },
): Promise<Window> {
  const { result, byKind } = await cpuMsByKindDuring(consortium, () =>
    closedLoop(op, concurrency, ms, counter),
  );
  return { ...result, cpuMsByKind: byKind };
}

interface ModeResult {
  readonly opsPerSecond: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly ops: number;
  readonly errors: number;
  readonly firstError?: string;
  /** CPU ms of the consortium's processes per successful operation, by kind and in all. */
  readonly cpuMsPerOpByKind: Record<string, number>;
  readonly cpuMsPerOp: number;
}

function summarise(windows: readonly Window[]): ModeResult {
  const latencies = windows.flatMap((w) => w.latencies).sort((a, b) => a - b);
  const ops = windows.reduce((n, w) => n + w.ops, 0);
  const ms = windows.reduce((n, w) => n + w.ms, 0);
  const cpu: Record<string, number> = {};
  for (const w of windows) {
    for (const [kind, used] of Object.entries(w.cpuMsByKind)) cpu[kind] = (cpu[kind] ?? 0) + used;
  }
  const perOp = (used: number): number => round2(used / Math.max(ops, 1));
  const firstError = windows.find((w) => w.firstError !== undefined)?.firstError;
  return {
    opsPerSecond: round1((ops / ms) * 1000),
    p50Ms: round1(percentile(latencies, 0.5)),
    p95Ms: round1(percentile(latencies, 0.95)),
    ops,
    errors: windows.reduce((n, w) => n + w.errors, 0),
    ...(firstError === undefined ? {} : { firstError }),
    cpuMsPerOpByKind: Object.fromEntries(Object.entries(cpu).map(([kind, used]) => [kind, perOp(used)])),
    cpuMsPerOp: perOp(Object.values(cpu).reduce((a, b) => a + b, 0)),
  };
}

/** CPU µs per call of `run` in this process (user + system; the wall clock mostly measures others). */
function microsPerCall(run: (i: number) => unknown): number {
  for (let i = 0; i < 2_000; i += 1) run(i); // warm-up
  const start = process.cpuUsage();
  for (let i = 0; i < MICRO_CALLS; i += 1) run(i);
  const used = process.cpuUsage(start);
  return round2((used.user + used.system) / MICRO_CALLS);
}

/** The hardening an attestation runs, against the unkeyed hash of the reference it replaced. */
function hardeningMicros(): { withChecksMicros: number; beforeMicros: number } {
  const keys = hashKeysOf(Buffer.alloc(32, 7));
  const references = ['京（2026）朝阳区不动产权第０００１号', 'GF-2026-000123', '沪房地浦字(2025)第012345号'];
  const reference = (i: number): string => `${references[i % references.length] ?? ''}${i % 97}`;
  return {
    withChecksMicros: microsPerCall((i) => {
      validateWithdrawalId(`W-2026-${i % 10_000}`);
      return evidenceHashOf(keys, validateEvidenceReference(reference(i), 'evidence[0].reference'));
    }),
    beforeMicros: microsPerCall((i) =>
      createHash('sha256').update(reference(i).normalize('NFC')).digest('hex'),
    ),
  };
}

/** `share` of `of`, in percent with one decimal. */
const percentOf = (share: number, of: number): number => round1((share / Math.max(of, 1e-9)) * 100);

export async function benchChecks(log: Runtime.Log, options: ChecksOptions): Promise<object> {
  const consortium = benchConsortium(options.basePort, '.hpf-bench-checks');
  const before = machineState();
  const measured = await onFreshConsortium('checks', consortium, log, async (layout) => {
    const { gateway, meta, endorsers, close } = firstCentre(consortium, layout);
    const shanghaiOrg = consortium.centres[1];
    const shanghai = new Network(consortium).gateways().find((g) => g.mspId === shanghaiOrg?.mspId);
    if (shanghai === undefined) throw new Error('no second gateway');
    try {
      const day = today();
      const stamp = Date.now() % 100_000;
      /** The first of the month `back` months before this one: distinct months pass the interval rule. */
      const monthBack = (back: number): string => `${addMonths(day, -back).slice(0, 8)}01`;
      const inPlayPerson = (s: number): { idType: string; idNumber: string; name: string } => ({
        idType: '01',
        idNumber: residentIdFor(200_000 + s),
        name: '在案',
      });
      const lease = (s: number): string => `RENT-CHK-${stamp}-${s}`;
      const inPlayWithdrawal = (s: number, id: string, back: number): object => ({
        ...rentWithdrawal(id, inPlayPerson(s), lease(s)),
        withdrawnOn: monthBack(back),
      });

      log(`checks: ${SUBJECTS} people with an expired ban and ${HISTORY} monthly rent withdrawals each`);
      const decidedOn = addMonths(day, -12 * 6); // WITHDRAWAL_FRAUD: 3 years, so over 3 years ago
      const setup: (() => Promise<unknown>)[] = [];
      for (let s = 0; s < SUBJECTS; s += 1) {
        setup.push(() =>
          post(shanghai, '/v1/bans', {
            banId: `BAN-CHK-${stamp}-${s}`,
            person: inPlayPerson(s),
            ground: 'WITHDRAWAL_FRAUD',
            decidedOn,
            reason: '基准：已届满的禁令',
          }),
        );
        for (let h = 0; h < HISTORY; h += 1) {
          setup.push(() =>
            post(gateway, '/v1/withdrawals', inPlayWithdrawal(s, `CHK-${stamp}-H${s}-${h}`, h)),
          );
        }
      }
      for (let next = 0; next < setup.length;) {
        const batch = setup.slice(next, next + options.concurrency);
        await Promise.all(batch.map((call) => call()));
        next += batch.length;
      }
      await meta.submit('Ping', { arguments: [`checks-${stamp}`], endorsingOrganizations: endorsers });

      const counters = { fresh: { next: 0 }, inPlay: { next: 0 }, noop: { next: 0 }, read: { next: 0 } };
      const modes: Record<keyof typeof counters, Op> = {
        fresh: async (i) => {
          const id = `CHK-${stamp}-F${i}`;
          await post(
            gateway,
            '/v1/withdrawals',
            rentWithdrawal(id, { idType: '01', idNumber: residentIdFor(300_000 + i), name: '新人' }),
          );
        },
        inPlay: async (i) => {
          const s = i % SUBJECTS;
          await post(
            gateway,
            '/v1/withdrawals',
            inPlayWithdrawal(s, `CHK-${stamp}-P${i}`, HISTORY + Math.floor(i / SUBJECTS)),
          );
        },
        noop: async () => {
          await meta.evaluate('Noop');
        },
        read: async () => {
          await meta.evaluate('GetPing', { arguments: [`checks-${stamp}`] });
        },
      };
      log('checks: warm-up');
      await window(consortium, modes.fresh, 4, 2_000, { next: 1_000_000 });
      const samples: Record<keyof typeof counters, Window[]> = { fresh: [], inPlay: [], noop: [], read: [] };
      const names = Object.keys(modes) as (keyof typeof counters)[];
      for (let w = 0; w < options.windows; w += 1) {
        // Alternate the order (ABBA…), so that drift hits every mode alike.
        for (const name of w % 2 === 0 ? names : [...names].reverse()) {
          samples[name].push(
            await window(consortium, modes[name], options.concurrency, options.windowMs, counters[name]),
          );
        }
        log(`checks: window ${w + 1}/${options.windows} done`);
      }
      return Object.fromEntries(names.map((name) => [name, summarise(samples[name])])) as Record<
        keyof typeof counters,
        ModeResult
      >;
    } finally {
      close();
    }
  });

  const hardening = hardeningMicros();
  const { fresh, inPlay, noop, read } = measured;
  // The checks run in the chaincode servers and their reads in the peers (range queries are re-run at
  // validation on every peer); the gateways and orderers do the same work in both modes, so their
  // difference is noise from the machine's other work, reported but not counted.
  const peerAndChaincodeMs = (mode: ModeResult): number =>
    (mode.cpuMsPerOpByKind.peer ?? 0) + (mode.cpuMsPerOpByKind.chaincode ?? 0);
  const inPlayExtra = round2(peerAndChaincodeMs(inPlay) - peerAndChaincodeMs(fresh));
  const allKindsExtra = round2(inPlay.cpuMsPerOp - fresh.cpuMsPerOp);
  const pointRead = round2(2 * Math.max(peerAndChaincodeMs(read) - peerAndChaincodeMs(noop), 0));
  const hardeningMs = round2((3 * Math.max(hardening.withChecksMicros - hardening.beforeMicros, 0)) / 1000);
  const banAndInterval = round2(Math.max(inPlayExtra, 0) + pointRead);
  const after = machineState();
  log(
    `checks: fresh ${fresh.opsPerSecond}/s at ${fresh.cpuMsPerOp} ms CPU, in play ${inPlay.opsPerSecond}/s at ${inPlay.cpuMsPerOp} ms CPU; ban + interval ≤ ${percentOf(banAndInterval, inPlay.cpuMsPerOp)} %, hardening ${percentOf(hardeningMs, fresh.cpuMsPerOp)} %`,
  );
  return {
    ...options,
    subjects: SUBJECTS,
    history: HISTORY,
    modes: { freshWithdrawal: fresh, inPlayWithdrawal: inPlay, noopEvaluate: noop, pointReadEvaluate: read },
    inPlayOverFreshThroughput: round2(inPlay.opsPerSecond / Math.max(fresh.opsPerSecond, 1e-9)),
    cpuMsPerAttestation: {
      banAndIntervalInPlayExtra: inPlayExtra,
      inPlayExtraAllKindsIncludingNoise: allKindsExtra,
      banKeyPointReadTwoEndorsers: pointRead,
      banAndIntervalUpperBound: banAndInterval,
      hardening: hardeningMs,
    },
    shareOfAttestationCpuPercent: {
      banAndInterval: percentOf(banAndInterval, inPlay.cpuMsPerOp),
      hardening: percentOf(hardeningMs, fresh.cpuMsPerOp),
      all: percentOf(banAndInterval + hardeningMs, inPlay.cpuMsPerOp),
    },
    hardeningMicrosPerCall: { ...hardening, calls: MICRO_CALLS },
    node: process.version,
    machineBefore: before,
    machineAfter: after,
  };
}
