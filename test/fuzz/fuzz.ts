/**
 * `npm run test:fuzz`: the outside contract fuzzer. Brings up a real consortium (its own ports and data
 * dir, test/consortium.fuzz.yaml unless --definition says otherwise), runs Schemathesis (from PyPI,
 * installed by install-schemathesis.sh) against real gateways from their /openapi.json with every check,
 * the stateful phase included, once with an operator key and twice with auditor keys (a centre's and the
 * regulator's), then brings the network down. It fails on any failure Schemathesis reports, on any 5xx
 * a gateway answered (counted from the gateways' own /metrics, on their operations listeners), or when fewer cases than the minimum
 * were generated; it prints the figures either way.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Network, Cli, Definition, Runtime } from '../../network';

const flags = Cli.parseFlags({
  command: 'npm run test:fuzz',
  summary: "Runs Schemathesis against every gateway of a fuzz network, from the gateway's OpenAPI document.",
  flags: {
    definition: {
      type: 'string',
      arg: 'FILE',
      default: path.join(Definition.REPO_ROOT, 'test', 'consortium.fuzz.yaml'),
      defaultText: 'test/consortium.fuzz.yaml',
      help: 'the fuzz network definition',
    },
    'min-cases': { type: 'string', arg: 'N', default: '3000', help: 'the fewest generated cases in all' },
  },
});

const FUZZ_DIR = path.join(Definition.REPO_ROOT, 'test', 'fuzz');
/** Each Schemathesis run is stopped after this long, so the whole command stays bounded. */
const RUN_TIMEOUT_MS = 600_000;

interface FuzzRun {
  readonly name: string;
  readonly gateway: Runtime.GatewayInfo;
  readonly key: string;
  readonly maxExamples: number;
  readonly phases: string;
}

interface RunResult {
  readonly name: string;
  readonly exitCode: number | null;
  readonly generated: number;
  readonly failures: readonly { code: string; title: string; count: number; operations: string[] }[];
  readonly errors: number;
  /** The titles of Schemathesis' errors (not failures): e.g. "Runtime Error" for its own exceptions. */
  readonly errorTitles: readonly string[];
}

function log(message: string): void {
  console.log(`[fuzz] ${message}`);
}

