import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Cli, Definition } from '../network';

/**
 * `npx tsx scripts/centre-table.ts [--check]`: regenerates what the table of centre codes
 * (chaincode/src/domain/centre-codes.ts) determines: network/consortium-national.yaml and the
 * OpenAPI CentreCode enum and TransferId pattern. `--check` changes nothing and fails if one is stale.
 */
const flags = Cli.parseFlags({
  command: 'npx tsx scripts/centre-table.ts',
  summary:
    'Regenerates network/consortium-national.yaml and the OpenAPI centre codes from the table of centre codes.',
  flags: {
    check: { type: 'boolean', default: false, help: 'change nothing; fail if a generated file is stale' },
  },
});

Cli.runMain(() => {
  const national = path.join(Definition.REPO_ROOT, 'network', 'consortium-national.yaml');
  const openapi = path.join(Definition.REPO_ROOT, 'gateway', 'src', 'openapi.yaml');
  const targets: [string, string][] = [
    [national, Definition.nationalDefinition()],
    [openapi, Definition.openApiWithCentreCodes(readFileSync(openapi, 'utf8'))],
  ];
  const stale = targets.filter(([file, text]) => readFileSync(file, 'utf8') !== text);
  if (flags.check) {
    if (stale.length > 0) {
      throw new Error(
        `stale: ${stale.map(([file]) => path.relative(Definition.REPO_ROOT, file)).join(', ')}`,
      );
    }
    console.log('centre table: generated files are current');
    return Promise.resolve();
  }
  for (const [file, text] of stale) {
    writeFileSync(file, text);
    console.log(`wrote ${path.relative(Definition.REPO_ROOT, file)}`);
  }
  return Promise.resolve();
});
