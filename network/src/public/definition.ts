/** The consortium definition, organisation files, the data dir and where things live in it. */
export {
  centresOf,
  DefinitionError,
  loadDefinition,
  readDefinitionContent,
  readJoinedCentres,
  validateDefinition,
  withCentres,
} from '../definition';
export type { CentreDefinition, CentreEntry, Consortium, OrgDefinition } from '../definition';
export { nationalDefinition, openApiWithCentreCodes } from '../centre-table';
export { readOrganisationFile, OrganisationFileError, type OrganisationFile } from '../organisation-file';
export { claimDataDir, DATA_DIR_MARKER, purgeDataDir, purgeRefusal, PurgeRefusedError } from '../data-dir';
export { Layout, REPO_ROOT } from '../layout';
