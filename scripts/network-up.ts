import { definitionFrom, parseFlags, runMain, up } from '../network';

const flags = parseFlags('npm run network:up -- [--definition FILE]', { definition: { type: 'string' } });
runMain(async () => {
  await up(definitionFrom(flags.definition));
});
