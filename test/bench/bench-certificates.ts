import { performance } from 'node:perf_hooks';
import { residentIdCheckChar } from '../../chaincode/src/domain';
import { Network, Definition, Runtime } from '../../network';
import { benchConsortium } from './bench-network';
import { certificateIssueBody, loanSettledFacts } from '../support/fixtures';

/**
 * Certificate benchmark: the latency from issue to verification, one certificate at a time, on a
 * fresh consortium of its own. Each sample issues a certificate at the first centre (HTTP POST: the
 * PDF rendered once and its hash committed), downloads its PDF there (rendered again from the
 * issuer's implicit collection and checked against that hash), and verifies the PDF's bytes at the
 * last centre's gateway (a hash and one ledger evaluation, no rendering). Phases and the total are
 * reported as percentiles; the first `warmUp` samples (font loading, JIT) are left out.
 *
 * Then `CONCURRENT_ROUNDS` rounds of `CONCURRENT_VERIFICATIONS` PDF verifications sent at
 * once to the last centre's gateway, each with a `/healthz` probe sent in the middle of them: how long
 * the probe waits shows whether verifications hold the event loop.
 */

const CONCURRENT_VERIFICATIONS = 6;
const CONCURRENT_ROUNDS = 20;

export interface PhaseResult {
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly minMs: number;
  readonly maxMs: number;
}

export interface CertificateBenchResult {
  readonly samples: number;
  readonly warmUp: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly pdfBytes: number;
  readonly phases: Readonly<Record<'issue' | 'pdf' | 'verify' | 'issueToVerify', PhaseResult>>;
  /** Six PDF verifications at once (each one's latency), and /healthz sent among them. */
  readonly concurrent: {
    readonly verifications: number;
    readonly rounds: number;
    readonly verify: PhaseResult;
    readonly healthz: PhaseResult;
  };
}

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round((sorted[index] ?? 0) * 10) / 10;
}

function phase(values: readonly number[]): PhaseResult {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    minMs: percentile(sorted, 0),
    maxMs: percentile(sorted, 100),
  };
}

function residentIdFor(i: number): string {
  const first17 = `11010519700101${String((i % 999) + 1).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
}

interface Call {
  readonly method?: string;
  readonly contentType?: string;
  readonly body?: string | Uint8Array;
}

async function send(gateway: Runtime.GatewayInfo, path: string, init: Call): Promise<Response> {
  const response = await fetch(`${gateway.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${gateway.apiKeys.operator ?? ''}`,
      ...(init.contentType === undefined ? {} : { 'content-type': init.contentType }),
    },
    body: init.body,
    signal: AbortSignal.timeout(120_000),
  });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  return response;
}

/** One issue → download → verify round; the durations of its phases in ms. */
async function sample(
  issuer: Runtime.GatewayInfo,
  verifier: Runtime.GatewayInfo,
  no: string,
  i: number,
): Promise<number[]> {
  const t0 = performance.now();
  await send(issuer, '/v1/certificates', {
    method: 'POST',
    contentType: 'application/json',
    body: JSON.stringify(
      certificateIssueBody(
        { idType: '01', idNumber: residentIdFor(i), name: '基准测试' },
        { certificateNo: no, type: 'LOAN_SETTLED', facts: loanSettledFacts({ loanContractNo: `JK-${no}` }) },
      ),
    ),
  });
  const t1 = performance.now();
  const pdf = Buffer.from(await (await send(issuer, `/v1/certificates/${no}/pdf`, {})).arrayBuffer());
  const t2 = performance.now();
  const answer = (await (
    await send(verifier, '/v1/certificates/verify', {
      method: 'POST',
      contentType: 'application/pdf',
      body: new Uint8Array(pdf),
    })
  ).json()) as { status?: string };
  const t3 = performance.now();
  if (answer.status !== 'VALID') throw new Error(`verification said ${String(answer.status)}`);
  return [t1 - t0, t2 - t1, t3 - t2, t3 - t0, pdf.length];
}

/** One round: `CONCURRENT_VERIFICATIONS` PDF verifications of `pdf` and a /healthz among them. */
async function concurrentRound(
  verifier: Runtime.GatewayInfo,
  pdf: Uint8Array,
): Promise<{ verify: number[]; healthz: number }> {
  const timed = async (path: string, init: RequestInit): Promise<number> => {
    const start = performance.now();
    const response = await fetch(`${verifier.url}${path}`, { ...init, signal: AbortSignal.timeout(120_000) });
    const body = await response.text();
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${body}`);
    return performance.now() - start;
  };
  const verify = (): Promise<number> =>
    // The key-less endpoint runs the same code but allows 30 a minute per address: the keyed one here.
    timed('/v1/certificates/verify', {
      method: 'POST',
      headers: {
        'content-type': 'application/pdf',
        authorization: `Bearer ${verifier.apiKeys.operator ?? ''}`,
      },
      body: pdf,
    });
  const half = Math.floor(CONCURRENT_VERIFICATIONS / 2);
  const first = Array.from({ length: half }, verify);
  const healthz = timed('/healthz', {});
  const second = Array.from({ length: CONCURRENT_VERIFICATIONS - half }, verify);
  const [times, probe] = await Promise.all([Promise.all([...first, ...second]), healthz]);
  return { verify: times, healthz: probe };
}

