import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Cli, Definition } from '../network';
import { benchBatch } from '../test/bench/bench-batch';
import { benchCertificates } from '../test/bench/bench-certificates';
import { benchChecks } from '../test/bench/bench-checks';
import { benchConsole } from '../test/bench/bench-console';
import { benchGateway } from '../test/bench/bench-gateway';
import { benchGrowth } from '../test/bench/bench-growth';
import { benchNational } from '../test/bench/bench-national';
import { benchNetwork } from '../test/bench/bench-network';
import { benchRatio } from '../test/bench/bench-ratio';
import { benchSaturation } from '../test/bench/bench-saturation';

/** `npm run bench`: measurements, never pass/fail. Results go to bench-results/<suite>.json. */
const SUITES = [
  'network',
  'gateway',
  'saturation',
  'ratio',
  'growth',
  'national',
  'batch',
  'certificates',
  'console',
  'checks',
] as const;
type Suite = (typeof SUITES)[number];
/** `all` keeps its old meaning (the quick suites); the long ones run only when named. */
const ALL: readonly Suite[] = ['network', 'gateway'];

const flags = Cli.parseFlags({
  command: 'npm run bench',
  summary:
    'Measurements, never pass/fail: each suite brings its own network up on --base-port and writes bench-results/<suite>.json. `all` runs network and gateway; the long suites run only when named.',
  flags: {
    suite: { type: 'string', arg: `${SUITES.join('|')}|all`, default: 'all', help: 'which suite to run' },
    'base-port': { type: 'string', arg: 'N', default: '23000', help: "the bench network's first port" },
    windows: { type: 'string', arg: 'N', default: '3', help: 'gateway: measurement windows' },
    'window-ms': { type: 'string', arg: 'MS', default: '5000', help: "gateway: one window's length" },
    concurrency: { type: 'string', arg: 'N', default: '8', help: 'gateway: requests in flight' },
    runs: { type: 'string', arg: 'N', default: '3', help: 'ratio: alternating runs per mode' },
    'run-ms': { type: 'string', arg: 'MS', default: '15000', help: "ratio: one run's length" },
    'in-flight': { type: 'string', arg: 'N', default: '64', help: 'ratio: requests in flight' },
    'shape-parts': {
      type: 'boolean',
      default: false,
      help: "ratio: also run meta:Shape part by part (reads, + ranges, + writes, + policies, + seal): what each part of a withdrawal's Fabric work costs",
    },
    profile: {
      type: 'string',
      arg: 'DIR',
      defaultText: 'none',
      help: 'ratio: after the runs, profile the gateway, chaincode server and peer into DIR (text)',
    },
    'start-rate': { type: 'string', arg: 'N', default: '20', help: 'saturation: first offered rate (/s)' },
    'rate-step': { type: 'string', arg: 'N', default: '20', help: 'saturation: rate added per step (/s)' },
    'max-rate': { type: 'string', arg: 'N', default: '600', help: 'saturation: highest offered rate (/s)' },
    'step-ms': { type: 'string', arg: 'MS', default: '8000', help: "saturation: one step's length" },
    size: { type: 'string', arg: 'N', default: '100000', help: 'growth: attestations on the ledger' },
    baseline: { type: 'string', arg: 'N', default: '1000', help: 'growth: the size it is compared with' },
    definition: {
      type: 'string',
      arg: 'FILE',
      default: 'network/consortium-national.yaml',
      help: 'national: the consortium definition',
    },
    items: { type: 'string', arg: 'N', default: '2000', help: 'batch: items in the batch' },
    samples: { type: 'string', arg: 'N', default: '20', help: 'certificates: certificates issued' },
    attestations: { type: 'string', arg: 'N', default: '100000', help: 'console: attestations in the index' },
    writes: { type: 'string', arg: 'N', default: '300', help: 'console: writes during the reads (0: none)' },
    'data-dir': {
      type: 'string',
      arg: 'DIR',
      default: '.hpf-bench-console',
      help: "console: the index's data dir",
    },
  },
});

