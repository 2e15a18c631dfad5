import { DEFINITION_FLAG, definitionFrom, parseFlags, runMain, startSupervised } from '../network';

/**
 * The detached supervisor that `npm start -- --detach` starts (never run by hand): brings the
 * consortium up, then keeps it running until SIGTERM (`npm run stop` sends it first, then stops the
 * rest). Its output is `<dataDir>/logs/supervisor.log`; its state `<dataDir>/supervisor/state.json`.
 */
const flags = parseFlags({
  command: 'tsx scripts/supervise.ts',
  summary: 'The detached supervisor that `npm start -- --detach` starts (never run by hand).',
  flags: { definition: DEFINITION_FLAG },
});

runMain(async () => {
  const supervisor = await startSupervised(definitionFrom(flags.definition));
  await new Promise<void>((resolve) => {
    const leave = (): void => {
      supervisor.stop();
      resolve();
    };
    process.once('SIGTERM', leave);
    process.once('SIGINT', leave);
  });
});
