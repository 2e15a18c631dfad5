import { Network, Runtime } from '../network';
import { reuseNetwork, testConsortium, testLog } from './support/consortium';

/**
 * Brings up one fresh consortium (network, chaincode servers, gateways) for the whole integration run. If bringing it up fails half-way, what
 * started is stopped again here, because Jest runs globalTeardown only after a successful setup.
 */
export default async function globalSetup(): Promise<void> {
  if (reuseNetwork()) {
    testLog('HPF_TEST_REUSE_NETWORK=1: using the network that is already running (not wiped, not stopped)');
    return;
  }
  testLog('fresh test network');
  // Whatever an earlier run left (including centres that joined) is stopped and wiped first.
  await new Network(testConsortium({ includeJoined: false }), { log: testLog }).down({ purge: true });
  const consortium = testConsortium();
  try {
    await Runtime.startConsortium(consortium, testLog);
  } catch (error) {
    await new Network(consortium, { log: testLog }).down({ purge: false }).catch(() => undefined);
    throw error;
  }
}
