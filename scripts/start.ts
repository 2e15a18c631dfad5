import { definitionFrom, parseFlags, runMain } from '../network/src/cli-args';
import { startConsortium } from '../network/src/consortium';
import { down } from '../network/src/network';

/**
 * `npm start`: the whole local consortium (network, chaincode servers, one gateway per organisation).
 * It stays in the foreground and stops everything on Ctrl-C; with --detach it returns once all is ready
 * (then `npm run stop`).
 */
const flags = parseFlags('npm start -- [--definition FILE] [--detach]', {
  definition: { type: 'string' },
  detach: { type: 'boolean', default: false },
});

runMain(async () => {
  const consortium = definitionFrom(flags.definition);
  await startConsortium(consortium);
  if (flags.detach) return;
  console.log('Running. Press Ctrl-C to stop everything.');
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      console.log('\nStopping the consortium…');
      down(consortium, { purge: false }).then(
        () => resolve(),
        (error: unknown) => {
          console.error(error);
          resolve();
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
});
