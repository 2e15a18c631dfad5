import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Cli, Definition } from '../index';
import { eachLimited } from '../src/poll';

const run = promisify(execFile);

/** The npm commands that take flags: each must answer --help with its usage and every flag's default. */
const WITH_FLAGS =
  /^(network:|organisation:|member:|consortium:info$|bench$|systemd:units$|rehearse:hosts$|start$)/;

function commands(): [string, string[]][] {
  const pkg = JSON.parse(readFileSync(path.join(Definition.REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  return Object.entries(pkg.scripts)
    .filter(([name]) => WITH_FLAGS.test(name))
    .map(([name, script]): [string, string[]] => {
      // The script's last step (after any `npm run build &&`): `tsx FILE [ROLE]`.
      const last = script.split('&&').pop()?.trim() ?? '';
      const [tool, ...args] = last.split(/\s+/);
      if (tool !== 'tsx') throw new Error(`${name}: expected a tsx script, got ${last}`);
      return [name, args];
    });
}

describe('--help', () => {
  const spec = {
    command: 'npm run demo',
    summary: 'A demo command.',
    flags: {
      definition: {
        type: 'string',
        arg: 'FILE',
        help: 'the definition',
        defaultText: 'network/consortium.yaml',
      },
      count: { type: 'string', arg: 'N', default: '3', help: 'how many' },
      code: { type: 'string', arg: 'CODE', required: true, help: 'the code' },
      json: { type: 'boolean', help: 'as JSON' },
    },
  } as const;

  it('lists the usage and every flag with its default', () => {
    const text = Cli.helpText(spec);
    expect(text).toContain('usage: npm run demo -- [--definition FILE] [--count N] --code CODE [--json]');
    expect(text).toMatch(/--definition FILE +the definition \(default: network\/consortium\.yaml\)/);
    expect(text).toMatch(/--count N +how many \(default: 3\)/);
    expect(text).toMatch(/--code CODE +the code \(default: none, required\)/);
    expect(text).toMatch(/--json +as JSON \(default: false\)/);
    expect(text).toMatch(/--help +print this help and exit \(default: false\)/);
  });

  it('gives booleans false and leaves absent strings undefined', () => {
    expect(Cli.parseFlags(spec, ['--code', '1'])).toEqual({ code: '1', count: '3', json: false });
  });

  it('describes a role command with every flag it requires', () => {
    const text = Cli.roleHelp('organisation:join');
    for (const flag of ['definition', 'data-dir', 'centre-file', 'orderer-file', 'package-id', 'sequence']) {
      expect(text).toMatch(new RegExp(`--${flag} [A-Z]+ .*\\(default: none, required\\)`));
    }
  });

  it('is answered by every npm command that takes flags, with exit 0', async () => {
    const list = commands();
    expect(list.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'network:up',
        'network:down',
        'network:status',
        'organisation:init',
        'organisation:add',
        'organisation:join',
        'organisation:serve',
        'member:propose',
        'member:commit',
        'consortium:info',
        'bench',
        'systemd:units',
        'rehearse:hosts',
      ]),
    );
    const tsx = path.join(Definition.REPO_ROOT, 'node_modules', '.bin', 'tsx');
    const failures: string[] = [];
    await eachLimited(list, 3, async ([name, args]) => {
      // execFile rejects on a non-zero exit, so a resolved call is exit 0.
      const { stdout } = await run(tsx, [...args, '--help'], { cwd: Definition.REPO_ROOT, timeout: 60_000 });
      const flagLines = stdout.split('\n').filter((line) => line.startsWith('  --'));
      if (!stdout.startsWith(`usage: npm run ${name}`) && !stdout.startsWith(`usage: npm ${name}`)) {
        failures.push(`${name}: no usage line`);
      }
      if (flagLines.length < 2 || flagLines.some((line) => !/\(default: [^)]+\)$/.test(line))) {
        failures.push(`${name}: a flag without its default`);
      }
    });
    expect(failures).toEqual([]);
  }, 300_000);
});
