import { pino } from 'pino';
import request from 'supertest';
import { operationsApp } from '../src/http/routes/operations';
import { transferRecord } from '../../test/support/fixtures';
import { ApiError } from '../src/errors';
import { AUDITOR_KEY, OPERATOR_KEY, SHENZHEN_OPERATOR_KEY, bearer, buildApp } from './support/test-app';

const PROBLEM = /^application\/problem\+json/;

function transferJson(fromCentre: string, toCentre: string): string {
  return JSON.stringify(transferRecord({ transferId: '4400002611200001', fromCentre, toCentre }));
}

describe('authentication', () => {
  it('refuses a request without a key with 401 UNAUTHENTICATED as problem+json', async () => {
    const { app, ledger } = buildApp();
    const res = await request(app).get('/v1/withdrawals/W-1');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({
      code: 'UNAUTHENTICATED',
      status: 401,
      type: expect.any(String) as unknown,
      title: expect.any(String) as unknown,
    });
    expect(ledger.calls).toHaveLength(0);
  });

  it.each([
    ['an unknown key', bearer('not-a-configured-key-0000000')],
    ['a basic scheme', `Basic ${OPERATOR_KEY}`],
    ['a short token', 'Bearer abc'],
  ])('refuses %s', async (_name, header) => {
    const { app } = buildApp();
    const res = await request(app).get('/v1/withdrawals/W-1').set('Authorization', header);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

describe('roles', () => {
  it.each([
    ['/v1/withdrawals', {}],
    ['/v1/withdrawals/precheck', {}],
    ['/v1/withdrawals/W-1/reverse', { reason: 'x' }],
    ['/v1/transfers', {}],
    ['/v1/transfers/4400002611200001/accept', {}],
    ['/v1/transfers/4400002611200001/fail', {}],
  ])('an auditor may not POST %s (403 FORBIDDEN)', async (path, body) => {
    const { app, ledger } = buildApp();
    const res = await request(app).post(path).set('Authorization', bearer(AUDITOR_KEY)).send(body);
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ code: 'FORBIDDEN' });
    expect(ledger.callsOf('submit')).toHaveLength(0);
  });

  it('an auditor may read', async () => {
    const { app, ledger } = buildApp();
    ledger.on('transfer:Get', () => transferJson('110000', '440000'));
    const res = await request(app)
      .get('/v1/transfers/4400002611200001')
      .set('Authorization', bearer(AUDITOR_KEY));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ transferId: '4400002611200001' });
  });

  it('an operator may not act as the source of a transfer its centre is the destination of', async () => {
    const { app, ledger } = buildApp();
    ledger.on('transfer:Get', () => transferJson('110000', '440000'));
    const res = await request(app)
      .post('/v1/transfers/4400002611200001/accept')
      .set('Authorization', bearer(OPERATOR_KEY))
      .send({});
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'FORBIDDEN' });
    expect(ledger.callsOf('submit')).toHaveLength(0);
  });

  it("an operator reverses only its own centre's withdrawal with that ID", async () => {
    const { app, ledger } = buildApp();
    // The chaincode scopes the ID to the caller's centre; another centre's W-1 is not found there.
    ledger.on('withdrawal:Reverse', () => {
      throw new ApiError('NOT_FOUND', 'withdrawalId: no withdrawal W-1 at centre 440000');
    });
    const res = await request(app)
      .post('/v1/withdrawals/W-1/reverse')
      .set('Authorization', bearer(OPERATOR_KEY))
      .send({ reason: 'entered twice' });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'NOT_FOUND' });
    expect(ledger.callsOf('submit', 'withdrawal:Reverse').map((call) => call.args.slice(0, 2))).toEqual([
      ['440000', 'W-1'],
    ]);
    expect(ledger.callsOf('evaluate', 'withdrawal:Get')).toHaveLength(0);
  });

  it('binds each operator key to one centre of the organisation; the auditor sees all of them', async () => {
    const { app, ledger } = buildApp();
    ledger.on('withdrawal:Reverse', ([centre, id]) =>
      JSON.stringify({ withdrawalId: id, centre, status: 'REVERSED', reversal: { txId: 'other' } }),
    );
    await request(app)
      .post('/v1/withdrawals/W-1/reverse')
      .set('Authorization', bearer(SHENZHEN_OPERATOR_KEY))
      .send({ reason: 'entered twice' });
    expect(ledger.callsOf('submit', 'withdrawal:Reverse').map((call) => call.args[0])).toEqual(['440300']);
    // Shenzhen's key lists Shenzhen's queue, not the 省直 centre's; the auditor lists both.
    ledger.on('transfer:List', () => JSON.stringify({ items: [], bookmark: '' }));
    const own = await request(app)
      .get('/v1/transfers?direction=incoming&centre=440300')
      .set('Authorization', bearer(SHENZHEN_OPERATOR_KEY));
    expect(own.status).toBe(200);
    const other = await request(app)
      .get('/v1/transfers?direction=incoming&centre=440000')
      .set('Authorization', bearer(SHENZHEN_OPERATOR_KEY));
    expect(other.status).toBe(403);
    for (const centre of ['440000', '440300']) {
      const audited = await request(app)
        .get(`/v1/transfers?direction=incoming&centre=${centre}`)
        .set('Authorization', bearer(AUDITOR_KEY));
      expect(audited.status).toBe(200);
    }
    expect(
      ledger
        .callsOf('evaluate', 'transfer:List')
        .map((c) => (JSON.parse(c.args[0]!) as { centre: string }).centre),
    ).toEqual(['440300', '440000', '440300']);
  });

  it("an operator may not list another centre's queue", async () => {
    const { app } = buildApp();
    const res = await request(app)
      .get('/v1/transfers?direction=incoming&centre=110000')
      .set('Authorization', bearer(OPERATOR_KEY));
    expect(res.status).toBe(403);
  });

  it('the regulator gateway has auditors only, and they must name the centre to list', async () => {
    const { app, ledger } = buildApp({ centreCode: null });
    ledger.on('transfer:List', () => '{"items":[],"bookmark":""}');
    const noCentre = await request(app)
      .get('/v1/transfers?direction=incoming')
      .set('Authorization', bearer(AUDITOR_KEY));
    expect(noCentre.status).toBe(400);
    const withCentre = await request(app)
      .get('/v1/transfers?direction=outgoing&centre=110000&pageSize=5')
      .set('Authorization', bearer(AUDITOR_KEY));
    expect(withCentre.status).toBe(200);
    expect(withCentre.body).toEqual({ items: [], nextPageToken: null });
    expect(JSON.parse(ledger.callsOf('evaluate', 'transfer:List')[0]!.args[0]!)).toEqual({
      centre: '110000',
      direction: 'outgoing',
      pageSize: 5,
    });
    const operator = await request(app).get('/v1/withdrawals/W-1').set('Authorization', bearer(OPERATOR_KEY));
    expect(operator.status).toBe(401);
  });
});

