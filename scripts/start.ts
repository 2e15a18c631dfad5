import { definitionFrom, parseFlags, runMain } from '../network/src/cli-args';
import { startConsortium } from '../network/src/consortium';
import { down, processNames } from '../network/src/network';
import { logFile, runningProcess } from '../network/src/processes';
import type { Consortium } from '../network/src/definition';

/**
 * `npm start`: the whole local consortium (network, chaincode servers, one gateway per organisation).
 * It stays in the foreground and stops everything on Ctrl-C; with --detach it returns once all is ready
 * (then `npm run stop`).
 */
const flags = parseFlags('npm start -- [--definition FILE] [--detach]', {
  definition: { type: 'string' },
  detach: { type: 'boolean', default: false },
});

function stoppedProcesses(consortium: Consortium): string[] {
  return processNames(consortium).filter((name) => runningProcess(consortium.dataDir, name) === null);
}

runMain(async () => {
  const consortium = definitionFrom(flags.definition);
  await startConsortium(consortium);
  if (flags.detach) return;
  console.log('Running. Press Ctrl-C to stop everything.');
  await new Promise<void>((resolve) => {
    // Watching the processes also keeps this one alive until Ctrl-C (signal handlers alone do not).
    const reported = new Set<string>();
    const watch = setInterval(() => {
      for (const name of stoppedProcesses(consortium)) {
        if (!reported.has(name))
          console.warn(`${name} is not running; see ${logFile(consortium.dataDir, name)}`);
        reported.add(name);
      }
    }, 10_000);
    const stop = (): void => {
      clearInterval(watch);
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
