/**
 * Process entry of a chaincode server: reads and validates the configuration at start-up (a bad key
 * file stops the process with `HPF_CC_<NAME>: <problem>` and exit code 1), then hands over to
 * fabric-chaincode-node's own command line (`server --chaincode-address … --chaincode-id …`), which
 * loads `contracts` from this package's main module.
 */
import { ChaincodeConfigError, installChaincodeConfig, loadChaincodeConfig } from './config';
import { skipDisabledShimLogLevels } from './shim-logging';

function start(): void {
  try {
    installChaincodeConfig(loadChaincodeConfig(process.env));
  } catch (err) {
    if (err instanceof ChaincodeConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  skipDisabledShimLogLevels();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('fabric-shim/cli.js');
}

start();
