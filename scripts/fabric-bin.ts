import { Cli, Runtime } from '../network';

/** Finds or builds the Fabric binaries and prints where they are (CI calls this before the tests). */
Cli.parseFlags({
  command: 'npm run fabric:bin',
  summary: 'Finds or builds the Fabric binaries and prints where they are.',
  flags: {},
});
Cli.runMain(async () => {
  console.log(Runtime.describeInstall(await Runtime.ensureFabric()));
});
