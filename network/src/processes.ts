import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { sleep } from './poll';
import { pidRecordSchema, readState, type PidRecord } from './state-store';

/**
 * Long-running processes of the local consortium (orderers, peers, chaincode servers, gateways).
 * Each is started detached with its output in `<dataDir>/logs/<name>.log`, and recorded in
 * `<dataDir>/pids/<name>.json` with its PID and the executable it runs. We only ever signal a PID
 * whose command line still matches that record, so a recycled PID is never touched.
 *
 * Command lines and states come from `ps` (procps on Linux, BSD ps on macOS; both read the same
 * `-o pid=,stat=,args=`), not from /proc, which macOS does not have.
 */

export interface ProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /**
   * A network namespace to run in (`ip netns exec`, which execs the command in place, so the PID and
   * its command line are the command's own). Only the host rehearsal sets it.
   */
  readonly netns?: string;
}

export interface RunningProcess {
  readonly name: string;
  readonly pid: number;
  /** When we started it (ISO-8601), from its PID record. */
  readonly startedAt: string;
}

/** How a child of this process ended, as its 'exit' event told it (code, or the signal that killed it). */
export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Exits of the processes this Node process spawned, by PID (the supervisor reads them to log a reason). */
const exits = new Map<number, ExitInfo>();

/** PIDs this Node process spawned (their exit will be reported through {@link exitInfo}). */
const spawned = new Set<number>();

export function spawnedHere(pid: number): boolean {
  return spawned.has(pid);
}

/** How the process with this PID ended, if this Node process started it and saw it exit. */
export function exitInfo(pid: number): ExitInfo | undefined {
  return exits.get(pid);
}

export function describeExit(info: ExitInfo | undefined): string {
  if (info === undefined) return 'exit status unknown (not started by this process)';
  return info.signal !== null ? `killed by signal ${info.signal}` : `exit code ${String(info.code)}`;
}

function pidDir(dataDir: string): string {
  return path.join(dataDir, 'pids');
}

export function logFile(dataDir: string, name: string): string {
  return path.join(dataDir, 'logs', `${name}.log`);
}

/** A pid record, or null when there is none; a corrupt one is a StateFileError naming the field. */
function readRecord(file: string): PidRecord | null {
  return readState(file, pidRecordSchema);
}

/** Written whole, then renamed: a reader never sees a torn record. */
function writeRecord(dataDir: string, record: PidRecord): void {
  const file = path.join(pidDir(dataDir), `${record.name}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(record) + '\n');
  renameSync(`${file}.tmp`, file);
}

/** One line of `ps -o pid=,stat=,args=`: a process's state letters and its command line. */
export interface ProcessEntry {
  readonly pid: number;
  /** State letters; the first is R, S, D, T, I, U or Z (a zombie: exited, not yet reaped). */
  readonly stat: string;
  /** argv joined by single spaces. */
  readonly args: string;
}

/** Parses `ps -o pid=,stat=,args=` output (procps and BSD ps print the same columns). */
export function parsePsOutput(output: string): Map<number, ProcessEntry> {
  const entries = new Map<number, ProcessEntry>();
  for (const line of output.split('\n')) {
    const match = /^\s*(\d+)\s+(\S+)(?: (.*))?$/.exec(line);
    if (match === null) continue;
    const pid = Number(match[1]);
    entries.set(pid, { pid, stat: match[2] ?? '', args: (match[3] ?? '').trim() });
  }
  return entries;
}

/**
 * Runs `ps` for `pids` (every process when omitted). `ps` exits 1 when none of the PIDs exists: an
 * empty table, not an error. A missing `ps` is an error that says which package brings it.
 */
function psTable(pids?: readonly number[]): Map<number, ProcessEntry> {
  const selection = pids === undefined ? ['-A'] : ['-p', pids.join(',')];
  const out = spawnSync('ps', ['-ww', '-o', 'pid=,stat=,args=', ...selection], {
    encoding: 'utf8',
    timeout: 10_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (out.error !== undefined) {
    throw new Error(
      `process discovery runs \`ps\`, which failed (${out.error.message}); on Debian or Ubuntu install procps`,
    );
  }
  return parsePsOutput(out.stdout);
}

/**
 * One `ps -A` snapshot answers "does this record's PID still run its command" for a while: the
 * supervisor asks for every process at each 500 ms poll, and a `ps` costs about 10 ms of CPU. A PID
 * must also answer signal 0 at the time of asking, so an exited process is seen at once; a snapshot
 * that does not confirm a live PID is retaken (a process just started or exec'd), and our own start
 * and stop drop it. What a snapshot can keep for up to SNAPSHOT_TTL_MS is only the rare case of a PID
 * that turned into a zombie or was recycled.
 */
