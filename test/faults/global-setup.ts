import { Network, Runtime } from '../../network';
import { FAULT_DEFINITION, faultConsortium, faultLog } from './support/network';

/**
 * One fresh 3-orderer consortium for the fault suite, started as `npm start -- --detach` starts it: a
 * detached supervisor process brings it up and keeps it running, so the restarts the cases observe
 * are the supervisor's, with no human (and no test) restarting anything.
 */
export default async function globalSetup(): Promise<void> {
  faultLog('fresh fault-suite network (3 Raft orderers), supervised');
  await new Network(faultConsortium({ includeJoined: false }), { log: faultLog }).down({ purge: true });
  const consortium = faultConsortium();
  try {
    await Runtime.startDetached(consortium, { definitionFile: FAULT_DEFINITION, log: faultLog });
  } catch (error) {
    await new Network(consortium, { log: faultLog }).down({ purge: false }).catch(() => undefined);
    throw error;
  }
}
