import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { MINIMUM_NODE_VERSION, oldNodeMessage } from '../src/node-version';

describe('the Node version the gateway needs', () => {
  it('accepts the minimum and anything newer', () => {
    expect(oldNodeMessage(`v${MINIMUM_NODE_VERSION}`, '/n')).toBeUndefined();
    expect(oldNodeMessage('v24.21.0', '/n')).toBeUndefined();
    expect(oldNodeMessage('v25.0.0', '/n')).toBeUndefined();
    expect(oldNodeMessage('v26.10.0', '/n')).toBeUndefined();
  });

  it('names the required Node, the one running and how to start it, for an older Node', () => {
    for (const old of ['v20.20.2', 'v22.12.0', 'v24.10.9']) {
      const message = oldNodeMessage(old, '/usr/bin/node');
      expect(message).toContain(`Node >= ${MINIMUM_NODE_VERSION}`);
      expect(message).toContain(`Node ${old} (/usr/bin/node)`);
      expect(message).toContain('node_modules/.bin/node gateway/dist/main.js');
    }
  });

  it('is imported before anything else by the entry point', () => {
    // The check only helps if it runs before main.ts's other imports load node:sqlite.
    const compiled = spawnSync(process.execPath, [
      '-e',
      "process.stdout.write(require('typescript').transpileModule(require('fs').readFileSync(process.argv[1], 'utf8'), { compilerOptions: { module: 1 } }).outputText)",
      join(__dirname, '..', 'src', 'main.ts'),
    ]);
    const requires = [...compiled.stdout.toString().matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(requires[0]).toBe('./node-version');
    expect(requires.length).toBeGreaterThan(1);
  });
});
