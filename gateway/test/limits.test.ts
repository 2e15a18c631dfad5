import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { rentWithdrawal } from '../../test/support/fixtures';
import type { EventStream, LedgerEvent } from '../src/fabric/ledger-client';
import { newBudget } from '../src/services/budget';
import { LedgerIndex } from '../src/services/ledger-index';
import { lookupBudget } from '../src/services/person-lookups';
import {
  AUDITOR_KEY,
  OPERATOR_KEY,
  RESIDENT_ID,
  SHENZHEN_OPERATOR_KEY,
  bearer,
  buildApp,
  subjectRefWithTestKey,
} from './support/test-app';

/**
 * The gateway's limits on the privileges an outside review found unlimited: person lookups (API and
 * console, one budget per key), personal content of certificates and certificate requests, event
 * streams (per key, per gateway, replay window) and batches (each item costs a unit).
 */

const PERSON = { idType: '01', idNumber: RESIDENT_ID, name: '张三' };
/** The same number with a wrong check character: a 400 that must not cost a lookup. */
const BAD_PERSON = { ...PERSON, idNumber: `${RESIDENT_ID.slice(0, 17)}1` };

interface LogLine {
  readonly event?: string;
  readonly keyId?: string;
  readonly at?: string;
  readonly results?: number;
  readonly [field: string]: unknown;
}

function lines(logs: readonly string[]): LogLine[] {
  return logs.map((l) => JSON.parse(l) as LogLine);
}

const lookup = (app: ReturnType<typeof buildApp>['app'], key: string, person: object = PERSON) =>
  request(app).post('/v1/subjects/lookup').set('Authorization', bearer(key)).send({ person });

describe('person lookups: one audited budget per key, API and console together', () => {
  it('answers within the minute budget, then 429 with Retry-After and no subjectRef', async () => {
    const { app, logs } = buildApp({ personLookupsPerMinute: 3, personLookupsPerDay: 10 });
    for (let i = 0; i < 3; i += 1) {
      const ok = await lookup(app, AUDITOR_KEY);
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ subjectRef: subjectRefWithTestKey('01', RESIDENT_ID) });
    }
    const refused = await lookup(app, AUDITOR_KEY);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'RATE_LIMITED' });
    expect(refused.body).not.toHaveProperty('subjectRef');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Another key has its own budget.
    expect((await lookup(app, OPERATOR_KEY)).status).toBe(200);
    // Every lookup is logged with the key, the time and the result count; the refusal too.
    const audited = lines(logs).filter((l) => l.event === 'person-lookup');
    expect(audited.map((l) => [l.keyId, l.results])).toEqual([
      ['audit', 1],
      ['audit', 1],
      ['audit', 1],
      ['ops', 1],
    ]);
    expect(audited.every((l) => typeof l.at === 'string' && !Number.isNaN(Date.parse(l.at)))).toBe(true);
    expect(lines(logs).filter((l) => l.event === 'person-lookup-refused')).toHaveLength(1);
    // Never the ID number, the name or the subjectRef.
    const all = logs.join('\n');
    expect(all).not.toContain(RESIDENT_ID);
    expect(all).not.toContain('张三');
    expect(all).not.toContain(subjectRefWithTestKey('01', RESIDENT_ID));
  });

  it('refuses bad input with 400 without charging the budget', async () => {
    const { app } = buildApp({ personLookupsPerMinute: 2, personLookupsPerDay: 10 });
    for (let i = 0; i < 4; i += 1) {
      const bad = await lookup(app, AUDITOR_KEY, BAD_PERSON);
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toContain('person.idNumber');
    }
    expect((await lookup(app, AUDITOR_KEY)).status).toBe(200);
    expect((await lookup(app, AUDITOR_KEY)).status).toBe(200);
    expect((await lookup(app, AUDITOR_KEY)).status).toBe(429);
  });

  it('the console person form draws on the same budget as the API, and is logged with its result count', async () => {
    const index = new LedgerIndex({ file: ':memory:' });
    const { app, ledger, logs } = buildApp({ personLookupsPerMinute: 2, personLookupsPerDay: 10 }, { index });
    ledger.on('audit:Timeline', ([s]) =>
      JSON.stringify({
        subjectRef: s,
        attestations: [
          { attestationId: 'transfer:4400002611200001', kind: 'transfer', status: 'REQUESTED', at: 'x' },
          { attestationId: 'withdrawal:440000:W-1', kind: 'withdrawal', status: 'RECORDED', at: 'y' },
        ],
      }),
    );
    const signIn = await request(app)
      .post('/console/sign-in')
      .set('Sec-Fetch-Site', 'same-origin')
      .type('form')
      .send({ apiKey: AUDITOR_KEY });
    const cookie = String(signIn.headers['set-cookie']).split(';')[0] ?? '';
    const form = (): request.Test =>
      request(app)
        .post('/console/person')
        .set('cookie', cookie)
        .set('Sec-Fetch-Site', 'same-origin')
        .type('form')
        .send(PERSON);
    expect((await lookup(app, AUDITOR_KEY)).status).toBe(200);
    const page = await form();
    expect(page.status).toBe(200);
    expect(page.text).toContain('transfer:4400002611200001');
    // Two lookups made (one by the API, one by the console): the third, from either, is refused.
    const refused = await form();
    expect(refused.status).toBe(429);
    expect(refused.text).not.toContain('transfer:4400002611200001');
    expect((await lookup(app, AUDITOR_KEY)).status).toBe(429);
    expect(ledger.callsOf('evaluate', 'audit:Timeline')).toHaveLength(1);
    const audited = lines(logs).filter((l) => l.event === 'person-lookup');
    expect(audited.map((l) => [l.keyId, l.results])).toEqual([
      ['audit', 1],
      ['audit', 2],
    ]);
    expect(logs.join('\n')).not.toContain(RESIDENT_ID);
    index.close();
  });

  it('has a day budget too: minutes apart, the day still runs out', () => {
    const budget = lookupBudget({ perMinute: 2, perDay: 3 });
    const t0 = Date.UTC(2026, 11, 3, 8);
    budget.take('k', 1, t0);
    budget.take('k', 1, t0 + 1_000);
    expect(() => budget.take('k', 1, t0 + 2_000)).toThrow(/more than 2 a minute/);
    budget.take('k', 1, t0 + 61_000);
    let retryAfter = 0;
    try {
      budget.take('k', 1, t0 + 122_000);
    } catch (err) {
      retryAfter = (err as { retryAfterSeconds: number }).retryAfterSeconds;
    }
    // Refused by the day window: retry when the day that began at t0 ends.
    expect(retryAfter).toBe(86_400 - 122);
    expect(() => budget.take('k', 1, t0 + 86_400_000)).not.toThrow();
  });
});

