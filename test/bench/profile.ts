import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { round1, sleep } from './bench-support';

/**
 * CPU profiles of running processes, for the benchmarks: a Node process (a gateway, a chaincode
 * server) through its inspector, which SIGUSR1 opens on 127.0.0.1:9229 (the Chrome DevTools
 * Protocol's Profiler domain, over Node's built-in WebSocket), and a Go process (a peer, an orderer)
 * through Linux `perf`. Each gives text: the top frames by self and by total time.
 */

const run = promisify(execFile);
const INSPECTOR = 'http://127.0.0.1:9229';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

/** A V8 CPU profile (Profiler.stop's answer, also the .cpuprofile file format). */
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The inspector's WebSocket URL once the process has opened it (polled for up to 10 s). */
async function inspectorUrl(pid: number): Promise<string> {
  for (let attempt = 0; attempt < 40; attempt += 1) {
    try {
      const targets = (await (await fetch(`${INSPECTOR}/json/list`)).json()) as {
        webSocketDebuggerUrl?: string;
      }[];
      const url = targets[0]?.webSocketDebuggerUrl;
      if (url !== undefined) return url;
    } catch {
      // Not open yet.
    }
    await sleep(250);
  }
  throw new Error(`the inspector of pid ${pid} did not open on ${INSPECTOR}`);
}

/**
 * Samples a Node process for `ms` while `during` runs (it should take about `ms`), then closes its
 * inspector again. Port 9229 must be free: one Node profile at a time on this machine.
 */
export async function nodeCpuProfile<T>(
  pid: number,
  during: () => Promise<T>,
): Promise<{ result: T; profile: CpuProfile }> {
  process.kill(pid, 'SIGUSR1');
  const socket = new WebSocket(await inspectorUrl(pid));
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('inspector: could not connect')), {
      once: true,
    });
  });
  let next = 1;
  const waiting = new Map<number, (value: unknown) => void>();
  socket.addEventListener('message', (event: MessageEvent) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) waiting.get(message.id)?.(message.result);
  });
  const send = (method: string, params: object = {}): number => {
    const id = next++;
    socket.send(JSON.stringify({ id, method, params }));
    return id;
  };
  // Every answer within a minute (Profiler.stop of a long profile takes a few seconds), else an error.
  const call = (method: string, params: object = {}): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`inspector: no answer to ${method}`)), 60_000);
      waiting.set(send(method, params), (value) => {
        clearTimeout(timer);
        resolve(value);
      });
    });
  try {
    await call('Profiler.enable');
    await call('Profiler.setSamplingInterval', { interval: 500 });
    await call('Profiler.start');
    const result = await during();
    const { profile } = (await call('Profiler.stop')) as { profile: CpuProfile };
    return { result, profile };
  } finally {
    // Closes the process's inspector (port 9229 free again); the session ends before any answer.
    send('Runtime.evaluate', {
      expression: "require('node:inspector').close()",
      includeCommandLineAPI: true,
    });
    await sleep(500);
    socket.close();
  }
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '');
  const where = url === '' ? '' : ` ${file.replace(/^\/work\/wt\/[^/]+\//, '')}:${lineNumber + 1}`;
  return `${functionName === '' ? '(anonymous)' : functionName}${where}`;
}

/** Where a frame's code lives: a package under node_modules, node: internals, or our own code. */
function moduleOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node: internals';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match?.[1] !== undefined) return match[1];
  const own = /\/(gateway|chaincode|network)\/(?:dist|src)\//.exec(url);
  return own?.[1] === undefined ? url : `ours: ${own[1]}`;
}

/** Top frames by self and by total time, and self time by module, as text. */
export function summariseCpuProfile(profile: CpuProfile, title: string, top = 40): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const modules = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (node === undefined) return;
    all += us;
    const name = frameName(node);
    self.set(name, (self.get(name) ?? 0) + us);
    modules.set(moduleOf(node), (modules.get(moduleOf(node)) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (frame === undefined) break;
      const key = frameName(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      total.set(key, (total.get(key) ?? 0) + us);
    }
  });
  const pct = (us: number): string => `${round1((100 * us) / Math.max(1, all)).toFixed(1)}%`.padStart(6);
  const rows = (map: Map<string, number>, n: number): string[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(
        ([name, us]) =>
          `${pct(us)} ${round1(us / 1000)
            .toFixed(1)
            .padStart(9)} ms  ${name}`,
      );
  return [
    `# ${title}`,
    `# V8 CPU profile: ${round1(all / 1000)} ms sampled over ${round1((profile.endTime - profile.startTime) / 1000)} ms (sampling every 500 µs)`,
    '',
    '## Self time by module',
    ...rows(modules, 25),
    '',
    `## Top ${top} frames by self time`,
    ...rows(self, top),
    '',
    `## Top ${top} frames by total time (the frame and everything it called)`,
    ...rows(total, top),
    '',
  ].join('\n');
}

/** Whether `perf` can sample here (installed; perf_event_paranoid low enough or root). */
export function perfAvailable(): boolean {
  return existsSync('/usr/bin/perf');
}

/**
 * Samples a process with `perf record` (cpu-clock, 499 Hz, call graphs) while `during` runs, and
 * reports the top symbols by self and by total time as text.
 */
export async function perfProfile<T>(
  pid: number,
  seconds: number,
  file: string,
  title: string,
  during: () => Promise<T>,
): Promise<{ result: T; text: string }> {
  const recording = run(
    'perf',
    [
      'record',
      '-e',
      'cpu-clock',
      '-F',
      '499',
      '-g',
      '-p',
      String(pid),
      '-o',
      file,
      '--',
      'sleep',
      String(seconds),
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const result = await during();
  await recording;
  const report = async (children: boolean): Promise<string> =>
    (
      await run(
        'perf',
        [
          'report',
          '-i',
          file,
          '--stdio',
          children ? '--children' : '--no-children',
          '--sort',
          'symbol',
          '-g',
          'none',
          '--percent-limit',
          children ? '2' : '0.7',
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      )
    ).stdout
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'))
      // perf pads each row to the terminal's width and ends it with empty sort columns.
      .map((line) => line.replace(/\s+-\s+-\s*$/, '').trimEnd())
      .slice(0, 60)
      .join('\n');
  const text = [
    `# ${title}`,
    `# perf record -e cpu-clock -F 499 -g -p ${pid} (${seconds} s)`,
    '',
    '## Top symbols by self time (perf report --no-children --sort symbol)',
    await report(false),
    '',
    '## Top symbols by total time (perf report --children --sort symbol)',
    await report(true),
    '',
  ].join('\n');
  return { result, text };
}
