import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  alive,
  describeExit,
  exitInfo,
  recordedPid,
  spawnedHere,
  runningProcess,
  startProcess,
  type ProcessSpec,
} from './processes';

/**
 * Keeps the processes of the local consortium running: every `pollMs` it checks each supervised
 * process through its PID record (processes.ts: PID alive and still running the recorded command), and
 * restarts one that is gone after an exponential backoff. More than `maxRestartsPerMinute` restarts of
 * one process within a minute mark it FAILED: it is reported and left alone (a crash loop needs a human).
 * Every exit and restart is logged with its reason (exit code or signal, when this process started it).
 *
 * A process can be put on hold (`hold(name)`, or a file `<dataDir>/supervisor/hold/<name>`): the
 * supervisor then leaves it stopped until the hold is released, so that an operator (or the fault
 * suite) can keep a node down on purpose.
 */

export type SupervisedState = 'RUNNING' | 'BACKOFF' | 'HELD' | 'FAILED';

export interface RestartEvent {
  readonly name: string;
  readonly at: string;
  readonly reason: string;
  readonly oldPid: number | null;
  readonly newPid: number | null;
}

export interface ProcessStatus {
  readonly name: string;
  readonly state: SupervisedState;
  readonly pid: number | null;
  readonly restarts: number;
  readonly lastReason: string | null;
}

export interface SupervisorState {
  readonly supervisorPid: number;
  readonly phase: 'starting' | 'running' | 'failed' | 'stopped';
  readonly updatedAt: string;
  readonly error?: string;
  readonly processes: readonly ProcessStatus[];
  readonly restarts: readonly RestartEvent[];
}

export interface SupervisorOptions {
  readonly dataDir: string;
  readonly specs: readonly ProcessSpec[];
  readonly log?: (line: string) => void;
  readonly pollMs?: number;
  /** First restart delay; doubled for every restart of that process within the last minute. */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly maxRestartsPerMinute?: number;
}

export const SUPERVISOR_NAME = 'supervisor';
const MINUTE_MS = 60_000;
const EXIT_EVENT_WAIT_MS = 2_000;
/** At most this many restart events are kept in the state file (the log keeps them all). */
const MAX_EVENTS = 200;

export function supervisorDir(dataDir: string): string {
  return path.join(dataDir, 'supervisor');
}

export function supervisorStateFile(dataDir: string): string {
  return path.join(supervisorDir(dataDir), 'state.json');
}

export function holdFile(dataDir: string, name: string): string {
  return path.join(supervisorDir(dataDir), 'hold', name);
}

interface Watched {
  readonly spec: ProcessSpec;
  state: SupervisedState;
  pid: number | null;
  restarts: number;
  /** Times (ms) of this process's restarts, for the per-minute bound and the backoff. */
  recent: number[];
  restartAt: number;
  /** When the process was first seen gone while its exit event had not arrived yet. */
  goneSince: number | null;
  lastReason: string | null;
}

export class Supervisor {
  readonly #options: Required<Omit<SupervisorOptions, 'specs'>> & { specs: readonly ProcessSpec[] };
  readonly #watched: Watched[];
  readonly #events: RestartEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  #phase: SupervisorState['phase'] = 'starting';
  #error: string | undefined;

