import { DEFINITION_FLAG, definitionFrom, Network, parseFlags, runMain } from '../network';

const flags = parseFlags({
  command: 'npm run network:up',
  summary:
    'Brings the consortium of the definition up on this machine, idempotently: crypto, channel, orderers, peers, chaincode.',
  flags: { definition: DEFINITION_FLAG },
});
runMain(async () => {
  await new Network(definitionFrom(flags.definition)).up();
});
