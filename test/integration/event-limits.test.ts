import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createApp } from '../../gateway/src/app';
import { newFabricLedgerClient } from '../../gateway/src/fabric/fabric-ledger-client';
import type { LedgerClient } from '../../gateway/src/fabric/ledger-client';
import { newMetrics } from '../../gateway/src/metrics';
import { Network, Runtime } from '../../network';
import { testConsortium } from '../support/consortium';
import { evidenceOf, withdrawalBody } from '../support/fixtures';
import { call, gatewayOf } from '../support/http';
import { residentId } from '../support/ledger';

/**
 * The event stream's limits on the real network: a gateway app (in-process, Beijing's identity, on
 * the peer global setup started) with a replay window of 3 blocks and one stream per key. A
 * Last-Event-ID older than the window is 410 naming the window's start; inside it the ledger's
 * events replay; a second stream on the key is 429 until the first (a live Fabric event stream) ends.
 */

const consortium = testConsortium();
const layout = new Network(consortium).layout;
const beijingOrg = consortium.centres.find((c) => c.code === '110000')!;
const shanghai = gatewayOf('C310000MSP');
// Birth date 1969-03-16 belongs to this file.
const run = Date.now() % 1000;
const KEY = 'event-limits-auditor-key-0123456789';
const WINDOW = 3;

let connection: Runtime.OrgConnection;
let ledger: LedgerClient;
let server: Server;
let base: string;

beforeAll(async () => {
  connection = Runtime.connectOrg(layout, beijingOrg);
  ledger = newFabricLedgerClient({
    network: connection.gateway.getNetwork(consortium.channel),
    chaincode: consortium.chaincode.name,
    metrics: newMetrics(),
    mspId: beijingOrg.mspId,
  });
  const app = createApp({
    ledger,
    logger: pino({ level: process.env.EVL_LOG === '1' ? 'debug' : 'silent' }),
    metrics: newMetrics(),
    settings: {
      centreCode: '110000',
      mspId: beijingOrg.mspId,
      regulatorMspId: consortium.regulator.mspId,
      endorsingFallbackMsps: [],
      pseudonymKey: Buffer.alloc(32, 1),
      apiKeys: [
        {
          id: 'audit',
          role: 'auditor',
          sha256: createHash('sha256').update(KEY).digest('hex'),
          centre: null,
        },
      ],
      rateLimitPerMinute: 1000,
      unauthenticatedRateLimitPerMinute: 1000,
      publicVerifyRateLimitPerMinute: 1000,
      readinessTimeoutMs: 5000,
      readinessCacheMs: 0,
      bodyLimit: '32kb',
      batchBodyLimit: '512kb',
      maxConflictRetries: 0,
      conflictBackoffMs: 1,
      sseHeartbeatMs: 60_000,
      sseStallTimeoutMs: 60_000,
      consoleSessionMinutes: 30,
      consoleOverdueWorkingDays: 10,
      consoleSessionsPerKey: 5,
      secureCookies: false,
      sseReplayBlocks: WINDOW,
      sseStreamsPerKey: 1,
      sseStreamsPerGateway: 4,
    },
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  connection.close();
});

const subscribe = (lastEventId: string | undefined, signal: AbortSignal): Promise<Response> =>
  fetch(`${base}/v1/events`, {
    headers: {
      authorization: `Bearer ${KEY}`,
      ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
    },
    signal,
  });

/** Reads the stream until an event whose data has `id`, or 20 s (bounded); then disconnects. */
async function eventIdsUntil(res: Response, id: string, controller: AbortController): Promise<string[]> {
  const timer = setTimeout(() => controller.abort(), 20_000);
  const seen: { id: string; dataId: unknown }[] = [];
  let buffer = '';
  try {
    for await (const chunk of res.body!) {
      buffer += Buffer.from(chunk as Uint8Array).toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const fields = new Map(
          buffer
            .slice(0, end)
            .split('\n')
            .map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)] as const),
        );
        buffer = buffer.slice(end + 2);
        const data = fields.get('data');
        if (fields.has('id') && data !== undefined) {
          seen.push({ id: fields.get('id')!, dataId: (JSON.parse(data) as { id?: unknown }).id });
        }
      }
      if (seen.some((e) => e.dataId === id)) break;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return seen.map((e) => `${e.id}|${String(e.dataId)}`);
}

