import { definitionFrom, parseFlags, runMain } from '../network/src/cli-args';
import { up } from '../network/src/network';

const flags = parseFlags('npm run network:up -- [--definition FILE]', { definition: { type: 'string' } });
runMain(async () => {
  await up(definitionFrom(flags.definition));
});