  constructor(options: SupervisorOptions) {
    this.#options = {
      log: (line) => console.log(line),
      pollMs: 500,
      initialBackoffMs: 1_000,
      maxBackoffMs: 30_000,
      maxRestartsPerMinute: 5,
      ...options,
    };
    this.#watched = options.specs.map((spec) => ({
      spec,
      state: 'RUNNING',
      pid: recordedPid(options.dataDir, spec.name),
      restarts: 0,
      recent: [],
      restartAt: 0,
      goneSince: null,
      lastReason: null,
    }));
  }

  /** Starts watching (the processes are expected to be running already). */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#phase = 'running';
    this.#writeState();
    this.#options.log(
      `[supervisor] watching ${this.#watched.length} processes (at most ${this.#options.maxRestartsPerMinute} restarts a minute each)`,
    );
    this.#timer = setInterval(() => this.tick(Date.now()), this.#options.pollMs);
  }

  /** Stops watching; the supervised processes keep running (`down` stops them). */
  stop(phase: 'stopped' | 'failed' = 'stopped', error?: string): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#phase = phase;
    this.#error = error;
    this.#writeState();
  }

  /** Marks the whole start as failed in the state file (a detached `npm start` reads it). */
  static reportFailure(dataDir: string, error: string): void {
    const state: SupervisorState = {
      supervisorPid: process.pid,
      phase: 'failed',
      updatedAt: new Date().toISOString(),
      error,
      processes: [],
      restarts: [],
    };
    writeStateFile(dataDir, state);
  }

  status(): ProcessStatus[] {
    return this.#watched.map((w) => ({
      name: w.spec.name,
      state: w.state,
      pid: w.pid,
      restarts: w.restarts,
      lastReason: w.lastReason,
    }));
  }

  /** One round of checks; called by the timer, and directly by tests. */
  tick(now: number): void {
    let changed = false;
    for (const w of this.#watched) {
      changed = this.#check(w, now) || changed;
    }
    if (changed) this.#writeState();
  }

  #held(name: string): boolean {
    return existsSync(holdFile(this.#options.dataDir, name));
  }

  #check(w: Watched, now: number): boolean {
    if (w.state === 'FAILED') return false;
    if (w.state === 'RUNNING') return this.#checkRunning(w, now);
    if (this.#held(w.spec.name)) return this.#hold(w, now);
    if (w.state === 'HELD') {
      // Released: restart at once (the hold, not a crash, kept it down).
      w.restartAt = now;
      w.state = 'BACKOFF';
      w.lastReason = 'hold released';
    }
    if (now < w.restartAt) return false;
    this.#restart(w, now);
    return true;
  }

  /** True when the process is gone for good (not just exec-ing, not an exit event still to come). */
  #gone(w: Watched, now: number): boolean {
    const running = runningProcess(this.#options.dataDir, w.spec.name);
    if (running !== null) {
      w.pid = running.pid;
      return false;
    }
    // Just started, its command line may still be the launching shell's: alive is enough.
    if (w.pid !== null && alive(w.pid)) return false;
    // Our own child: its exit event (code or signal) follows the exit within a moment; wait for it.
    if (w.pid !== null && spawnedHere(w.pid) && exitInfo(w.pid) === undefined) {
      w.goneSince ??= now;
      if (now - w.goneSince < EXIT_EVENT_WAIT_MS) return false;
    }
    w.goneSince = null;
    return true;
  }

  #checkRunning(w: Watched, now: number): boolean {
    if (!this.#gone(w, now)) return false;
    const { log } = this.#options;
    const name = w.spec.name;
    const reason = describeExit(w.pid === null ? undefined : exitInfo(w.pid));
    w.lastReason = reason;
    w.recent = w.recent.filter((t) => now - t < MINUTE_MS);
    if (w.recent.length >= this.#options.maxRestartsPerMinute) {
      w.state = 'FAILED';
      log(
        `[supervisor] ${new Date(now).toISOString()} ${name} (pid ${String(w.pid)}) exited: ${reason}; FAILED after ${w.recent.length} restarts within a minute, not restarting it`,
      );
      this.#push({
        name,
        at: new Date(now).toISOString(),
        reason: `FAILED: ${reason}`,
        oldPid: w.pid,
        newPid: null,
      });
      return true;
    }
    const delay = Math.min(this.#options.maxBackoffMs, this.#options.initialBackoffMs * 2 ** w.recent.length);
    w.state = 'BACKOFF';
    w.restartAt = now + delay;
    log(
      `[supervisor] ${new Date(now).toISOString()} ${name} (pid ${String(w.pid)}) exited: ${reason}; restarting in ${(delay / 1000).toFixed(1)} s`,
    );
    return true;
  }

  #hold(w: Watched, now: number): boolean {
    if (w.state === 'HELD') return false;
    w.state = 'HELD';
    this.#options.log(
      `[supervisor] ${new Date(now).toISOString()} ${w.spec.name} is on hold: not restarting it`,
    );
    return true;
  }

  #restart(w: Watched, now: number): void {
    const { dataDir, log } = this.#options;
    const name = w.spec.name;
    const oldPid = w.pid;
    try {
      mkdirSync(w.spec.cwd, { recursive: true });
      const { pid } = startProcess(dataDir, w.spec);
      w.pid = pid;
      w.state = 'RUNNING';
      w.restarts += 1;
      w.recent.push(now);
      log(
        `[supervisor] ${new Date(now).toISOString()} restarted ${name} (pid ${pid}; was pid ${String(oldPid)}, ${w.lastReason ?? ''}); restart ${w.restarts}`,
      );
      this.#push({ name, at: new Date(now).toISOString(), reason: w.lastReason ?? '', oldPid, newPid: pid });
    } catch (error) {
      // Could not even spawn: counts as a failed restart, retried after the next backoff.
      w.recent.push(now);
      w.lastReason = `could not start: ${String(error)}`;
      w.state = 'RUNNING';
      w.pid = null;
      log(`[supervisor] ${new Date(now).toISOString()} ${name}: ${w.lastReason}`);
    }
  }

  #push(event: RestartEvent): void {
    this.#events.push(event);
    if (this.#events.length > MAX_EVENTS) this.#events.shift();
  }

  #writeState(): void {
    writeStateFile(this.#options.dataDir, {
      supervisorPid: process.pid,
      phase: this.#phase,
      updatedAt: new Date().toISOString(),
      ...(this.#error === undefined ? {} : { error: this.#error }),
      processes: this.status(),
      restarts: [...this.#events],
    });
  }
}

function writeStateFile(dataDir: string, state: SupervisorState): void {
  const file = supervisorStateFile(dataDir);
  mkdirSync(path.dirname(file), { recursive: true });
  // Written whole and renamed, so a reader never sees a torn file.
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
}

/** Puts a process on hold (the supervisor leaves it stopped) or releases it. */
export function setHold(dataDir: string, name: string, held: boolean): void {
  const file = holdFile(dataDir, name);
  if (held) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '');
  } else {
    rmSync(file, { force: true });
  }
}