/** `CONCURRENT_ROUNDS` rounds on the PDF of certificate `no`; failures are collected, not thrown. */
async function concurrentPhase(
  issuer: Runtime.GatewayInfo,
  verifier: Runtime.GatewayInfo,
  no: string,
  log: Runtime.Log,
): Promise<{ verify: number[]; healthz: number[]; errors: string[] }> {
  const result = { verify: [] as number[], healthz: [] as number[], errors: [] as string[] };
  try {
    const pdf = new Uint8Array(await (await send(issuer, `/v1/certificates/${no}/pdf`, {})).arrayBuffer());
    for (let round = 0; round < CONCURRENT_ROUNDS; round += 1) {
      try {
        const times = await concurrentRound(verifier, pdf);
        result.verify.push(...times.verify);
        result.healthz.push(times.healthz);
      } catch (err) {
        result.errors.push(err instanceof Error ? err.message : String(err));
      }
      log(`certificates: concurrent round ${round + 1}/${CONCURRENT_ROUNDS}`);
    }
  } catch (err) {
    result.errors.push(err instanceof Error ? err.message : String(err));
  }
  return result;
}

export async function benchCertificates(
  log: Runtime.Log,
  options: { samples: number; basePort: number },
): Promise<CertificateBenchResult> {
  const consortium: Definition.Consortium = benchConsortium(options.basePort, '.hpf-bench-certificates');
  const quiet: Runtime.Log = () => undefined;
  await new Network(consortium, { log: quiet }).down({ purge: true });
  try {
    log(`certificates: starting the consortium (base port ${options.basePort})`);
    await Runtime.startConsortium(consortium, quiet);
    const gateways = new Network(consortium).gateways();
    const first = consortium.centres[0];
    const last = consortium.centres[consortium.centres.length - 1];
    const issuer = gateways.find((g) => g.mspId === first?.mspId);
    const verifier = gateways.find((g) => g.mspId === last?.mspId);
    if (issuer === undefined || verifier === undefined) throw new Error('no gateways');
    const warmUp = 2;
    const rows: number[][] = [];
    let errors = 0;
    let firstError: string | undefined;
    const run = Date.now().toString(36);
    for (let i = 0; i < options.samples + warmUp; i += 1) {
      try {
        const row = await sample(issuer, verifier, `BC-${run}-${i}`, i);
        if (i >= warmUp) rows.push(row);
      } catch (err) {
        errors += 1;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
      log(`certificates: sample ${i + 1}/${options.samples + warmUp}`);
    }
    const concurrent = await concurrentPhase(
      issuer,
      verifier,
      `BC-${run}-${options.samples + warmUp - 1}`,
      log,
    );
    errors += concurrent.errors.length;
    firstError ??= concurrent.errors[0];
    const column = (index: number): number[] => rows.map((row) => row[index] ?? 0);
    return {
      samples: rows.length,
      warmUp,
      errors,
      ...(firstError === undefined ? {} : { firstError }),
      pdfBytes: Math.max(0, ...column(4)),
      phases: {
        issue: phase(column(0)),
        pdf: phase(column(1)),
        verify: phase(column(2)),
        issueToVerify: phase(column(3)),
      },
      concurrent: {
        verifications: CONCURRENT_VERIFICATIONS,
        rounds: concurrent.healthz.length,
        verify: phase(concurrent.verify),
        healthz: phase(concurrent.healthz),
      },
    };
  } finally {
    await new Network(consortium, { log: quiet }).down({ purge: true });
  }
}