const SNAPSHOT_TTL_MS = 2_000;
/** A snapshot younger than this is not retaken, however many records it fails to confirm. */
const SNAPSHOT_RETAKE_MS = 50;
let snapshot: { readonly at: number; readonly table: Map<number, ProcessEntry> } | null = null;

function processTable(maxAgeMs = SNAPSHOT_TTL_MS): Map<number, ProcessEntry> {
  const now = Date.now();
  if (snapshot === null || now - snapshot.at > maxAgeMs || now < snapshot.at) {
    snapshot = { at: now, table: psTable() };
  }
  return snapshot.table;
}

function forgetSnapshot(): void {
  snapshot = null;
}

/** Does a command line (`ps` args) run `command` with `firstArg` ('' matches any) first? */
export function commandLineMatches(args: string, command: string, firstArg: string): boolean {
  const startsWithWord = (text: string, word: string): boolean =>
    text === word || text.startsWith(`${word} `);
  if (!startsWithWord(args, command)) return false;
  return firstArg === '' || startsWithWord(args.slice(command.length + 1), firstArg);
}

function signalZero(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, but belongs to someone else (then it is not ours anyway, the command check says).
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isZombie(entry: ProcessEntry): boolean {
  return entry.stat.startsWith('Z');
}

function runsRecord(entry: ProcessEntry | undefined, record: PidRecord): boolean {
  return (
    entry !== undefined && !isZombie(entry) && commandLineMatches(entry.args, record.command, record.firstArg)
  );
}

/** True when the record's PID is alive and still runs its command (so recycled PIDs don't match). */
function isOurs(record: PidRecord): boolean {
  if (!signalZero(record.pid)) return false;
  return (
    runsRecord(processTable().get(record.pid), record) ||
    runsRecord(processTable(SNAPSHOT_RETAKE_MS).get(record.pid), record)
  );
}

export function runningProcess(dataDir: string, name: string): RunningProcess | null {
  const record = readRecord(path.join(pidDir(dataDir), `${name}.json`));
  return record !== null && isOurs(record) ? { name, pid: record.pid, startedAt: record.startedAt } : null;
}

/** Every process recorded in the data dir that is still ours and alive. */
export function runningProcesses(dataDir: string): RunningProcess[] {
  const dir = pidDir(dataDir);
  if (!existsSync(dir)) {
    return [];
  }
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => readRecord(path.join(dir, file)))
    .filter((record): record is PidRecord => record !== null && isOurs(record))
    .map((record) => ({ name: record.name, pid: record.pid, startedAt: record.startedAt }));
}

