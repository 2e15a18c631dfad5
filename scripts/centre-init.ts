import { statSync } from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_DEFINITION,
  ensureFabric,
  newPeerHost,
  parseFlags,
  readDefinitionContent,
  runMain,
  withCentres,
} from '../network';

/**
 * `npm run centre:init`: run on the new centre's own host. Generates the centre's keys and
 * certificates there (they never leave it) and writes its organisation file (public certificates,
 * MSP ID, code, name, host and endpoints) to send to the consortium's members.
 */
const usage =
  'npm run centre:init -- --code CODE --name NAME --host HOST --data-dir DIR [--out FILE] [--definition FILE]';
const flags = parseFlags(usage, {
  definition: { type: 'string' },
  code: { type: 'string' },
  name: { type: 'string' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  out: { type: 'string' },
});

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value.trim() === '') {
    console.error(`--${flag} is required\nusage: ${usage}`);
    process.exit(2);
  }
  return value.trim();
}

runMain(async () => {
  const code = required(flags.code, 'code');
  const dataDir = path.resolve(required(flags['data-dir'], 'data-dir'));
  const entry = {
    code,
    mspId: `C${code}MSP`,
    name: required(flags.name, 'name'),
    host: required(flags.host, 'host'),
  };
  const definition = withCentres(
    readDefinitionContent(path.resolve(flags.definition ?? DEFAULT_DEFINITION)),
    [entry],
  );
  const fabric = await ensureFabric(() => undefined);
  // Validates the centre like any definition entry: a bad code, name or host is refused naming the field.
  const host = newPeerHost({ definition, dataDir, fabric, log: console.log }, `c${code}`);
  const file = await host.init(path.resolve(flags.out ?? path.join(dataDir, 'out', 'organisation.json')));
  console.log(`keys and certificates of ${entry.mspId} generated in ${host.layout.cryptoDir}`);
  console.log(`organisation file (public material only): ${file} (${statSync(file).size} bytes)`);
});
