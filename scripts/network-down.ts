import { definitionFrom, down, parseFlags, runMain } from '../network';

const flags = parseFlags('npm run network:down -- [--definition FILE] [--purge]', {
  definition: { type: 'string' },
  purge: { type: 'boolean', default: false },
});
runMain(async () => {
  // The definition alone (without joined centres) is enough: down also stops every other process it recorded.
  await down(definitionFrom(flags.definition, { includeJoined: false }), { purge: flags.purge });
});