/** Starts a process detached unless one of that name is already running; returns its PID. */
export function startProcess(dataDir: string, spec: ProcessSpec): { pid: number; reused: boolean } {
  const running = runningProcess(dataDir, spec.name);
  if (running !== null) {
    return { pid: running.pid, reused: true };
  }
  forgetSnapshot();
  mkdirSync(pidDir(dataDir), { recursive: true });
  mkdirSync(path.dirname(logFile(dataDir, spec.name)), { recursive: true });
  const out = openSync(logFile(dataDir, spec.name), 'a');
  // Peers and orderers hold many files and sockets open: raise the soft limit, then exec the real command.
  const raiseLimit = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"';
  const shell = ['bash', '-c', raiseLimit, 'bash', spec.command, ...spec.args];
  const [program = 'bash', ...programArgs] =
    spec.netns === undefined ? shell : ['ip', 'netns', 'exec', spec.netns, ...shell];
  const child = spawn(program, programArgs, {
    cwd: spec.cwd,
    env: { ...spec.env },
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error(`could not start ${spec.name} (${spec.command})`);
  }
  spawned.add(pid);
  child.once('exit', (code, signal) => exits.set(pid, { code, signal }));
  child.unref();
  const record: PidRecord = {
    name: spec.name,
    pid,
    command: spec.command,
    firstArg: spec.args[0] ?? '',
    startedAt: new Date().toISOString(),
  };
  writeRecord(dataDir, record);
  return { pid, reused: false };
}

/**
 * Records the calling Node process itself under `name` (the supervisor of `npm start`), so that
 * `npm run stop` finds and stops it first, like every other process, by PID and command line.
 */
export function recordSelf(dataDir: string, name: string): void {
  const args = psTable([process.pid]).get(process.pid)?.args ?? process.execPath;
  // argv[0] as this process was started (what `ps` shows first), and the word after it.
  const command = commandLineMatches(args, process.argv0, '') ? process.argv0 : (args.split(' ')[0] ?? args);
  const firstArg = args.slice(command.length + 1).split(' ')[0] ?? '';
  mkdirSync(pidDir(dataDir), { recursive: true });
  const record: PidRecord = {
    name,
    pid: process.pid,
    command,
    firstArg,
    startedAt: new Date().toISOString(),
  };
  writeRecord(dataDir, record);
}

/** Removes a process's record without signalling anything (a supervisor leaving on its own). */
export function forgetProcess(dataDir: string, name: string): void {
  rmSync(path.join(pidDir(dataDir), `${name}.json`), { force: true });
}

/** The PID in a process's record, whether or not it still runs (null without a record). */
export function recordedPid(dataDir: string, name: string): number | null {
  return readRecord(path.join(pidDir(dataDir), `${name}.json`))?.pid ?? null;
}

/** Alive and not a zombie: an exited process whose parent has not reaped it yet is gone for us. */
export function alive(pid: number): boolean {
  if (!signalZero(pid)) return false;
  const entry = psTable([pid]).get(pid);
  return entry !== undefined && !isZombie(entry);
}

/** Stops one recorded process: SIGTERM, up to `graceMs`, then SIGKILL. Removes its record. */
export async function stopProcess(dataDir: string, name: string, graceMs = 10_000): Promise<boolean> {
  const file = path.join(pidDir(dataDir), `${name}.json`);
  const record = readRecord(file);
  let stopped = false;
  if (
    record !== null &&
    record.pid !== process.pid &&
    signalZero(record.pid) &&
    runsRecord(psTable([record.pid]).get(record.pid), record)
  ) {
    forgetSnapshot();
    process.kill(record.pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (alive(record.pid) && Date.now() < deadline) {
      await sleep(100);
    }
    if (alive(record.pid)) {
      process.kill(record.pid, 'SIGKILL');
    }
    stopped = true;
  }
  rmSync(file, { force: true });
  return stopped;
}

/** Stops the named processes in order (callers pass dependants first). */
export async function stopAll(dataDir: string, names: readonly string[]): Promise<string[]> {
  const stopped: string[] = [];
  for (const name of names) {
    if (await stopProcess(dataDir, name)) {
      stopped.push(name);
    }
  }
  return stopped;
}

/** Names of every process record in the data dir, alive or not. */
export function recordedNames(dataDir: string): string[] {
  const dir = pidDir(dataDir);
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -'.json'.length))
    : [];
}

/**
 * PATH for every child process: the directory of the Node running this script first (the project's
 * pinned Node, `node_modules/node-linux-<arch>/bin`, or the system Node on macOS), so that anything a child runs as `node` (the ccaas
 * builder's `release` run by a peer, a gateway's helper) is the same Node as ours, whatever the
 * caller's PATH holds.
 */
export function childPath(): string {
  return [path.dirname(process.execPath), process.env.PATH ?? '/usr/bin:/bin'].join(path.delimiter);
}

const versionByExecutable = new Map<string, string | null>();

/**
 * The executable a command line starts: its longest leading run of words that names a file (argv[0]
 * may hold spaces), looked up on PATH when it has no slash.
 */
export function executableOf(args: string, isFile: (file: string) => boolean = fileExists): string | null {
  const words = args.split(' ');
  for (let n = words.length; n >= 1; n -= 1) {
    const candidate = words.slice(0, n).join(' ');
    if (candidate.includes('/')) {
      if (isFile(candidate)) return candidate;
    } else if (n === 1) {
      const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== '');
      return dirs.map((d) => path.join(d, candidate)).find(isFile) ?? null;
    }
  }
  return null;
}

function fileExists(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The Node version a running process executes (the executable of its command line asked for
 * `--version`), or null when it is not running or not a Node binary. Cached per executable path.
 */
export function nodeVersionOf(pid: number): string | null {
  const entry = psTable([pid]).get(pid);
  const executable = entry === undefined ? null : executableOf(entry.args);
  if (executable === null) {
    return null;
  }
  if (!versionByExecutable.has(executable)) {
    const out = spawnSync(executable, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    const version = out.status === 0 ? out.stdout.trim() : '';
    versionByExecutable.set(executable, /^v\d+\.\d+\.\d+/.test(version) ? version : null);
  }
  return versionByExecutable.get(executable) ?? null;
}