describe('event stream limits on the real network', () => {
  it('answers a Last-Event-ID older than the replay window with 410 and the window start; replays inside it', async () => {
    const withdrawalId = `EVL-${run}-1`;
    const written = await call(
      shanghai,
      'operator',
      'POST',
      '/v1/withdrawals',
      withdrawalBody(
        withdrawalId,
        { idType: '01', idNumber: residentId('19690316', run), name: '窗口' },
        {
          amount: '30000.00',
          evidence: evidenceOf('PURCHASE_CONTRACT', `EVL-${run}-1`),
          withdrawnOn: new Date().toISOString().slice(0, 10),
        },
      ),
    );
    expect(written.status).toBe(201);
    const txId = String(written.body.txId);
    const tx = await ledger.getTransaction(txId);
    const block = BigInt(tx.blockNumber);
    // Wait (bounded) until Beijing's peer has the block: the write was committed at Shanghai's.
    await Runtime.pollUntil(async () => ((await ledger.chainInfo()).height > block ? true : undefined), {
      timeoutMs: 20_000,
      intervalMs: 100,
      failure: () => new Error(`Beijing's peer did not reach block ${block.toString()}`),
    });
    const { height } = await ledger.chainInfo();
    expect(height).toBeGreaterThan(BigInt(WINDOW + 1));

    const gone = await subscribe('0', AbortSignal.timeout(20_000));
    expect(gone.status).toBe(410);
    expect(gone.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const start = BigInt(gone.headers.get('x-replay-window-start') ?? '-1');
    expect(start).toBeGreaterThanOrEqual(height - BigInt(WINDOW));
    expect(await gone.json()).toMatchObject({ code: 'REPLAY_WINDOW_EXCEEDED', status: 410 });
    const justBefore = await subscribe(String(start - 1n), AbortSignal.timeout(20_000));
    expect(justBefore.status).toBe(410);
    await justBefore.body?.cancel();

    // Inside the window (the withdrawal's block is the newest or nearly): the ledger replays it.
    expect(block).toBeGreaterThanOrEqual(start);
    const controller = new AbortController();
    const inside = await subscribe(block.toString(), controller.signal);
    expect(inside.status).toBe(200);
    const ids = await eventIdsUntil(inside, withdrawalId, controller);
    expect(ids).toContain(`${block.toString()}:${txId}|${withdrawalId}`);
  });

  it('refuses a second stream on the key with 429 until the first ends', async () => {
    // The previous test's stream may still be closing at the gateway (the client's abort and this
    // request race): retry a 429 for a bounded while.
    const first = new AbortController();
    const open = await Runtime.pollUntil(
      async () => {
        const res = await subscribe(undefined, first.signal);
        if (res.status === 200) return res;
        await res.body?.cancel();
        return undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100, failure: () => new Error('no first stream within 10 s') },
    );
    expect(open.status).toBe(200);
    const second = await subscribe(undefined, AbortSignal.timeout(20_000));
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('5');
    expect(await second.json()).toMatchObject({ code: 'RATE_LIMITED' });
    first.abort();
    // The gateway sees the close and ends the Fabric stream: the slot comes back (bounded wait).
    const status = await Runtime.pollUntil(
      async () => {
        const controller = new AbortController();
        const res = await subscribe(undefined, controller.signal);
        controller.abort();
        return res.status === 200 ? 200 : undefined;
      },
      {
        timeoutMs: 10_000,
        intervalMs: 100,
        failure: () => new Error('the closed stream never gave its slot back'),
      },
    );
    expect(status).toBe(200);
  });
});
