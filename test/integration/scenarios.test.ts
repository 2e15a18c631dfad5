import { defineChaincodeScenarios } from '../scenarios/chaincode-scenarios';
import { fabricBackend } from '../support/fabric-backend';

/** The shared chaincode scenarios on the real network; `chaincode/test/scenarios.test.ts` runs them on the fake. */
defineChaincodeScenarios(fabricBackend);
