import { ensureFabric, parseRoleFlags, ROLES, RoleUsageError, runMain, type RoleName } from '../network';

/**
 * `npm run member:<propose|sign|submit|approve|commit>` and `npm run centre:<join|serve>`: one
 * organisation's step of admitting a centre, run on its own host over its own data dir, exchanging
 * only files (see network/src/roles.ts). The first argument (set by the npm script) names the role.
 */
const role = process.argv[2] ?? '';
let flags;
try {
  flags = parseRoleFlags(role, process.argv.slice(3));
} catch (error) {
  if (!(error instanceof RoleUsageError)) throw error;
  console.error(error.message);
  process.exit(2);
}
const parsed = flags;

runMain(async () => {
  const fabric = await ensureFabric(() => undefined);
  const result = await ROLES[role as RoleName]({ fabric, log: console.log }, parsed);
  if (typeof result === 'string') console.log(result);
});
