import { Network } from '../../network';
import { faultConsortium, faultLog } from './support/network';

/** Stops the supervisor first, then every process of the network (by PID); the data dir stays for a post-mortem. */
export default async function globalTeardown(): Promise<void> {
  await new Network(faultConsortium({ includeJoined: false }), { log: faultLog }).down({ purge: false });
}
