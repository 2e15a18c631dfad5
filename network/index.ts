/**
 * The network package's public surface: what scripts/ and test/ import. Nothing else under
 * network/src is imported from outside network/.
 */
export { claimDataDir, purgeDataDir, purgeRefusal, PurgeRefusedError, DATA_DIR_MARKER } from './src/data-dir';
export {
  validateDefinition,
  withCentres,
  type CentreEntry,
  type Consortium,
  type OrgDefinition,
} from './src/definition';
export { ensureFabric, type FabricInstall } from './src/fabric-bin';
export {
  newOrdererHost,
  newPeerHost,
  packageIdOf,
  type OrdererHost,
  type PeerHost,
  type HostOptions,
} from './src/host';
export { REPO_ROOT, Layout } from './src/layout';
export { withOrg, connectOrg } from './src/org-client';
export { readOrganisationFile, OrganisationFileError, type OrganisationFile } from './src/organisation-file';
export { recordedNames, stopAll } from './src/processes';
export {
  centreEntryOf,
  organisationInit,
  organisationJoin,
  organisationServe,
  roleHelp,
  isRoleName,
  memberApprove,
  memberCommit,
  memberPropose,
  memberSign,
  memberSubmit,
  parseRoleFlags,
  roleUsage,
  ROLES,
  RoleUsageError,
  type RoleEnv,
  type RoleFlags,
  type RoleName,
} from './src/roles';
export {
  DEFAULT_DEFINITION,
  DEFINITION_FLAG,
  definitionFrom,
  helpText,
  parseFlags,
  runMain,
  usageLine,
  type CommandSpec,
} from './src/cli-args';
export { chaincodeServerName, ensurePackage, startChaincodeServer } from './src/chaincode-deploy';
export { readSupervisorState, startConsortium, startDetached, startSupervised } from './src/consortium';
export { DefinitionError, loadDefinition, readDefinitionContent, readJoinedCentres } from './src/definition';
export { describeInstall } from './src/fabric-bin';
export { FabricCli } from './src/fabric-cli';
export {
  gatewayDir,
  gatewayInfo,
  gatewayProcessName,
  startGateway,
  waitGatewayReady,
  type GatewayInfo,
} from './src/gateways';
export { addOrganisation } from './src/joining';
export { ConfigUpdateRejected, JoinError } from './src/errors';
export { Network, type Log, type NetworkStatus, type NodeStatus, type UpResult } from './src/network';
export { isRaftLeader, peerHeight, peerProcessName } from './src/nodes';
export { type OrgConnection } from './src/org-client';
export { pollUntil, sleep } from './src/poll';
export { forgetProcess, nodeVersionOf, runningProcess, runningProcesses, stopProcess } from './src/processes';
export { SUPERVISOR_NAME, setHold, type RestartEvent } from './src/supervisor';
export { unitsFor, type UnitTarget } from './src/systemd';