describe('rate limiting', () => {
  it('answers 429 RATE_LIMITED per key once the limit is reached', async () => {
    const { app, ledger } = buildApp({ rateLimitPerMinute: 2 });
    ledger.on('withdrawal:Get', () => '{"withdrawalId":"W-1"}');
    const auth = bearer(OPERATOR_KEY);
    expect((await request(app).get('/v1/withdrawals/W-1').set('Authorization', auth)).status).toBe(200);
    expect((await request(app).get('/v1/withdrawals/W-1').set('Authorization', auth)).status).toBe(200);
    const limited = await request(app).get('/v1/withdrawals/W-1').set('Authorization', auth);
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(PROBLEM);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(limited.body).toMatchObject({ code: 'RATE_LIMITED' });
    const otherKey = await request(app).get('/v1/withdrawals/W-1').set('Authorization', bearer(AUDITOR_KEY));
    expect(otherKey.status).toBe(200);
  });
});

describe('operations', () => {
  it('/healthz answers without a key', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', node: process.version });
  });

  it('/readyz asks the chaincode for its version', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ready', chaincode: { name: 'hpf' } });
  });

  it('/readyz is 503 UNAVAILABLE when the peer does not answer', async () => {
    const { app, ledger } = buildApp();
    ledger.on('meta:Version', () => {
      throw new ApiError('UNAVAILABLE', 'the peer is not reachable');
    });
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('/openapi.json serves every route of the HTTP API', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/openapi.json');
    expect(res.status).toBe(200);
    const paths = Object.keys((res.body as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/v1/transfers',
        '/v1/transfers/{id}',
        '/v1/transfers/{id}/accept',
        '/v1/transfers/{id}/reject',
        '/v1/transfers/{id}/confirm-out',
        '/v1/transfers/{id}/dispute',
        '/v1/transfers/{id}/complete',
        '/v1/transfers/{id}/cancel',
        '/v1/transfers/{id}/fail',
        '/v1/withdrawals',
        '/v1/withdrawals/precheck',
        '/v1/withdrawals/{id}/reverse',
        '/v1/withdrawals/{id}',
        '/v1/subjects/lookup',
        '/v1/subjects/{subjectRef}/timeline',
        '/v1/attestations/{id}/proof',
        '/v1/verify',
        '/v1/transactions/{txId}',
        '/v1/blocks/{number}',
        '/v1/events',
        '/healthz',
        '/readyz',
        '/openapi.json',
      ]),
    );
  });

  it('/metrics is not on the API port (404); the operations listener serves it, counting requests by route and outcome', async () => {
    const { app, metrics } = buildApp();
    const onApi = await request(app).get('/metrics');
    expect(onApi.status).toBe(404);
    expect(onApi.text).not.toContain('hpf_gateway_http_requests_total');
    await request(app).get('/v1/withdrawals/W-1');
    const operations = operationsApp({
      metrics,
      readiness: { check: () => Promise.resolve({ ready: true, chaincode: 'hpf 1.0', checkedAt: 'now' }) },
      logger: pino({ level: 'silent' }),
    } as unknown as Parameters<typeof operationsApp>[0]);
    const res = await request(operations).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(
      /hpf_gateway_http_requests_total\{method="GET",route="\/v1\/withdrawals\/\{id\}",status="401",outcome="client_error"\} 1/,
    );
    expect(res.text).toContain('hpf_gateway_http_request_duration_seconds_bucket');
    expect(res.text).toMatch(/route="unmatched",status="404"/);
    expect((await request(operations).get('/readyz')).body).toMatchObject({ status: 'ready' });
    expect((await request(operations).get('/healthz')).status).toBe(200);
    expect((await request(operations).get('/v1/withdrawals/W-1')).status).toBe(404);
    expect((await request(operations).get('/openapi.json')).status).toBe(404);
    const post = await request(operations).post('/metrics');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET');
  });

  it('unknown routes are 404 NOT_FOUND problems', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/v1/nothing').set('Authorization', bearer(OPERATOR_KEY));
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ code: 'NOT_FOUND' });
  });

  it.each([
    ['DELETE', '/v1/transfers', 'GET, POST', OPERATOR_KEY],
    ['PUT', '/v1/transfers/4400002611200001', 'GET', OPERATOR_KEY],
    ['PATCH', '/v1/withdrawals/W-1', 'GET', AUDITOR_KEY],
    ['GET', '/v1/transfers/4400002611200001/accept', 'POST', OPERATOR_KEY],
    ['POST', '/healthz', 'GET', undefined],
    ['TRACE', '/v1/verify', 'POST', undefined],
  ])(
    '%s %s is 405 METHOD_NOT_ALLOWED with Allow: %s, before any ledger call',
    async (method, path, allow, key) => {
      const { app, ledger } = buildApp();
      const call = request(app)[method.toLowerCase() as 'get'](path);
      const res = await (key === undefined ? call : call.set('Authorization', bearer(key)));
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe(allow);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toMatchObject({ code: 'METHOD_NOT_ALLOWED', status: 405 });
      expect(ledger.calls).toHaveLength(0);
    },
  );

  it('serves the links of the contract in /openapi.json while the validator, which cannot read them, still works', async () => {
    const { app } = buildApp();
    const doc = await request(app).get('/openapi.json');
    expect(doc.body).toMatchObject({
      components: { responses: { Transfer: { links: { GetTransfer: { operationId: 'getTransfer' } } } } },
    });
    const res = await request(app)
      .post('/v1/transfers')
      .set('Authorization', bearer(OPERATOR_KEY))
      .send({ transferId: 'x' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('HEAD is served where GET is', async () => {
    const { app } = buildApp();
    const res = await request(app).head('/healthz');
    expect(res.status).toBe(200);
  });

  it('sets security headers and a request ID', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/healthz').set('X-Request-Id', 'abc-123');
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
