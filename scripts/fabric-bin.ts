import { parseFlags, runMain } from '../network/src/cli-args';
import { describeInstall, ensureFabric } from '../network/src/fabric-bin';

/** Finds or builds the Fabric binaries and prints where they are (CI calls this before the tests). */
parseFlags('npm run fabric:bin', {});
runMain(async () => {
  console.log(describeInstall(await ensureFabric()));
});
