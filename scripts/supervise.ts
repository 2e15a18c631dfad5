import { Cli, Runtime } from '../network';

/**
 * The detached supervisor that `npm start -- --detach` starts (never run by hand): brings the
 * consortium up, then keeps it running until SIGTERM (`npm run stop` sends it first, then stops the
 * rest). Its output is `<dataDir>/logs/supervisor.log`; its state `<dataDir>/supervisor/state.json`.
 */
const flags = Cli.parseFlags({
  command: 'tsx scripts/supervise.ts',
  summary: 'The detached supervisor that `npm start -- --detach` starts (never run by hand).',
  flags: { definition: Cli.DEFINITION_FLAG },
});

Cli.runMain(async () => {
  const supervisor = await Runtime.startSupervised(Cli.definitionFrom(flags.definition));
  await new Promise<void>((resolve) => {
    const leave = (): void => {
      supervisor.stop();
      resolve();
    };
    process.once('SIGTERM', leave);
    process.once('SIGINT', leave);
  });
});
