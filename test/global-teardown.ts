import { Network } from '../network';
import { reuseNetwork, testConsortium, testLog } from './support/consortium';

/**
 * Stops every process of the test network, whatever the tests did. The data dir (with each process's
 * log under logs/) stays for a post-mortem; the next run's setup wipes it.
 */
export default async function globalTeardown(): Promise<void> {
  if (reuseNetwork()) return;
  await new Network(testConsortium({ includeJoined: false }), { log: testLog }).down({ purge: false });
}
