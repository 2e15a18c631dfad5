import { readFileSync } from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import {
  canonicalJson,
  computeSubjectRef,
  decodePseudonymKey,
  evidenceHashOf,
  residentIdCheckChar,
  sha256Hex,
} from '../../chaincode/src/domain';
import {
  connectOrg,
  type Consortium,
  down,
  gatewayInfo,
  type GatewayInfo,
  Layout,
  type Log,
  startConsortium,
} from '../../network';
import { benchConsortium, peakRssByKind } from './bench-network';

/**
 * Gateway benchmark, in one run on one network, with interleaved windows so that drift (ledger growth,
 * warm-up, other load) hits every mode alike:
 * - writes: a withdrawal attestation via HTTP, the same transaction via the raw fabric-gateway client,
 *   and a trivial put (meta:Ping) via the raw client;
 * - reads: verification via HTTP (POST /v1/verify, repeated, as auditors do; and with a document hash
 *   never asked before, which the verification cache cannot answer) and a no-op evaluate (meta:Noop).
 * Each mode runs a closed loop of `concurrency` workers for `windowMs`; ratios compare throughputs.
 */

interface Sample {
  readonly ops: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly ms: number;
  readonly latencies: number[];
}

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

async function window(op: Op, concurrency: number, ms: number, counter: { next: number }): Promise<Sample> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const deadline = performance.now() + ms;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await op(counter.next++);
        latencies.push(performance.now() - t0);
      } catch (error) {
        errors += 1;
        firstError ??= String(error).slice(0, 300);
        await new Promise((resolve) => setTimeout(resolve, 50));
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

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0);
}

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

/** A distinct valid resident ID per index (sequence 001-999 within a birth date, then the next day). */
function residentIdFor(i: number): string {
  const day = new Date(Date.UTC(1960, 0, 1) + Math.floor(i / 999) * 86_400_000)
    .toISOString()
    .slice(0, 10)
    .replace(/-/g, '');
  const first17 = `110105${day}${String((i % 999) + 1).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
}

function httpWithdrawal(tag: string, i: number): Record<string, unknown> & { withdrawnOn: string } {
  return {
    withdrawalId: `BH-${tag}-${i}`,
    person: { idType: '01', idNumber: residentIdFor(i), name: '基准' },
    reasonCode: '07',
    amount: '1200.00',
    closesAccount: false,
    evidence: [{ kind: 'RENT_CONTRACT', reference: `RENT-${tag}-${i}` }],
    withdrawnOn: new Date().toISOString().slice(0, 10),
  };
}

/** A keep-alive HTTP client, as a centre's business system would hold one (lighter than fetch). */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(gateway: GatewayInfo, path: string, body: unknown): Promise<unknown> {
  const payload = JSON.stringify(body);
  const key = gateway.apiKeys.operator ?? gateway.apiKeys.auditor ?? '';
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${gateway.url}${path}`,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((response.statusCode ?? 500) >= 300)
            reject(new Error(`HTTP ${String(response.statusCode)}: ${text}`));
          else resolve(JSON.parse(text) as unknown);
        });
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

export async function benchGateway(
  log: Log,
  options: { windows: number; windowMs: number; concurrency: number },
): Promise<GatewayBenchResult> {
  const consortium: Consortium = benchConsortium(23000, '.hpf-bench');
  const quiet: Log = () => undefined;
  await down(consortium, { purge: true }, quiet);
  const layout = new Layout(consortium);
  try {
    log('gateway: starting the consortium with gateways');
    await startConsortium(consortium, quiet);
    const beijing = consortium.centres[0];
    if (beijing?.code == null) throw new Error('no centre');
    const http = gatewayInfo(consortium, layout).find((g) => g.mspId === beijing.mspId);
    if (http === undefined) throw new Error('no gateway');
    const key = decodePseudonymKey(readFileSync(layout.pseudonymKey));
    if (key === undefined) throw new Error('the pseudonymisation key is too short');
    const raw = connectOrg(layout, beijing);
    const network = raw.gateway.getNetwork(consortium.channel);
    const withdrawal = network.getContract(consortium.chaincode.name, 'withdrawal');
    const meta = network.getContract(consortium.chaincode.name, 'meta');
    const endorsers = [beijing.mspId, consortium.regulator.mspId];
    const recorded: string[] = [];
    const counter = { next: 0 };
    const centreCode = beijing.code;

    const modes: Record<string, Op> = {
      httpAttestation: async (i) => {
        await post(http, '/v1/withdrawals', httpWithdrawal('h', i));
        recorded.push(`withdrawal:${centreCode}:BH-h-${i}`);
      },
      rawAttestation: async (i) => {
        const body = httpWithdrawal('r', i);
        const args = {
          withdrawalId: `BH-r-${i}`,
          centre: centreCode,
          subjectRef: computeSubjectRef(key, '01', residentIdFor(i), undefined),
          reasonCode: '07',
          amount: '1200.00',
          closesAccount: false,
          evidence: [{ kind: 'RENT_CONTRACT', hash: evidenceHashOf(`RENT-R-${i}`) }],
          withdrawnOn: body.withdrawnOn,
        };
        await withdrawal.submit('Record', {
          arguments: [canonicalJson(args)],
          transientData: {
            person: canonicalJson({ idType: '01', idNumber: residentIdFor(i) }),
            evidence: canonicalJson([{ kind: 'RENT_CONTRACT', reference: `RENT-R-${i}` }]),
          },
          endorsingOrganizations: endorsers,
        });
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
    await window(modes.httpAttestation!, 4, 2_000, counter);
    await window(modes.rawAttestation!, 4, 2_000, counter);
    const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
    for (let w = 0; w < options.windows; w += 1) {
      for (const [name, op] of Object.entries(modes)) {
        samples[name]!.push(await window(op, options.concurrency, options.windowMs, counter));
      }
      log(`gateway: window ${w + 1}/${options.windows} done`);
    }
    raw.close();
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
  } finally {
    await down(consortium, { purge: true }, quiet);
  }
}
