import { Cli, Runtime } from '../network';

/**
 * `npm run member:<propose|sign|submit|approve|commit>` and `npm run organisation:<join|serve>`: one
 * organisation's step of admitting a centre, run on its own host over its own data dir, exchanging
 * only files (see network/src/roles.ts). The first argument (set by the npm script) names the role.
 */
const role = process.argv[2] ?? '';
const args = process.argv.slice(3);
if (!Cli.isRoleName(role)) {
  console.error(`unknown role command ${role}`);
  process.exit(2);
}
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(Cli.roleHelp(role));
  process.exit(0);
}
let flags;
try {
  flags = Cli.parseRoleFlags(role, args);
} catch (error) {
  if (!(error instanceof Cli.RoleUsageError)) throw error;
  console.error(error.message);
  process.exit(2);
}
const parsed = flags;

Cli.runMain(async () => {
  const fabric = await Runtime.ensureFabric(() => undefined);
  const result = await Cli.ROLES[role]({ fabric, log: console.log }, parsed);
  if (typeof result === 'string') console.log(result);
});
