import { Network, Cli, Runtime } from '../network';

/**
 * `npm start`: the whole local consortium (network, chaincode servers, one gateway per organisation),
 * supervised: a process that exits is restarted with backoff (network/src/supervisor.ts). It stays in
 * the foreground; Ctrl-C stops everything. With --detach a detached supervisor process does the same
 * and this returns once everything is ready (then `npm run stop`, which stops the supervisor first).
 */
const flags = Cli.parseFlags({
  command: 'npm start',
  summary:
    'Brings the whole local consortium up (network, chaincode servers, one gateway per organisation), supervised.',
  flags: {
    definition: Cli.DEFINITION_FLAG,
    detach: {
      type: 'boolean',
      default: false,
      help: 'run the supervisor detached and return once everything is ready',
    },
  },
});

Cli.runMain(async () => {
  const consortium = Cli.definitionFrom(flags.definition);
  if (flags.detach) {
    await Runtime.startDetached(consortium, { definitionFile: flags.definition ?? Cli.DEFAULT_DEFINITION });
    console.log('Running, supervised. Stop it with: npm run stop');
    return;
  }
  const supervisor = await Runtime.startSupervised(consortium);
  console.log('Running, supervised. Press Ctrl-C to stop everything.');
  await new Promise<void>((resolve) => {
    // Ctrl-C: stop supervising, then stop everything.
    process.once('SIGINT', () => {
      supervisor.stop();
      Runtime.forgetProcess(consortium.dataDir, Runtime.SUPERVISOR_NAME);
      console.log('\nStopping the consortium…');
      new Network(consortium).down({ purge: false }).then(
        () => resolve(),
        (error: unknown) => {
          console.error(error);
          resolve();
        },
      );
    });
    // SIGTERM comes from `npm run stop`, which stops the other processes itself once we are gone.
    process.once('SIGTERM', () => {
      supervisor.stop();
      console.log('Stopped supervising (npm run stop stops the processes).');
      resolve();
    });
  });
});
