import { Network, Cli } from '../network';

const flags = Cli.parseFlags({
  command: 'npm run network:down',
  summary: 'Stops every process the data dir recorded (by PID); with --purge also removes the data dir.',
  flags: {
    definition: Cli.DEFINITION_FLAG,
    purge: { type: 'boolean', default: false, help: 'remove the data dir afterwards' },
  },
});
Cli.runMain(async () => {
  // The definition alone (without joined centres) is enough: down also stops every other process it recorded.
  await new Network(Cli.definitionFrom(flags.definition, { includeJoined: false })).down({
    purge: flags.purge,
  });
});
