/** The consortium definition, organisation files, the data dir and where things live in it. */
export {
  DefinitionError,
  loadDefinition,
  readDefinitionContent,
  readJoinedCentres,
  validateDefinition,
  withCentres,
} from '../definition';
export type { CentreEntry, Consortium, OrgDefinition } from '../definition';
export { readOrganisationFile, OrganisationFileError, type OrganisationFile } from '../organisation-file';
export { claimDataDir, DATA_DIR_MARKER, purgeDataDir, purgeRefusal, PurgeRefusedError } from '../data-dir';
export { Layout, REPO_ROOT } from '../layout';
