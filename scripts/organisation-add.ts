import path from 'node:path';
import { Cli } from '../network';

/**
 * `npm run organisation:add`: on one machine, a new organisation joins the running consortium of the
 * definition (its keys, the config update signed by a majority of the members' admins, its nodes, the
 * chaincode definition and its registry entry).
 */
const spec = {
  command: 'npm run organisation:add',
  summary:
    'On one machine: a new organisation joins the running consortium. Re-running after a failure carries on where it stopped.',
  flags: {
    definition: Cli.DEFINITION_FLAG,
    code: { type: 'string', arg: 'CODE', required: true, help: "the organisation's 6-digit code" },
    name: { type: 'string', arg: 'NAME', required: true, help: "the organisation's name" },
    'msp-id': { type: 'string', arg: 'MSPID', help: 'its MSP ID', defaultText: 'C<code>MSP' },
  },
} as const;
const flags = Cli.parseFlags(spec);

Cli.runMain(async () => {
  const file = path.resolve(flags.definition ?? Cli.DEFAULT_DEFINITION);
  const code = Cli.requiredFlag(spec, flags.code, 'code');
  const centre = {
    code,
    mspId: flags['msp-id'] ?? `C${code}MSP`,
    name: Cli.requiredFlag(spec, flags.name, 'name'),
  };
  await Cli.addOrganisation({
    definitionFile: file,
    consortium: Cli.definitionFrom(flags.definition),
    centre,
  });
});
