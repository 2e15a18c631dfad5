import { definitionFrom, parseFlags, runMain } from '../network/src/cli-args';
import { down } from '../network/src/network';

const flags = parseFlags('npm run network:down -- [--definition FILE] [--purge]', {
  definition: { type: 'string' },
  purge: { type: 'boolean', default: false },
});
runMain(async () => {
  await down(definitionFrom(flags.definition), { purge: flags.purge });
});