function schemathesisBinary(): string {
  const installed = spawnSync('bash', [path.join(FUZZ_DIR, 'install-schemathesis.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (installed.status !== 0) {
    throw new Error('could not install Schemathesis (test/fuzz/install-schemathesis.sh)');
  }
  return installed.stdout.trim().split('\n').pop() ?? '';
}

function readReport(dir: string): Omit<RunResult, 'name' | 'exitCode'> {
  const file = path.join(dir, 'report.json');
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    test_cases?: { generated?: number };
    failures?: RunResult['failures'];
    errors?: { title?: unknown }[];
  };
  return {
    generated: report.test_cases?.generated ?? 0,
    failures: report.failures ?? [],
    errors: report.errors?.length ?? 0,
    errorTitles: (report.errors ?? []).map((e) => (typeof e.title === 'string' ? e.title : 'unknown')),
  };
}

function runSchemathesis(binary: string, run: FuzzRun, reportRoot: string): RunResult {
  const dir = path.join(reportRoot, run.name);
  mkdirSync(dir, { recursive: true });
  log(
    `${run.name}: ${run.gateway.url} (${run.gateway.mspId}), ${run.maxExamples} examples per operation, phases ${run.phases}`,
  );
  const result = spawnSync(
    binary,
    [
      '--config-file',
      path.join(FUZZ_DIR, 'schemathesis.toml'),
      'run',
      `${run.gateway.url}/openapi.json`,
      '--header',
      `Authorization: Bearer ${run.key}`,
      '--phases',
      run.phases,
      '--max-examples',
      String(run.maxExamples),
      // One worker: with two, Hypothesis' lambda-source parsing races in CPython's ast module
      // ("AST constructor recursion depth mismatch", a Runtime Error of the tool, seen in CI).
      '--workers',
      '1',
      '--seed',
      '20261123',
      '--generation-database',
      'none',
      '--report',
      'json',
      '--report-json-path',
      path.join(dir, 'report.json'),
      '--output-truncate',
      'true',
    ],
    // Its working directory is the report's, where it keeps its .schemathesis/ cache.
    { cwd: dir, stdio: 'inherit', timeout: RUN_TIMEOUT_MS, killSignal: 'SIGKILL' },
  );
  if (result.error !== undefined) {
    log(`${run.name}: ${result.error.message}`);
    return { name: run.name, exitCode: null, generated: 0, failures: [], errors: 1, errorTitles: ['killed'] };
  }
  return { name: run.name, exitCode: result.status, ...readReport(dir) };
}

/**
 * Runs one plan entry; a run whose only problems are Schemathesis' own exceptions ("Runtime Error",
 * e.g. Hypothesis' "AST constructor recursion depth mismatch", seen once in CI), with no failure and
 * no answer of ours involved, is run once more. A second such run counts as it is.
 */
function runWithOneRetryOnToolError(binary: string, run: FuzzRun, reportRoot: string): RunResult {
  const first = runSchemathesis(binary, run, reportRoot);
  const toolErrorOnly =
    first.failures.length === 0 &&
    first.errors > 0 &&
    first.errorTitles.every((title) => title === 'Runtime Error');
  if (!toolErrorOnly) return first;
  log(
    `${run.name}: Schemathesis raised ${first.errors} internal error(s) and found no failure; running it once more`,
  );
  return runSchemathesis(binary, run, reportRoot);
}

/** A gateway's /metrics, asked up to 3 times: on a loaded machine one connection may fail. */
async function metricsOf(gateway: Runtime.GatewayInfo): Promise<string> {
  let failure: unknown;
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    try {
      const response = await fetch(`${gateway.operationsUrl}/metrics`, {
        signal: AbortSignal.timeout(15_000),
      });
      return await response.text();
    } catch (error) {
      failure = error;
      log(`${gateway.mspId} /metrics attempt ${attempt}: ${String((error as Error).cause ?? error)}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  throw new Error(`could not read ${gateway.operationsUrl}/metrics`, { cause: failure });
}

/** 5xx answers counted by a gateway itself (hpf_gateway_http_requests_total, outcome server_error). */
async function serverErrors(
  gateway: Runtime.GatewayInfo,
): Promise<{ requests: number; serverErrors: number }> {
  const text = await metricsOf(gateway);
  let requests = 0;
  let errors = 0;
  for (const line of text.split('\n')) {
    // Label values hold route templates such as /v1/transfers/{id}, braces included.
    const match = /^hpf_gateway_http_requests_total\{(.*)\} (\S+)$/.exec(line);
    if (match === null) continue;
    const count = Number(match[2]);
    requests += count;
    if ((match[1] ?? '').includes('outcome="server_error"')) errors += count;
  }
  return { requests, serverErrors: errors };
}

function plan(gateways: readonly Runtime.GatewayInfo[]): FuzzRun[] {
  const centre = gateways.find((g) => g.centreCode !== null && g.apiKeys.operator && g.apiKeys.auditor);
  const regulator = gateways.find((g) => g.centreCode === null && g.apiKeys.auditor);
  if (
    centre?.apiKeys.operator === undefined ||
    centre.apiKeys.auditor === undefined ||
    !regulator?.apiKeys.auditor
  ) {
    throw new Error('the fuzz consortium needs a centre with operator and auditor keys and a regulator');
  }
  return [
    {
      name: 'operator',
      gateway: centre,
      key: centre.apiKeys.operator,
      maxExamples: 45,
      phases: 'examples,coverage,fuzzing,stateful',
    },
    {
      name: 'auditor',
      gateway: centre,
      key: centre.apiKeys.auditor,
      maxExamples: 15,
      phases: 'coverage,fuzzing,stateful',
    },
    {
      name: 'regulator-auditor',
      gateway: regulator,
      key: regulator.apiKeys.auditor,
      maxExamples: 10,
      phases: 'coverage,fuzzing',
    },
  ];
}

function report(
  results: readonly RunResult[],
  errors5xx: number,
  requests: number,
  minCases: number,
): boolean {
  const generated = results.reduce((sum, r) => sum + r.generated, 0);
  const failures = results.flatMap((r) => r.failures.map((f) => ({ run: r.name, ...f })));
  console.log('\n== contract fuzzing (Schemathesis) ==');
  for (const r of results) {
    const failed = r.failures.reduce((sum, f) => sum + f.count, 0);
    console.log(
      `${r.name.padEnd(18)} cases ${String(r.generated).padStart(5)}  failures ${failed}  errors ${r.errors}  exit ${r.exitCode ?? 'killed'}`,
    );
  }
  for (const f of failures) {
    console.log(`  ${f.run}: ${f.code} ${f.title} ×${f.count}: ${f.operations.join(', ')}`);
  }
  console.log(`cases generated: ${generated} (minimum ${minCases})`);
  console.log(`HTTP requests answered by the gateways: ${requests}; 5xx responses: ${errors5xx}`);
  console.log(`failures breaking the document or the checks: ${failures.length}`);
  const ok =
    generated >= minCases &&
    errors5xx === 0 &&
    failures.length === 0 &&
    results.every((r) => r.exitCode === 0 && r.errors === 0);
  console.log(ok ? 'fuzz: passed' : 'fuzz: FAILED');
  return ok;
}

Cli.runMain(async () => {
  const started = Date.now();
  const minCases = Number(flags['min-cases']);
  const binary = schemathesisBinary();
  const consortium = Cli.definitionFrom(flags.definition, { includeJoined: false });
  const reportRoot = path.join(consortium.dataDir, 'fuzz-report');
  await new Network(consortium, { log: log }).down({ purge: true });
  let ok = false;
  try {
    await Runtime.startConsortium(consortium, log);
    rmSync(reportRoot, { recursive: true, force: true });
    const gateways = new Network(consortium).gateways();
    const results = plan(gateways).map((run) => runWithOneRetryOnToolError(binary, run, reportRoot));
    let errors5xx = 0;
    let requests = 0;
    for (const gateway of gateways) {
      const counted = await serverErrors(gateway);
      errors5xx += counted.serverErrors;
      requests += counted.requests;
    }
    ok = report(results, errors5xx, requests, minCases);
  } finally {
    await new Network(consortium, { log: log }).down({ purge: false });
    log(`finished in ${Math.round((Date.now() - started) / 1000)} s; reports in ${reportRoot}`);
  }
  if (!ok) process.exit(1);
});
