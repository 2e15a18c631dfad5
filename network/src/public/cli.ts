/** What the npm commands share: flags and --help, the role commands, organisation:add, the errors they report. */
export {
  DEFAULT_DEFINITION,
  DEFINITION_FLAG,
  definitionFrom,
  helpText,
  parseFlags,
  runMain,
  usageLine,
  type CommandSpec,
} from '../cli-args';
export {
  centreEntryOf,
  isRoleName,
  memberApprove,
  memberCommit,
  memberPropose,
  memberSign,
  memberSubmit,
  organisationInit,
  organisationJoin,
  organisationServe,
  parseRoleFlags,
  roleHelp,
  ROLES,
  roleUsage,
  RoleUsageError,
  type RoleEnv,
  type RoleFlags,
  type RoleName,
} from '../roles';
export { addOrganisation } from '../joining';
export { ConfigUpdateRejected, JoinError } from '../errors';
