import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The request types in generated/openapi-types.d.ts come from src/openapi.yaml: they must not drift. */
describe('OpenAPI request types', () => {
  it('generated/openapi-types.d.ts is what `npm run openapi:types -w gateway` makes of src/openapi.yaml', () => {
    const gateway = path.resolve(__dirname, '..');
    const committed = path.join(gateway, 'generated', 'openapi-types.d.ts');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'openapi-types-'));
    try {
      const generated = path.join(dir, 'openapi-types.d.ts');
      const bin = (pkg: string, file: string): string =>
        path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);
      const run = (script: string, args: readonly string[], input?: string): string =>
        execFileSync(process.execPath, [script, ...args], {
          input,
          encoding: 'utf8',
          stdio: ['pipe', 'pipe', 'ignore'],
        });
      run(bin('openapi-typescript', 'bin/cli.js'), [
        path.join(gateway, 'src', 'openapi.yaml'),
        '-o',
        generated,
      ]);
      // Formatted as the repository formats it (its prettier config, for the committed file's path).
      const expected = run(
        bin('prettier', 'bin/prettier.cjs'),
        ['--stdin-filepath', committed],
        readFileSync(generated, 'utf8'),
      );
      expect(readFileSync(committed, 'utf8')).toBe(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
