import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import express from 'express';
import request from 'supertest';
import { ApiError } from '../src/errors';
import type { EventStream, LedgerClient, LedgerEvent } from '../src/fabric/ledger-client';
import { OWN_CHAINCODE_DOWN } from '../src/fabric/translate-error';
import { drainable } from '../src/http/drain';
import { newReadiness } from '../src/services/readiness';
import { AUDITOR_KEY, OPERATOR_KEY, RESIDENT_ID, bearer, buildApp } from './support/test-app';

const withdrawal = {
  withdrawalId: 'W-READY-1',
  person: { idType: '01', idNumber: RESIDENT_ID, name: '张三' },
  reasonCode: '01',
  amount: '1000.00',
  closesAccount: false,
  evidence: [{ kind: 'PURCHASE_CONTRACT', reference: 'GF2026-0001' }],
  withdrawnOn: '2026-11-20',
};

/** Polls `read` every 50 ms until it returns the same value `times` times in a row (at most `max` polls). */
async function settled<T>(read: () => T, times = 6, max = 400): Promise<T> {
  let last = read();
  let same = 0;
  for (let i = 0; i < max && same < times; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = read();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}

async function until(condition: () => boolean, max = 400): Promise<boolean> {
  for (let i = 0; i < max && !condition(); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

describe('/healthz and /readyz', () => {
  it('/healthz reports the Node version this process runs on', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/healthz');
    expect(res.body).toEqual({ status: 'ok', node: process.version });
    expect(process.versions.node.split('.')[0]).toMatch(/^(2[4-9]|[3-9]\d)$/);
  });

  it('/readyz asks only this organisation (own peer, own chaincode) with a short deadline', async () => {
    const { app, ledger } = buildApp({ readinessTimeoutMs: 1234 });
    const evaluate = jest.spyOn(ledger, 'evaluate');
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(200);
    expect(evaluate).toHaveBeenCalledWith('meta', 'Version', [], {
      endorsingOrganizations: ['C440000MSP'],
      timeoutMs: 1234,
    });
  });

  it("/readyz is 503 with the reason while this organisation's chaincode server cannot serve", async () => {
    const { app, ledger } = buildApp();
    ledger.on('meta:Version', () => {
      throw new ApiError('UNAVAILABLE', OWN_CHAINCODE_DOWN, { unavailable: 'own' });
    });
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'UNAVAILABLE', detail: OWN_CHAINCODE_DOWN });
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
  });

  it('/readyz names the deadline when the own peer or chaincode server did not answer in time', async () => {
    const { app, ledger } = buildApp({ readinessTimeoutMs: 700 });
    ledger.on('meta:Version', () => {
      throw new ApiError('UNAVAILABLE', "this organisation's peer did not answer in time");
    });
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect((res.body as { detail: string }).detail).toMatch(/did not answer meta:Version within 700 ms/);
  });
});

describe('writes while this organisation cannot serve', () => {
  it('are refused with 503 UNAVAILABLE and Retry-After before anything is endorsed', async () => {
    const { app, ledger } = buildApp();
    ledger.on('meta:Version', () => {
      throw new ApiError('UNAVAILABLE', OWN_CHAINCODE_DOWN, { unavailable: 'own' });
    });
    const res = await request(app)
      .post('/v1/withdrawals')
      .set('Authorization', bearer(OPERATOR_KEY))
      .send(withdrawal);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'UNAVAILABLE', detail: OWN_CHAINCODE_DOWN });
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(ledger.callsOf('submit')).toHaveLength(0);
  });

  it('a write that finds the own chaincode server down is 503 (not 502), tried once, and the next write checks again', async () => {
    const { app, ledger } = buildApp({ readinessCacheMs: 60_000 });
    let down = false;
    ledger.on('meta:Version', () => {
      if (down) throw new ApiError('UNAVAILABLE', OWN_CHAINCODE_DOWN, { unavailable: 'own' });
      return '{"name":"hpf"}';
    });
    ledger.on('withdrawal:Record', () => {
      throw new ApiError('UNAVAILABLE', OWN_CHAINCODE_DOWN, { unavailable: 'own' });
    });
    expect((await request(app).get('/readyz')).status).toBe(200);
    down = true;
    const first = await request(app)
      .post('/v1/withdrawals')
      .set('Authorization', bearer(OPERATOR_KEY))
      .send(withdrawal);
    expect(first.status).toBe(503);
    expect(first.headers['retry-after']).toMatch(/^\d+$/);
    // No fallback endorsement set: the own peer is in every one.
    expect(ledger.callsOf('submit')).toHaveLength(1);
    const second = await request(app)
      .post('/v1/withdrawals')
      .set('Authorization', bearer(OPERATOR_KEY))
      .send(withdrawal);
    expect(second.status).toBe(503);
    expect(ledger.callsOf('submit')).toHaveLength(1);
    expect((await request(app).get('/readyz')).status).toBe(503);
  });
});

