/**
 * The gateway's first import. It needs Node ≥ 24.11 (the first Node 24 LTS): `node:sqlite` for the
 * ledger index and `require()` of the ES-module-only `@noble/*` packages under fabric-gateway. npm
 * scripts run it on the project's own Node, but `node gateway/dist/main.js` typed by hand runs the
 * system Node, which may be older: then the gateway stops here with a message naming the Node it
 * needs, instead of failing later on a missing module.
 */
export const MINIMUM_NODE_VERSION = '24.11.0';

/** The message for a Node older than MINIMUM_NODE_VERSION; undefined when `version` is recent enough. */
export function oldNodeMessage(version: string, execPath: string): string | undefined {
  const have = version.replace(/^v/, '').split('.').map(Number);
  const need = MINIMUM_NODE_VERSION.split('.').map(Number);
  for (let i = 0; i < need.length; i += 1) {
    const a = have[i] ?? 0;
    const b = need[i] ?? 0;
    if (a !== b) {
      return a > b
        ? undefined
        : `the HPF gateway needs Node >= ${MINIMUM_NODE_VERSION} (node:sqlite); this is Node ${version} (${execPath}). ` +
            'Start it through npm (`npm start -w gateway`), with the Node that `npm ci` installed ' +
            '(`node_modules/.bin/node gateway/dist/main.js`), or install Node 24 (.nvmrc names the version).\n';
    }
  }
  return undefined;
}

const problem = oldNodeMessage(process.version, process.execPath);
if (problem !== undefined) {
  process.stderr.write(problem);
  process.exit(1);
}
