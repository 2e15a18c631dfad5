import { describeInstall, ensureFabric, parseFlags, runMain } from '../network';

/** Finds or builds the Fabric binaries and prints where they are (CI calls this before the tests). */
parseFlags('npm run fabric:bin', {});
runMain(async () => {
  console.log(describeInstall(await ensureFabric()));
});
