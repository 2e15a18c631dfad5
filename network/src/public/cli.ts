/** What the npm commands share: flags and --help, the role commands, organisation:add, the errors they report. */
export {
  DEFAULT_DEFINITION,
  DEFINITION_FLAG,
  definitionFrom,
  helpText,
  parseFlags,
  requiredFlag,
  runMain,
  usageLine,
} from '../cli-args';
export {
  isRoleName,
  memberPropose,
  memberSubmit,
  organisationInit,
  parseRoleFlags,
  roleHelp,
  ROLES,
  RoleUsageError,
  type RoleName,
} from '../roles';
export { addOrganisation } from '../joining';
export { addCentreToOrganisation, CentreAddError, type NewCentre } from '../centre-add';
export { ConfigUpdateRejected, JoinError } from '../errors';
