import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseFlags, runMain } from '../network/src/cli-args';
import { REPO_ROOT } from '../network/src/layout';
import { benchCertificates } from '../test/bench/bench-certificates';
import { benchConsole } from '../test/bench/bench-console';
import { benchGateway } from '../test/bench/bench-gateway';
import { benchNetwork } from '../test/bench/bench-network';

/** `npm run bench`: measurements, never pass/fail. Results go to bench-results/<suite>.json. */
const flags = parseFlags(
  'npm run bench -- [--suite network|gateway|certificates|console|all] [--windows N] [--window-ms MS] [--concurrency N] [--samples N] [--certificates-base-port PORT]\n' +
    '  console suite: [--attestations N] [--writes N] [--base-port P] [--data-dir DIR]',
  {
    attestations: { type: 'string', default: '100000' },
    writes: { type: 'string', default: '300' },
    'base-port': { type: 'string', default: '22000' },
    'data-dir': { type: 'string', default: '.hpf-bench-console' },
    suite: { type: 'string', default: 'all' },
    windows: { type: 'string', default: '3' },
    'window-ms': { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '8' },
    samples: { type: 'string', default: '20' },
    'certificates-base-port': { type: 'string', default: '23600' },
  },
);

function positive(value: string, flag: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new Error(`--${flag} must be an integer from 1 to ${max}, got ${value}`);
  return n;
}

runMain(async () => {
  const suite = flags.suite;
  if (!['network', 'gateway', 'certificates', 'console', 'all'].includes(suite))
    throw new Error(`--suite must be network, gateway, certificates, console or all, got ${suite}`);
  const gatewayOptions = {
    windows: positive(flags.windows, 'windows', 20),
    windowMs: positive(flags['window-ms'], 'window-ms', 60_000),
    concurrency: positive(flags.concurrency, 'concurrency', 64),
  };
  const dir = path.join(REPO_ROOT, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const log = (line: string): void => console.log(`[bench] ${line}`);
  const write = (name: string, result: object): void => {
    const full = { suite: name, at: new Date().toISOString(), ...result };
    writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(full, null, 2) + '\n');
    console.log(JSON.stringify(full, null, 2));
  };
  const certificateOptions = {
    samples: positive(flags.samples, 'samples', 1000),
    basePort: positive(flags['certificates-base-port'], 'certificates-base-port', 65_000),
  };
  const consoleOptions = {
    attestations: positive(flags.attestations, 'attestations', 10_000_000),
    writes: flags.writes === '0' ? 0 : positive(flags.writes, 'writes', 100_000),
    basePort: positive(flags['base-port'], 'base-port', 65_000),
    dataDir: flags['data-dir'],
  };
  if (suite === 'network' || suite === 'all') write('network', await benchNetwork(log));
  if (suite === 'gateway' || suite === 'all') write('gateway', await benchGateway(log, gatewayOptions));
  if (suite === 'certificates' || suite === 'all')
    write('certificates', await benchCertificates(log, certificateOptions));
  if (suite === 'console' || suite === 'all') write('console', await benchConsole(log, consoleOptions));
});