describe('budget', () => {
  it('charges every window or none, and says what is left', () => {
    const budget = newBudget('requests', [{ ms: 60_000, limit: 10, per: 'a minute' }]);
    expect(budget.take('k', 4, 0)).toMatchObject({ limit: 10, remaining: 6 });
    expect(() => budget.take('k', 7, 1)).toThrow(/7 units asked, 6 left/);
    expect(budget.state('k', 2)).toMatchObject({ remaining: 6 });
    expect(() => budget.take('k', 11, 3)).toThrow(/11 units asked, at most 10 a minute/);
    expect(budget.take('k', 6, 4)).toMatchObject({ remaining: 0 });
    expect(budget.take('k', 10, 60_000)).toMatchObject({ remaining: 0 });
  });
});

describe('batches cost one unit per item', () => {
  const withdrawal = (id: string): Record<string, unknown> => ({
    ...rentWithdrawal(id, { idType: '01', idNumber: RESIDENT_ID, name: '张三' }),
    withdrawnOn: '2026-11-20',
  });

  it('a 50-item batch costs 50 units; a batch over what is left is 429 and submits nothing', async () => {
    const { app, ledger } = buildApp({ rateLimitPerMinute: 60 });
    ledger.on('withdrawal:Record', ([input]) =>
      JSON.stringify({
        ...(JSON.parse(input!) as object),
        status: 'RECORDED',
        alerts: [],
        txId: ledger.currentTxId,
      }),
    );
    ledger.on('withdrawal:Get', () => '{"withdrawalId":"W-1"}');
    const auth = bearer(OPERATOR_KEY);
    const first = await request(app).get('/v1/withdrawals/W-1').set('Authorization', auth);
    expect(first.headers.ratelimit).toBe('"per-key";r=59;t=60');
    const items = Array.from({ length: 50 }, (_, i) => withdrawal(`W-B${i}`));
    const batch = await request(app).post('/v1/withdrawals/batch').set('Authorization', auth).send({ items });
    expect(batch.status).toBe(200);
    expect(batch.headers.ratelimit).toMatch(/^"per-key";r=9;/);
    expect(ledger.callsOf('submit', 'withdrawal:Record')).toHaveLength(50);
    // 9 left: a 10-item batch is refused whole (its request costs one of them).
    const over = await request(app)
      .post('/v1/withdrawals/batch')
      .set('Authorization', auth)
      .send({ items: items.slice(0, 10).map((_, i) => withdrawal(`W-C${i}`)) });
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ code: 'RATE_LIMITED' });
    expect((over.body as { detail: string }).detail).toMatch(/9 units asked, 8 left/);
    expect(over.headers['retry-after']).toBeDefined();
    expect(ledger.callsOf('submit', 'withdrawal:Record')).toHaveLength(50);
    // 8 left: an 8-item batch fits exactly, then nothing is left.
    const fits = await request(app)
      .post('/v1/withdrawals/batch')
      .set('Authorization', auth)
      .send({ items: Array.from({ length: 8 }, (_, i) => withdrawal(`W-D${i}`)) });
    expect(fits.status).toBe(200);
    expect(ledger.callsOf('submit', 'withdrawal:Record')).toHaveLength(58);
    expect((await request(app).get('/v1/withdrawals/W-1').set('Authorization', auth)).status).toBe(429);
  });

  it('a malformed batch is 400 and costs one unit, like any request', async () => {
    const { app, ledger } = buildApp({ rateLimitPerMinute: 5 });
    const res = await request(app)
      .post('/v1/transfers/batch')
      .set('Authorization', bearer(OPERATOR_KEY))
      .send({ items: [] });
    expect(res.status).toBe(400);
    expect(res.headers.ratelimit).toMatch(/^"per-key";r=4;/);
    expect(ledger.callsOf('submit')).toHaveLength(0);
  });
});

