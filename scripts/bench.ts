import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseFlags, REPO_ROOT, runMain } from '../network';
import { benchGateway } from '../test/bench/bench-gateway';
import { benchNetwork } from '../test/bench/bench-network';

/** `npm run bench`: measurements, never pass/fail. Results go to bench-results/<suite>.json. */
const flags = parseFlags(
  'npm run bench -- [--suite network|gateway|all] [--windows N] [--window-ms MS] [--concurrency N]',
  {
    suite: { type: 'string', default: 'all' },
    windows: { type: 'string', default: '3' },
    'window-ms': { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '8' },
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
  if (!['network', 'gateway', 'all'].includes(suite))
    throw new Error(`--suite must be network, gateway or all, got ${suite}`);
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
  if (suite !== 'gateway') write('network', await benchNetwork(log));
  if (suite !== 'network') write('gateway', await benchGateway(log, gatewayOptions));
});
