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
export { claimDataDir, purgeDataDir } from '../data-dir';
export { REPO_ROOT } from '../layout';
/** A type only: the layout comes from `new Network(consortium).layout` (or a host's `layout`). */
export type { Layout } from '../layout';