describe('certificates: personal content for the issuing and requesting centres only', () => {
  const CONTENT = {
    version: 1,
    certificateNo: 'ZM-1',
    issuer: '110000',
    type: 'DEPOSIT_USE',
    person: { idType: '01', idNumber: RESIDENT_ID, name: '张三' },
  };
  // Issued by Beijing on the request of Shenzhen (440300, a centre of this Guangdong gateway).
  const RECORD = { certificateNo: 'ZM-1', issuer: '110000', requester: '440300', status: 'ISSUED' };
  const REQUEST = {
    requestId: 'REQ-1',
    requester: '440300',
    issuer: '110000',
    type: 'DEPOSIT_USE',
    status: 'PENDING',
    subjectRef: 'a'.repeat(64),
  };

  function withCertificate(): ReturnType<typeof buildApp> {
    const built = buildApp();
    built.ledger.on('certificate:Get', () => JSON.stringify(RECORD));
    built.ledger.on('certificate:GetContent', () => JSON.stringify({ record: RECORD, content: CONTENT }));
    built.ledger.on('certificate:GetRequest', () =>
      JSON.stringify({ ...REQUEST, person: { idType: '01', idNumber: RESIDENT_ID, name: '张三' } }),
    );
    return built;
  }

  const read = (app: ReturnType<typeof buildApp>['app'], key: string, path: string) =>
    request(app).get(path).set('Authorization', bearer(key));

  it('auditors get 403 for the content and the PDF, before any private read', async () => {
    const { app, ledger } = withCertificate();
    for (const path of [
      '/v1/certificates/ZM-1/content?issuer=110000',
      '/v1/certificates/ZM-1/pdf?issuer=110000',
    ]) {
      const res = await read(app, AUDITOR_KEY, path);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'FORBIDDEN' });
      expect(JSON.stringify(res.body)).not.toContain(RESIDENT_ID);
    }
    expect(ledger.callsOf('evaluate', 'certificate:GetContent')).toHaveLength(0);
    // The public record stays readable.
    expect((await read(app, AUDITOR_KEY, '/v1/certificates/ZM-1?issuer=110000')).body).toEqual(RECORD);
  });

  it('an operator of another centre of the same gateway gets 403; the requesting centre reads it, logged by IDs', async () => {
    const { app, ledger, logs } = withCertificate();
    const other = await read(app, OPERATOR_KEY, '/v1/certificates/ZM-1/content?issuer=110000');
    expect(other.status).toBe(403);
    expect(ledger.callsOf('evaluate', 'certificate:GetContent')).toHaveLength(0);
    const requester = await read(app, SHENZHEN_OPERATOR_KEY, '/v1/certificates/ZM-1/content?issuer=110000');
    expect(requester.status).toBe(200);
    expect(requester.body).toMatchObject({ content: { person: { idNumber: RESIDENT_ID } } });
    const reads = lines(logs).filter((l) => l.event === 'personal-details-read');
    expect(reads).toEqual([
      expect.objectContaining({
        certificateNo: 'ZM-1',
        issuer: '110000',
        read: 'content',
        keyId: 'ops-440300',
        centre: '440300',
      }),
    ]);
    expect(logs.join('\n')).not.toContain(RESIDENT_ID);
    expect(logs.join('\n')).not.toContain('张三');
  });

  it('a certificate request: the person for the requesting or asked centre only, each read logged', async () => {
    const { app, logs } = withCertificate();
    for (const key of [AUDITOR_KEY, OPERATOR_KEY]) {
      const res = await read(app, key, '/v1/certificate-requests/REQ-1?requester=440300');
      expect(res.status).toBe(200);
      expect(res.body).toEqual(REQUEST);
    }
    expect(lines(logs).filter((l) => l.event === 'personal-details-read')).toHaveLength(0);
    const own = await read(app, SHENZHEN_OPERATOR_KEY, '/v1/certificate-requests/REQ-1?requester=440300');
    expect(own.body).toMatchObject({ ...REQUEST, person: { idNumber: RESIDENT_ID, name: '张三' } });
    expect(lines(logs).filter((l) => l.event === 'personal-details-read')).toEqual([
      expect.objectContaining({
        certificateRequestId: 'REQ-1',
        requester: '440300',
        read: 'certificate-request',
        keyId: 'ops-440300',
      }),
    ]);
    expect(logs.join('\n')).not.toContain(RESIDENT_ID);
  });
});

