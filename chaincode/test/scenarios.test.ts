import { defineChaincodeScenarios } from '../../test/scenarios/chaincode-scenarios';
import { fakeBackend } from './fake-backend';

/** The shared chaincode scenarios on the fake stub; `test/integration/scenarios.test.ts` runs them on Fabric. */
defineChaincodeScenarios(fakeBackend);