describe('readiness cache', () => {
  function countingLedger(answer: () => Promise<string>): { ledger: LedgerClient; calls: () => number } {
    let calls = 0;
    const ledger = {
      evaluate: () => {
        calls += 1;
        return answer();
      },
    } as unknown as LedgerClient;
    return { ledger, calls: () => calls };
  }

  it('reuses an answer for the cache time and asks once for concurrent checks', async () => {
    let now = 1_000;
    const { ledger, calls } = countingLedger(() => Promise.resolve('{"version":"1"}'));
    const readiness = newReadiness({
      ledger,
      mspId: 'C440000MSP',
      timeoutMs: 500,
      cacheMs: 2_000,
      now: () => now,
    });
    const reports = await Promise.all([readiness.check(), readiness.check(), readiness.check()]);
    expect(reports.every((r) => r.ready)).toBe(true);
    expect(calls()).toBe(1);
    now += 1_999;
    await readiness.check();
    expect(calls()).toBe(1);
    now += 1;
    await readiness.check();
    expect(calls()).toBe(2);
    readiness.invalidate();
    await readiness.check();
    expect(calls()).toBe(3);
  });

  it('is not ready once shutting down, without asking the peer', async () => {
    const { ledger, calls } = countingLedger(() => Promise.resolve('{}'));
    const readiness = newReadiness({ ledger, mspId: 'C440000MSP', timeoutMs: 500, cacheMs: 2_000 });
    readiness.shutDown();
    expect(await readiness.check()).toMatchObject({ ready: false, reason: 'the gateway is shutting down' });
    await expect(readiness.requireReady()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(calls()).toBe(0);
  });
});

describe('authentication before the body', () => {
  it('a request without a valid key is 401 whatever its body (the body is never parsed)', async () => {
    const { app } = buildApp();
    const malformed = await request(app)
      .post('/v1/withdrawals')
      .set('Content-Type', 'application/json')
      .send('{"not json');
    expect(malformed.status).toBe(401);
    const huge = await request(app)
      .post('/v1/withdrawals')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ pad: 'x'.repeat(100_000) }));
    expect(huge.status).toBe(401);
  });

  it('an authenticated request still gets its body validated', async () => {
    const { app } = buildApp();
    const res = await request(app)
      .post('/v1/withdrawals')
      .set('Authorization', bearer(OPERATOR_KEY))
      .set('Content-Type', 'application/json')
      .send('{"not json');
    expect(res.status).toBe(400);
  });

  it('rate-limits requests without a valid key per client address; valid keys are not affected', async () => {
    const { app } = buildApp({ unauthenticatedRateLimitPerMinute: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      statuses.push(
        (
          await request(app)
            .get('/v1/withdrawals/W-1')
            .set('Authorization', bearer(`wrong-key-${i}-0000000000`))
        ).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const limited = await request(app).get('/v1/withdrawals/W-1');
    expect(limited.body).toMatchObject({ code: 'RATE_LIMITED' });
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    const authenticated = await request(app)
      .get('/v1/withdrawals/W-1')
      .set('Authorization', bearer(AUDITOR_KEY));
    expect(authenticated.status).not.toBe(429);
  });
});

describe('GET /v1/events with a slow reader', () => {
  const EVENTS = 20_000;
  const padding = 'p'.repeat(4_000);

  /** A replay of EVENTS events of ~4 kB each, produced only as the gateway pulls them. */
  function lazyStream(counter: { pulled: number; closed: boolean }, events = EVENTS): EventStream {
    return {
      close: () => {
        counter.closed = true;
      },
      async *[Symbol.asyncIterator](): AsyncGenerator<LedgerEvent> {
        for (let i = 0; i < events && !counter.closed; i += 1) {
          counter.pulled += 1;
          await Promise.resolve();
          yield {
            blockNumber: BigInt(1 + Math.floor(i / 10)),
            txId: i.toString(16).padStart(64, '0'),
            name: 'withdrawal.recorded',
            payload: JSON.stringify({ type: 'withdrawal.recorded', centres: ['440000'], padding }),
          };
        }
      },
    };
  }

  it('pulls events only as fast as the subscriber reads, and ends a stalled stream', async () => {
    const { app, ledger } = buildApp({ sseStallTimeoutMs: 1_500 });
    const counter = { pulled: 0, closed: false };
    ledger.events = () => Promise.resolve(lazyStream(counter));
    const server = createServer(app);
    const port = await listen(server);
    const socket: Socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.pause(); // a reader that never reads
    socket.write(
      `GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${bearer(AUDITOR_KEY)}\r\nLast-Event-ID: 0\r\n\r\n`,
    );
    const pulled = await settled(() => counter.pulled);
    // Socket buffers hold a few MB at most; without backpressure all 80 MB would be pulled and buffered.
    expect(pulled).toBeGreaterThan(0);
    expect(pulled).toBeLessThan(EVENTS / 2);
    // Still stalled after the stall timeout: the gateway ends the stream and drops what it holds.
    expect(await until(() => counter.closed)).toBe(true);
    socket.destroy();
    server.closeAllConnections();
    server.close();
  });

  it('a subscriber that reads gets every event, in order', async () => {
    const READ = 2_000; // 8 MB: the socket buffer fills and drains many times
    const { app, ledger } = buildApp();
    const counter = { pulled: 0, closed: false };
    ledger.events = () => Promise.resolve(lazyStream(counter, READ));
    const server = createServer(app);
    const port = await listen(server);
    let ids = 0;
    let lastId = '';
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        {
          port,
          host: '127.0.0.1',
          path: '/v1/events',
          headers: { Authorization: bearer(AUDITOR_KEY), 'Last-Event-ID': '0' },
        },
        (res) => {
          let tail = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            const text = tail + chunk;
            const lines = text.split('\n');
            tail = lines.pop() ?? '';
            for (const line of lines) {
              if (line.startsWith('id: ')) {
                ids += 1;
                lastId = line.slice(4);
              }
            }
            if (ids === READ) {
              req.destroy();
              resolve();
            }
          });
          res.on('end', () => {
            resolve();
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    server.closeAllConnections();
    server.close();
    expect(ids).toBe(READ);
    expect(lastId).toBe(`${1 + Math.floor((READ - 1) / 10)}:${(READ - 1).toString(16).padStart(64, '0')}`);
  });
});

describe('drain on shutdown', () => {
  function slowApp(): { app: express.Express; release: () => void; started: () => number } {
    const app = express();
    let started = 0;
    let releaseAll: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      releaseAll = resolve;
    });
    app.get('/slow', async (_req, res) => {
      started += 1;
      await released;
      res.json({ done: true });
    });
    app.get('/stuck', () => {
      started += 1; // never answers
    });
    return { app, release: () => releaseAll(), started: () => started };
  }

  function get(port: number, path: string): Promise<{ status: number; body: string; connection?: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ port, host: '127.0.0.1', path, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection });
        });
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('lets a request in flight finish, refuses new connections, and closes', async () => {
    const { app, release, started } = slowApp();
    const server = createServer(app);
    const draining = drainable(server);
    const port = await listen(server);
    const inFlight = get(port, '/slow');
    expect(await until(() => started() === 1)).toBe(true);
    const drained = draining.drain(60_000);
    await expect(get(port, '/slow')).rejects.toThrow(/ECONNREFUSED/);
    release();
    const answer = await inFlight;
    expect(answer).toMatchObject({ status: 200, body: '{"done":true}', connection: 'close' });
    expect(await drained).toEqual({ forced: 0 });
  });

  it('is bounded: a request that never ends is cut after the grace time', async () => {
    const { app, started } = slowApp();
    const server = createServer(app);
    const draining = drainable(server);
    const port = await listen(server);
    const stuck = get(port, '/stuck');
    expect(await until(() => started() === 1)).toBe(true);
    expect(await draining.drain(200)).toEqual({ forced: 1 });
    await expect(stuck).rejects.toThrow(/socket hang up|ECONNRESET/);
  });
});
