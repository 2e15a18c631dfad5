import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseFlags, runMain } from '../network/src/cli-args';
import { REPO_ROOT } from '../network/src/layout';
import { benchNetwork } from '../test/bench/bench-network';

/** `npm run bench`: measurements, never pass/fail. Results go to bench-results/<suite>.json. */
const flags = parseFlags('npm run bench -- [--suite network|all]', {
  suite: { type: 'string', default: 'all' },
});

runMain(async () => {
  const suite = flags.suite;
  if (!['network', 'all'].includes(suite)) throw new Error(`--suite must be network or all, got ${suite}`);
  const dir = path.join(REPO_ROOT, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const log = (line: string): void => console.log(`[bench] ${line}`);
  const result = { suite: 'network', at: new Date().toISOString(), ...(await benchNetwork(log)) };
  writeFileSync(path.join(dir, 'network.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
});
