import { Network, Cli } from '../network';

const flags = Cli.parseFlags({
  command: 'npm run network:up',
  summary:
    'Brings the consortium of the definition up on this machine, idempotently: crypto, channel, orderers, peers, chaincode.',
  flags: { definition: Cli.DEFINITION_FLAG },
});
Cli.runMain(async () => {
  await new Network(Cli.definitionFrom(flags.definition)).up();
});
