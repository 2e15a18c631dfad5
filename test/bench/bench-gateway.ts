import { sha256Hex } from '../../chaincode/src/domain';
import type { Definition, Runtime } from '../../network';
import { benchConsortium, peakRssByKind } from './bench-network';
import {
  firstCentre,
  onFreshConsortium,
  percentile,
  post,
  rawWithdrawal,
  benchWithdrawal,
  closedLoop,
  type LoopSample,
} from './bench-support';

/**
 * Gateway benchmark, in one run on one network, with interleaved windows so that drift (ledger growth,
 * warm-up, other load) hits every mode alike:
 * - writes: a withdrawal attestation via HTTP, the same transaction via the raw fabric-gateway client,
 *   and a trivial put (meta:Ping) via the raw client;
 * - reads: verification via HTTP (POST /v1/verify, repeated, as auditors do; and with a document hash
 *   never asked before, which the verification cache cannot answer) and a no-op evaluate (meta:Noop).
 * Each mode runs a closed loop of `concurrency` workers for `windowMs`; ratios compare throughputs.
 */

type Sample = LoopSample;

export interface ModeResult {
  readonly opsPerSecond: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly ops: number;
  readonly errors: number;
  readonly firstError?: string;
}

export interface GatewayBenchResult {
  readonly windows: number;
  readonly windowMs: number;
  readonly concurrency: number;
  readonly modes: Record<string, ModeResult>;
  readonly ratios: Record<string, number>;
  readonly peakRssMiB: Record<string, number>;
}

type Op = (i: number) => Promise<void>;

function summarise(samples: readonly Sample[]): ModeResult {
  const latencies = samples.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const ops = samples.reduce((n, s) => n + s.ops, 0);
  const ms = samples.reduce((n, s) => n + s.ms, 0);
  return {
    opsPerSecond: Math.round((ops / ms) * 1000 * 10) / 10,
    p50Ms: Math.round(percentile(latencies, 0.5) * 10) / 10,
    p95Ms: Math.round(percentile(latencies, 0.95) * 10) / 10,
    ops,
    errors: samples.reduce((n, s) => n + s.errors, 0),
    ...(samples.find((s) => s.firstError !== undefined)?.firstError === undefined
      ? {}
      : { firstError: samples.find((s) => s.firstError !== undefined)?.firstError }),
  };
}

export async function benchGateway(
  log: Runtime.Log,
  options: { basePort: number; windows: number; windowMs: number; concurrency: number },
): Promise<GatewayBenchResult> {
  const consortium: Definition.Consortium = benchConsortium(options.basePort, '.hpf-bench');
  return onFreshConsortium('gateway', consortium, log, async (layout) => {
    const {
      centre: centreCode,
      gateway: http,
      key,
      endorsers,
      withdrawal,
      meta,
      close,
    } = firstCentre(consortium, layout);
    const recorded: string[] = [];
    const counter = { next: 0 };

    const modes: Record<string, Op> = {
      httpAttestation: async (i) => {
        await post(http, '/v1/withdrawals', benchWithdrawal(`BH-h-${i}`, i));
        recorded.push(`withdrawal:${centreCode}:BH-h-${i}`);
      },
      rawAttestation: async (i) => {
        await rawWithdrawal(withdrawal, { key, centre: centreCode, endorsers }, `BH-r-${i}`, i);
      },
      trivialPut: async (i) => {
        await meta.submit('Ping', { arguments: [`bench-${i}`], endorsingOrganizations: endorsers });
      },
      httpVerify: async (i) => {
        await post(http, '/v1/verify', { attestationId: recorded[i % Math.max(1, recorded.length)] });
      },
      httpVerifyUncached: async (i) => {
        // A document hash never asked before: the verification answer cannot come from the cache.
        const documentHash = sha256Hex(`bench-document-${i}`);
        await post(http, '/v1/verify', {
          attestationId: recorded[i % Math.max(1, recorded.length)],
          documentHash,
        });
      },
      noopEvaluate: async () => {
        await meta.evaluate('Noop');
      },
    };

    log('gateway: warm-up');
    await closedLoop(modes.httpAttestation!, 4, 2_000, counter);
    await closedLoop(modes.rawAttestation!, 4, 2_000, counter);
    const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
    for (let w = 0; w < options.windows; w += 1) {
      for (const [name, op] of Object.entries(modes)) {
        samples[name]!.push(await closedLoop(op, options.concurrency, options.windowMs, counter));
      }
      log(`gateway: window ${w + 1}/${options.windows} done`);
    }
    close();
    const results = Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, summarise(s)]));
    const rate = (name: string): number => results[name]?.opsPerSecond ?? 0;
    const ratio = (a: string, b: string): number =>
      Math.round((rate(a) / Math.max(rate(b), 1e-9)) * 100) / 100;
    return {
      ...options,
      modes: results,
      ratios: {
        httpAttestationOverRawAttestation: ratio('httpAttestation', 'rawAttestation'),
        httpAttestationOverTrivialPut: ratio('httpAttestation', 'trivialPut'),
        rawAttestationOverTrivialPut: ratio('rawAttestation', 'trivialPut'),
        httpVerifyOverNoopEvaluate: ratio('httpVerify', 'noopEvaluate'),
        httpVerifyUncachedOverNoopEvaluate: ratio('httpVerifyUncached', 'noopEvaluate'),
      },
      peakRssMiB: peakRssByKind(consortium),
    };
  });
}
