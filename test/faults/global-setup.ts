import { down, startDetached } from '../../network';
import { FAULT_DEFINITION, faultConsortium, faultLog } from './support/network';

/**
 * One fresh 3-orderer consortium for the fault suite, started as `npm start -- --detach` starts it: a
 * detached supervisor process brings it up and keeps it running, so the restarts the cases observe
 * are the supervisor's, with no human (and no test) restarting anything.
 */
export default async function globalSetup(): Promise<void> {
  faultLog('fresh fault-suite network (3 Raft orderers), supervised');
  await down(faultConsortium({ includeJoined: false }), { purge: true }, faultLog);
  const consortium = faultConsortium();
  try {
    await startDetached(consortium, FAULT_DEFINITION, faultLog);
  } catch (error) {
    await down(consortium, { purge: false }, faultLog).catch(() => undefined);
    throw error;
  }
}
