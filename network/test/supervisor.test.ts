import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sleep } from '../src/poll';
import { runningProcess, startProcess, stopProcess, type ProcessSpec } from '../src/processes';
import { setHold, Supervisor, supervisorStateFile, type SupervisorState } from '../src/supervisor';

/** The supervisor against real (tiny) processes: it restarts by PID record, logs why, and gives up on a crash loop. */

// Real processes on a shared, busy machine: allow more than Jest's default 5 s.
jest.setTimeout(30_000);

let dataDir: string;
let lines: string[];

function spec(name: string, command: string, args: string[]): ProcessSpec {
  return { name, command, args, env: { PATH: '/usr/bin:/bin' }, cwd: dataDir };
}

function supervisor(specs: ProcessSpec[], maxRestartsPerMinute = 3): Supervisor {
  return new Supervisor({
    dataDir,
    specs,
    log: (line) => lines.push(line),
    pollMs: 20,
    initialBackoffMs: 20,
    maxBackoffMs: 200,
    maxRestartsPerMinute,
  });
}

/** Waits (bounded) until `check` holds. */
async function eventually(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`not reached within ${timeoutMs} ms; log:\n${lines.join('\n')}`);
    await sleep(20);
  }
}

function state(): SupervisorState {
  return JSON.parse(readFileSync(supervisorStateFile(dataDir), 'utf8')) as SupervisorState;
}

beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'hpf-supervisor-'));
  lines = [];
});

afterEach(async () => {
  await stopProcess(dataDir, 'sleeper', 1_000);
  await stopProcess(dataDir, 'crasher', 1_000);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Supervisor', () => {
  it('restarts a SIGKILLed process and logs the signal', async () => {
    const sleeper = spec('sleeper', '/bin/sleep', ['30']);
    const first = startProcess(dataDir, sleeper).pid;
    const s = supervisor([sleeper]);
    s.start();
    try {
      process.kill(first, 'SIGKILL');
      await eventually(() => (runningProcess(dataDir, 'sleeper')?.pid ?? first) !== first);
      expect(lines.join('\n')).toMatch(/sleeper \(pid \d+\) exited: killed by signal SIGKILL; restarting in/);
      expect(lines.join('\n')).toMatch(
        /restarted sleeper \(pid \d+; was pid \d+, killed by signal SIGKILL\); restart 1/,
      );
      await eventually(() => state().restarts.length === 1);
      expect(state()).toMatchObject({
        phase: 'running',
        processes: [{ name: 'sleeper', state: 'RUNNING', restarts: 1 }],
        restarts: [{ name: 'sleeper', oldPid: first, reason: 'killed by signal SIGKILL' }],
      });
    } finally {
      s.stop();
    }
    expect(state().phase).toBe('stopped');
  });

  it('gives up after the bounded number of restarts a minute and reports FAILED with the exit code', async () => {
    const crasher = spec('crasher', '/bin/sh', ['-c', 'exit 3']);
    startProcess(dataDir, crasher);
    const s = supervisor([crasher], 3);
    s.start();
    try {
      await eventually(() => s.status()[0]?.state === 'FAILED');
      expect(s.status()[0]).toMatchObject({ restarts: 3, lastReason: 'exit code 3' });
      expect(lines.filter((l) => l.includes('restarted crasher'))).toHaveLength(3);
      expect(lines.join('\n')).toMatch(
        /crasher .* exited: exit code 3; FAILED after 3 restarts within a minute/,
      );
      // The backoff doubles: 20, 40, 80 ms before restarts 1, 2, 3.
      expect(lines.filter((l) => l.includes('restarting in'))).toHaveLength(3);
      const restartsBefore = lines.length;
      await sleep(300);
      expect(lines).toHaveLength(restartsBefore); // FAILED is final: nothing more is tried
    } finally {
      s.stop();
    }
  });

  it('leaves a held process stopped until the hold is released', async () => {
    const sleeper = spec('sleeper', '/bin/sleep', ['30']);
    const first = startProcess(dataDir, sleeper).pid;
    const s = supervisor([sleeper]);
    s.start();
    try {
      setHold(dataDir, 'sleeper', true);
      process.kill(first, 'SIGKILL');
      await eventually(() => s.status()[0]?.state === 'HELD');
      await sleep(200);
      expect(runningProcess(dataDir, 'sleeper')).toBeNull();
      setHold(dataDir, 'sleeper', false);
      await eventually(() => runningProcess(dataDir, 'sleeper') !== null);
      expect(s.status()[0]).toMatchObject({ state: 'RUNNING', restarts: 1, lastReason: 'hold released' });
    } finally {
      s.stop();
    }
  });
});