function positive(value: string, flag: string, max: number, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`--${flag} must be an integer from ${min} to ${max}, got ${value}`);
  return n;
}

function suitesOf(value: string): readonly Suite[] {
  if (value === 'all') return ALL;
  const suite = SUITES.find((s) => s === value);
  if (suite === undefined)
    throw new Error(`--suite must be one of ${SUITES.join(', ')} or all, got ${value}`);
  return [suite];
}

Cli.runMain(async () => {
  const suites = suitesOf(flags.suite);
  // Ports: a network needs about basePort .. basePort + 200 (35 organisations: + 450); MAX_PORT is 32767.
  const basePort = positive(flags['base-port'], 'base-port', 32_000, 1024);
  const dir = path.join(Definition.REPO_ROOT, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const log = (line: string): void =>
    console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
  const write = (name: string, result: object): void => {
    const full = { suite: name, at: new Date().toISOString(), ...result };
    writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(full, null, 2) + '\n');
    console.log(JSON.stringify(full, null, 2));
  };
  /** Each suite's run: its result file's name and its measurement. */
  const runners: Record<Suite, () => Promise<[string, object]>> = {
    network: async () => ['network', await benchNetwork(log, basePort)],
    gateway: async () => [
      'gateway',
      await benchGateway(log, {
        basePort,
        windows: positive(flags.windows, 'windows', 20),
        windowMs: positive(flags['window-ms'], 'window-ms', 60_000),
        concurrency: positive(flags.concurrency, 'concurrency', 64),
      }),
    ],
    saturation: async () => [
      'saturation',
      await benchSaturation(log, {
        basePort,
        startRate: positive(flags['start-rate'], 'start-rate', 5_000),
        rateStep: positive(flags['rate-step'], 'rate-step', 5_000),
        maxRate: positive(flags['max-rate'], 'max-rate', 5_000),
        stepMs: positive(flags['step-ms'], 'step-ms', 120_000, 1_000),
      }),
    ],
    ratio: async () => [
      'ratio',
      await benchRatio(log, {
        basePort,
        runs: positive(flags.runs, 'runs', 20),
        runMs: positive(flags['run-ms'], 'run-ms', 300_000, 1_000),
        inFlight: positive(flags['in-flight'], 'in-flight', 512),
        shapeParts: flags['shape-parts'],
        ...(flags.profile === undefined ? {} : { profileDir: path.resolve(flags.profile) }),
      }),
    ],
    growth: async () => [
      `growth-${flags.size}`,
      await benchGrowth(log, {
        basePort,
        size: positive(flags.size, 'size', 1_000_000, 2),
        baseline: positive(flags.baseline, 'baseline', 1_000_000),
      }),
    ],
    national: async () => ['national', await benchNational(log, { definition: flags.definition })],
    batch: async () => [
      'batch',
      await benchBatch(log, { basePort, items: positive(flags.items, 'items', 100_000, 50) }),
    ],
    certificates: async () => [
      'certificates',
      await benchCertificates(log, { basePort, samples: positive(flags.samples, 'samples', 1000) }),
    ],
    console: async () => [
      'console',
      await benchConsole(log, {
        basePort,
        attestations: positive(flags.attestations, 'attestations', 10_000_000),
        writes: flags.writes === '0' ? 0 : positive(flags.writes, 'writes', 100_000),
        dataDir: flags['data-dir'],
      }),
    ],
    checks: async () => [
      'checks',
      await benchChecks(log, {
        basePort,
        windows: positive(flags.windows, 'windows', 20),
        windowMs: positive(flags['window-ms'], 'window-ms', 60_000),
        concurrency: positive(flags.concurrency, 'concurrency', 64),
      }),
    ],
  };
  for (const suite of suites) write(...(await runners[suite]()));
});
