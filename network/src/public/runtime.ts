/**
 * What runs: the Fabric install and clients, processes and their supervision, gateways, chaincode
 * servers, node probes, systemd units, and the shapes `Network` reports.
 */
export { describeInstall, ensureFabric, type FabricInstall } from '../fabric-bin';
export { FabricCli } from '../fabric-cli';
export { connectOrg, withOrg, type OrgConnection } from '../org-client';
export {
  forgetProcess,
  nodeVersionOf,
  recordedNames,
  runningProcess,
  runningProcesses,
  stopAll,
  stopProcess,
} from '../processes';
export {
  chaincodeServerName,
  chaincodeServerSpec,
  ensurePackage,
  startChaincodeServer,
} from '../chaincode-deploy';
export { readSupervisorState, startConsortium, startDetached, startSupervised } from '../consortium';
export {
  gatewayDir,
  gatewayInfo,
  gatewayProcessName,
  readAddedCentres,
  startGateway,
  waitGatewayReady,
  type CentreInfo,
  type GatewayInfo,
} from '../gateways';
export type { Log, NodeStatus } from '../network';
export { isRaftLeader, peerHeight, peerProcessName } from '../nodes';
export { pollUntil, sleep } from '../poll';
export { SUPERVISOR_NAME, setHold, type RestartEvent } from '../supervisor';
export { unitsFor, type UnitTarget } from '../systemd';
