import { down, up } from '../network/src/network';
import { testConsortium, testLog } from './support/consortium';

/**
 * Brings up one fresh network for the whole integration run. If bringing it up fails half-way, what
 * started is stopped again here, because Jest runs globalTeardown only after a successful setup.
 */
export default async function globalSetup(): Promise<void> {
  const consortium = testConsortium();
  testLog(`fresh test network in ${consortium.dataDir}`);
  await down(consortium, { purge: true }, testLog);
  try {
    await up(consortium, testLog);
  } catch (error) {
    await down(consortium, { purge: false }, testLog).catch(() => undefined);
    throw error;
  }
}
