import { describeInstall, ensureFabric, parseFlags, runMain } from '../network';

/** Finds or builds the Fabric binaries and prints where they are (CI calls this before the tests). */
parseFlags({
  command: 'npm run fabric:bin',
  summary: 'Finds or builds the Fabric binaries and prints where they are.',
  flags: {},
});
runMain(async () => {
  console.log(describeInstall(await ensureFabric()));
});