describe('event streams', () => {
  const event = (block: bigint, n: number): LedgerEvent => ({
    blockNumber: block,
    txId: n.toString(16).padStart(64, '0'),
    name: 'hpf',
    payload: JSON.stringify({ type: 'withdrawal.recorded', centres: ['440000'] }),
  });

  /**
   * A stream with no events whose pending read never ends, not even when it is closed: what a
   * closed Fabric event stream does on a quiet channel.
   */
  function endless(): EventStream {
    return {
      close: () => undefined,
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<LedgerEvent>>(() => undefined),
      }),
    };
  }

  async function listening(overrides: Parameters<typeof buildApp>[0]) {
    const built = buildApp(overrides);
    built.ledger.events = () => Promise.resolve(endless());
    const server = built.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { ...built, server, base };
  }

  it('caps streams per key and per gateway with a 429 problem; a closed stream frees its slot', async () => {
    const { server, base, logs } = await listening({ sseStreamsPerKey: 2, sseStreamsPerGateway: 3 });
    const open: AbortController[] = [];
    const subscribe = async (key: string): Promise<Response> => {
      const controller = new AbortController();
      const res = await fetch(`${base}/v1/events`, {
        headers: { authorization: bearer(key) },
        signal: controller.signal,
      });
      if (res.status === 200) open.push(controller);
      return res;
    };
    try {
      expect((await subscribe(AUDITOR_KEY)).status).toBe(200);
      expect((await subscribe(AUDITOR_KEY)).status).toBe(200);
      const perKey = await subscribe(AUDITOR_KEY);
      expect(perKey.status).toBe(429);
      expect(perKey.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(perKey.headers.get('retry-after')).toBe('5');
      expect(await perKey.json()).toMatchObject({
        code: 'RATE_LIMITED',
        detail: expect.stringMatching(/for this key/),
      });
      expect((await subscribe(OPERATOR_KEY)).status).toBe(200);
      const perGateway = await subscribe(SHENZHEN_OPERATOR_KEY);
      expect(perGateway.status).toBe(429);
      expect(await perGateway.json()).toMatchObject({ detail: expect.stringMatching(/on this gateway/) });
      // One of the auditor's streams ends: its slot comes back (bounded wait for the close to arrive).
      open.shift()?.abort();
      let again = 429;
      for (let attempt = 0; attempt < 50 && again !== 200; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const res = await subscribe(AUDITOR_KEY);
        again = res.status;
        if (res.status !== 200) await res.body?.cancel();
      }
      expect(again).toBe(200);
      expect(logs.join('\n')).not.toContain(AUDITOR_KEY);
    } finally {
      for (const controller of open) controller.abort();
      server.closeAllConnections();
      server.close();
    }
  });

  it('a Last-Event-ID older than the replay window is 410 naming the window start; inside it replays', async () => {
    const { app, ledger } = buildApp({ sseReplayBlocks: 2 });
    for (let n = 0; n < 6; n += 1) {
      ledger.blocks.set(String(n), { number: String(n), dataHash: '', previousHash: '', transactions: [] });
    }
    ledger.eventLog.push(event(3n, 1), event(4n, 2), event(5n, 3));
    // Height 6, window 2 blocks: blocks 4 and 5.
    for (const old of ['0', '3', `3:${'0'.repeat(63)}1`]) {
      const gone = await request(app)
        .get('/v1/events')
        .set('Authorization', bearer(AUDITOR_KEY))
        .set('Last-Event-ID', old);
      expect(gone.status).toBe(410);
      expect(gone.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(gone.headers['x-replay-window-start']).toBe('4');
      expect(gone.body).toMatchObject({
        code: 'REPLAY_WINDOW_EXCEEDED',
        detail: expect.stringMatching(/block 4/),
      });
    }
    const inside = await request(app)
      .get('/v1/events')
      .set('Authorization', bearer(AUDITOR_KEY))
      .set('Last-Event-ID', '4');
    expect(inside.status).toBe(200);
    expect(inside.text.match(/^id: /gm)).toHaveLength(2);
  });
});
