import { statSync } from 'node:fs';
import path from 'node:path';
import { Cli, Runtime } from '../network';

/**
 * `npm run organisation:init`: run on the new organisation's own host. Generates its keys and
 * certificates there (they never leave it) and writes its organisation file (public certificates,
 * MSP ID, code, name, host and endpoints) to send to the consortium's members.
 */
const spec = {
  command: 'npm run organisation:init',
  summary:
    "On the new organisation's own host: generates its keys there and writes its organisation file (public material only) for the members.",
  flags: {
    definition: Cli.DEFINITION_FLAG,
    code: { type: 'string', arg: 'CODE', required: true, help: "the organisation's 6-digit code" },
    name: { type: 'string', arg: 'NAME', required: true, help: "the organisation's name" },
    host: { type: 'string', arg: 'HOST', required: true, help: 'the address its nodes listen on' },
    'data-dir': { type: 'string', arg: 'DIR', required: true, help: "this host's own data dir" },
    out: {
      type: 'string',
      arg: 'FILE',
      help: 'where the organisation file goes',
      defaultText: '<data-dir>/out/organisation.json',
    },
  },
} as const;
const flags = Cli.parseFlags(spec);

Cli.runMain(async () => {
  const code = Cli.requiredFlag(spec, flags.code, 'code');
  const dataDir = path.resolve(Cli.requiredFlag(spec, flags['data-dir'], 'data-dir'));
  const entry = {
    code,
    mspId: `C${code}MSP`,
    name: Cli.requiredFlag(spec, flags.name, 'name'),
    host: Cli.requiredFlag(spec, flags.host, 'host'),
  };
  const fabric = await Runtime.ensureFabric(() => undefined);
  const out = path.resolve(flags.out ?? path.join(dataDir, 'out', 'organisation.json'));
  const definition = path.resolve(flags.definition ?? Cli.DEFAULT_DEFINITION);
  const host = await Cli.organisationInit(
    { fabric, log: console.log },
    { definition, dataDir, centre: entry, out },
  );
  console.log(`keys and certificates of ${entry.mspId} generated in ${host.layout.cryptoDir}`);
  console.log(`organisation file (public material only): ${out} (${statSync(out).size} bytes)`);
});
