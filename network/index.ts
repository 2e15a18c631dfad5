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
export { initRegistry } from './src/network';
export { withOrg, connectOrg } from './src/org-client';
export { readOrganisationFile, OrganisationFileError, type OrganisationFile } from './src/organisation-file';
export { recordedNames, stopAll } from './src/processes';
export {
  centreEntryOf,
  centreJoin,
  centreServe,
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
export { DEFAULT_DEFINITION, definitionFrom, parseFlags, runMain } from './src/cli-args';
