/**
 * The gateway's own HTTP work, in-process against the fake ledger (no Fabric, no network but
 * 127.0.0.1): how long the first request of an operation takes after start-up, and CPU µs per
 * request of `POST /v1/withdrawals` and `POST /v1/verify` in a closed loop. Figures only, never
 * pass/fail: `npx tsx test/bench/bench-gateway-http.ts [--apps N] [--requests N] [--in-flight N]`.
 * CPU is this process's (server and client together), so compare runs of this script only.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { prepareApp } from '../../gateway/src/app';
import { FakeLedger } from '../../gateway/test/support/fake-ledger';
import { bearer, buildApp, OPERATOR_KEY } from '../../gateway/test/support/test-app';
import { committedTx, tx, withdrawalRecord } from '../support/fixtures';
import { benchWithdrawal } from './bench-support';

const { values } = parseArgs({
  options: {
    apps: { type: 'string', default: '6' },
    requests: { type: 'string', default: '4000' },
    'in-flight': { type: 'string', default: '8' },
  },
});
function bounded(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`--${name} must be an integer from ${min} to ${max}, got ${text}`);
  }
  return n;
}
const apps = bounded('apps', values.apps, 2, 100);
const requests = bounded('requests', values.requests, 100, 1_000_000);
const inFlight = bounded('in-flight', values['in-flight'], 1, 256);

const TX = tx(1);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

interface Served {
  readonly server: http.Server;
  readonly port: number;
  readonly ledger: FakeLedger;
}

/** A gateway app on the fake ledger, answering a withdrawal's Record and a verification. */
async function serve(): Promise<Served> {
  const { app, ledger } = buildApp({ rateLimitPerMinute: 100_000_000 });
  ledger.on('withdrawal:Record', ([input]) => {
    const { withdrawalId } = JSON.parse(input ?? '{}') as { withdrawalId: string };
    return JSON.stringify(withdrawalRecord({ withdrawalId, txId: ledger.currentTxId }));
  });
  ledger.on('audit:Verify', () =>
    JSON.stringify({ found: true, kind: 'withdrawal', record: withdrawalRecord({ txId: TX }) }),
  );
  ledger.transactions.set(TX, committedTx(TX));
  await prepareApp(app);
  const server = http.createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, ledger };
}

function post(port: number, path: string, body: unknown): Promise<number> {
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': data.length,
          authorization: bearer(OPERATOR_KEY),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          resolve(res.statusCode ?? 0);
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

let seq = 0;
const withdrawal = (): unknown => benchWithdrawal(`W-B-${(seq += 1)}`, seq);
const verification = (): unknown => ({ attestationId: 'withdrawal:440000:W-1' });

async function timed(run: () => Promise<number>): Promise<{ ms: number; status: number }> {
  const start = process.hrtime.bigint();
  const status = await run();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, status };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

async function firstRequests(): Promise<void> {
  const rows: Record<string, number[]> = {};
  const record = (label: string, ms: number): void => {
    (rows[label] ??= []).push(ms);
  };
  for (let i = 0; i < apps; i += 1) {
    const startup = process.hrtime.bigint();
    const { server, port } = await serve();
    record('start-up (app built and ready)', Number(process.hrtime.bigint() - startup) / 1e6);
    for (const [name, path, body] of [
      ['POST /v1/withdrawals', '/v1/withdrawals', withdrawal],
      ['POST /v1/verify', '/v1/verify', verification],
    ] as const) {
      const first = await timed(() => post(port, path, body()));
      const second = await timed(() => post(port, path, body()));
      const third = await timed(() => post(port, path, body()));
      if (first.status >= 300 || second.status >= 300) {
        throw new Error(`${name}: status ${first.status}, ${second.status}`);
      }
      record(`${name}: first`, first.ms);
      record(`${name}: second`, second.ms);
      record(`${name}: third`, third.ms);
    }
    server.close();
    server.closeAllConnections();
  }
  console.log(
    `first requests after start-up (ms): the first app of the process, then the median of ${apps - 1}`,
  );
  for (const [label, ms] of Object.entries(rows)) {
    console.log(
      `  ${label.padEnd(34)} ${(ms[0] ?? NaN).toFixed(2).padStart(9)} ${median(ms.slice(1)).toFixed(2).padStart(9)}`,
    );
  }
}

async function steady(): Promise<void> {
  const { server, port } = await serve();
  for (const [name, path, body] of [
    ['POST /v1/withdrawals', '/v1/withdrawals', withdrawal],
    ['POST /v1/verify', '/v1/verify', verification],
  ] as const) {
    const loop = async (count: number): Promise<void> => {
      let next = 0;
      await Promise.all(
        Array.from({ length: inFlight }, async () => {
          while (next < count) {
            next += 1;
            const status = await post(port, path, body());
            if (status >= 300) throw new Error(`${name}: status ${status}`);
          }
        }),
      );
    };
    await loop(Math.min(1000, requests)); // warm-up
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    await loop(requests);
    const used = process.cpuUsage(cpu);
    const wallS = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(
      `  ${name.padEnd(22)} ${((used.user + used.system) / requests).toFixed(0).padStart(6)} µs CPU/request` +
        ` (server and client), ${(requests / wallS).toFixed(0)}/s`,
    );
  }
  const mem = process.memoryUsage();
  const mib = (n: number): string => (n / 1048576).toFixed(1);
  console.log(
    `  memory: rss ${mib(mem.rss)}, heap used ${mib(mem.heapUsed)} of ${mib(mem.heapTotal)}, ` +
      `external ${mib(mem.external)}, array buffers ${mib(mem.arrayBuffers)} MiB`,
  );
  server.close();
  server.closeAllConnections();
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${apps} apps, ${requests} requests at ${inFlight} in flight`);
  await firstRequests();
  console.log(`steady state, ${requests} requests each:`);
  await steady();
  agent.destroy();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
