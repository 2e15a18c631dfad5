import { createHash } from 'node:crypto';
import request from 'supertest';
import { evidenceHashOf, freeTextHash } from '../src/domain';
import { ApiError } from '../src/errors';
import { AUDITOR_KEY, OPERATOR_KEY, PSEUDONYM_KEY, RESIDENT_ID, bearer, buildApp } from './support/test-app';

const AUTH = bearer(OPERATOR_KEY);
const body = {
  withdrawalId: 'W-2026-0001',
  person: { idType: '01', idNumber: RESIDENT_ID.toLowerCase(), name: '张三' },
  reasonCode: '01',
  amount: '1000.5',
  closesAccount: false,
  evidence: [{ kind: 'PURCHASE_CONTRACT', reference: ' gf 2026 0001 ' }],
  withdrawnOn: '2026-11-20',
};

/** The input as the chaincode compares it: amounts by value (1000.5 equals 1000.50). */
function semantic(input: string): string {
  const parsed = JSON.parse(input) as Record<string, unknown>;
  return JSON.stringify({ ...parsed, amount: Number(parsed.amount).toFixed(2) });
}

/** What the chaincode returns for a new record: stamped with the transaction that creates it. */
function recordOf(input: string, txId: string, status = 'RECORDED'): string {
  const parsed = JSON.parse(input) as Record<string, unknown>;
  return JSON.stringify({ ...parsed, amountFen: 100050, status, alerts: [], txId });
}

describe('POST /v1/withdrawals', () => {
  it('records: 201, evidence hashed, own centre, endorsed by own peer and the regulator', async () => {
    const { app, ledger } = buildApp();
    ledger.on('withdrawal:Record', ([input]) => recordOf(input!, ledger.currentTxId));
    const res = await request(app).post('/v1/withdrawals').set('Authorization', AUTH).send(body);
    expect(res.status).toBe(201);
    const [call] = ledger.callsOf('submit', 'withdrawal:Record');
    const input = JSON.parse(call!.args[0]!) as Record<string, unknown>;
    expect(input).toMatchObject({
      withdrawalId: 'W-2026-0001',
      centre: '440000',
      amount: '1000.5',
      evidence: [{ kind: 'PURCHASE_CONTRACT', hash: evidenceHashOf(PSEUDONYM_KEY, 'GF20260001') }],
    });
    // Keyed: not the plain SHA-256 of the reference that anyone could recompute from a guess.
    expect(call!.args[0]).not.toContain(createHash('sha256').update('GF20260001').digest('hex'));
    expect(call!.args[0]).not.toContain('GF');
    expect(call!.args[0]).not.toContain(RESIDENT_ID);
    expect(call!.options.endorsingOrganizations).toEqual(['C440000MSP', 'RegulatorMSP']);
  });

  it('falls back to another centre when the regulator cannot endorse', async () => {
    const { app, ledger } = buildApp();
    ledger.sequence('withdrawal:Record', [
      new ApiError('UNAVAILABLE', 'regulator down', { retry: 'endorser-unavailable' }),
      recordOf(JSON.stringify({ withdrawalId: 'W-2026-0001' }), ledger.currentTxId),
    ]);
    const res = await request(app).post('/v1/withdrawals').set('Authorization', AUTH).send(body);
    expect(res.status).toBe(201);
    expect(ledger.callsOf('submit').map((c) => c.options.endorsingOrganizations)).toEqual([
      ['C440000MSP', 'RegulatorMSP'],
      ['C440000MSP', 'C110000MSP'],
    ]);
  });

  it('is 503 UNAVAILABLE when no endorsement set is reachable', async () => {
    const { app, ledger } = buildApp();
    ledger.on('withdrawal:Record', () => {
      throw new ApiError('UNAVAILABLE', 'down', { retry: 'endorser-unavailable' });
    });
    const res = await request(app).post('/v1/withdrawals').set('Authorization', AUTH).send(body);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'UNAVAILABLE' });
    expect(ledger.callsOf('submit')).toHaveLength(3);
  });

  it.each([
    ['DUPLICATE_EVIDENCE', 409],
    ['ACCOUNT_IN_TRANSFER', 409],
    ['FORBIDDEN', 403],
    ['VALIDATION_FAILED', 400],
  ] as const)('keeps the chaincode code %s (%i)', async (code, status) => {
    const { app, ledger } = buildApp();
    ledger.on('withdrawal:Record', () => {
      throw new ApiError(code, 'refused by the chaincode');
    });
    const res = await request(app).post('/v1/withdrawals').set('Authorization', AUTH).send(body);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ code, detail: 'refused by the chaincode' });
    expect(ledger.callsOf('submit')).toHaveLength(1);
  });

  it('is idempotent on withdrawalId: same body 200, different body 409, one commit', async () => {
    const { app, ledger } = buildApp();
    let stored: { input: string; record: string } | undefined;
    // Like the chaincode: an identical input gets the existing record, a different one CONFLICT.
    ledger.on('withdrawal:Record', ([input]) => {
      if (stored === undefined) {
        stored = { input: input!, record: recordOf(input!, ledger.currentTxId) };
      } else if (semantic(stored.input) !== semantic(input!)) {
        throw new ApiError('CONFLICT', 'withdrawalId: exists with different content');
      }
      return stored.record;
    });
    await request(app).post('/v1/withdrawals').set('Authorization', AUTH).send(body).expect(201);
    const same = await request(app)
      .post('/v1/withdrawals')
      .set('Authorization', AUTH)
      .send({
        ...body,
        amount: '1000.50',
        evidence: [{ kind: 'PURCHASE_CONTRACT', reference: 'gf2026 0001' }],
      });
    expect(same.status).toBe(200);
    expect(same.body).toEqual(JSON.parse(stored!.record));
    const different = await request(app)
      .post('/v1/withdrawals')
      .set('Authorization', AUTH)
      .send({ ...body, amount: '999.00' });
    expect(different.status).toBe(409);
    expect(different.body).toMatchObject({ code: 'CONFLICT' });
    expect(ledger.committed).toHaveLength(1);
    expect(ledger.callsOf('evaluate', 'withdrawal:Get')).toHaveLength(0);
  });

  it('precheck evaluates and returns the answer', async () => {
    const { app, ledger } = buildApp();
    ledger.on(
      'withdrawal:Precheck',
      () => '{"alerts":[],"allowed":false,"violations":[{"code":"DUPLICATE_EVIDENCE","message":"x"}]}',
    );
    const res = await request(app).post('/v1/withdrawals/precheck').set('Authorization', AUTH).send(body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ allowed: false });
    expect(ledger.callsOf('submit')).toHaveLength(0);
  });

  it('reverse: 201; the reason travels in the transient map and only its hash in the argument', async () => {
    const { app, ledger } = buildApp();
    ledger.on('withdrawal:Get', () =>
      JSON.stringify({ withdrawalId: 'W-1', centre: '440000', status: 'RECORDED' }),
    );
    ledger.on('withdrawal:Reverse', () =>
      JSON.stringify({ withdrawalId: 'W-1', status: 'REVERSED', reversal: { txId: ledger.currentTxId } }),
    );
    await request(app)
      .post('/v1/withdrawals/W-1/reverse')
      .set('Authorization', AUTH)
      .send({ reason: 'entered twice' })
      .expect(201);
    const [call] = ledger.callsOf('submit');
    expect(call!.args).toEqual([
      '440000',
      'W-1',
      JSON.stringify({ reasonHash: freeTextHash(PSEUDONYM_KEY, 'entered twice') }),
    ]);
    expect(call!.options.transient).toEqual({ reason: 'entered twice' });
    expect(ledger.committed).toHaveLength(1);
  });

  // Two concurrent identical reversals: the loser of the MVCC race is retried, the chaincode answers a
  // replay (reversal.txId is the winner's) and it is dropped before ordering. Before: 409.
  it('reverse losing an MVCC race to an identical reversal is 200 and never ordered', async () => {
    const { app, ledger } = buildApp();
    ledger.on('withdrawal:Get', () =>
      JSON.stringify({ withdrawalId: 'W-1', centre: '440000', status: 'RECORDED' }),
    );
    ledger.sequence('withdrawal:Reverse', [
      new ApiError('UNAVAILABLE', 'mvcc', { retry: 'read-conflict', txId: 'a'.repeat(64) }),
      JSON.stringify({ withdrawalId: 'W-1', status: 'REVERSED', reversal: { txId: 'f'.repeat(64) } }),
    ]);
    const res = await request(app)
      .post('/v1/withdrawals/W-1/reverse')
      .set('Authorization', AUTH)
      .send({ reason: 'x' });
    expect(res.status).toBe(200);
    expect(ledger.callsOf('submit')).toHaveLength(2);
    expect(ledger.committed).toHaveLength(0);
  });

  it('reverse with another reason: the chaincode CONFLICT is 409', async () => {
    const { app, ledger } = buildApp();
    ledger.on('withdrawal:Get', () =>
      JSON.stringify({ withdrawalId: 'W-1', centre: '440000', status: 'REVERSED' }),
    );
    ledger.on('withdrawal:Reverse', () => {
      throw new ApiError('CONFLICT', 'withdrawalId: W-1 is already reversed with another reason');
    });
    const res = await request(app)
      .post('/v1/withdrawals/W-1/reverse')
      .set('Authorization', AUTH)
      .send({ reason: 'y' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'CONFLICT' });
  });

  it.each([['110105 19491231 002X'], ['１１０１０５１９４９１２３１００２Ｘ'], ['110105-19491231-002x']])(
    'a reason carrying an ID number (%s) is 400 and never reaches the ledger',
    async (id) => {
      const { app, ledger } = buildApp();
      const res = await request(app)
        .post('/v1/withdrawals/W-1/reverse')
        .set('Authorization', AUTH)
        .send({ reason: `录入错误 ${id}` });
      expect(res.status).toBe(400);
      expect(ledger.calls).toHaveLength(0);
    },
  );
});

describe('GET /v1/withdrawals/{id}: IDs are per centre', () => {
  function scopedLedger(ledger: ReturnType<typeof buildApp>['ledger']): void {
    ledger.on('withdrawal:Get', ([centre, id]) =>
      JSON.stringify({ withdrawalId: id, centre, attestationId: `withdrawal:${centre}:${id}` }),
    );
  }

  it("reads the gateway's own centre by default, another centre's with ?centre=", async () => {
    const { app, ledger } = buildApp();
    scopedLedger(ledger);
    const own = await request(app).get('/v1/withdrawals/2026-0001').set('Authorization', AUTH);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ centre: '440000', attestationId: 'withdrawal:440000:2026-0001' });
    const other = await request(app)
      .get('/v1/withdrawals/2026-0001?centre=110000')
      .set('Authorization', bearer(AUDITOR_KEY));
    expect(other.body).toMatchObject({ centre: '110000', attestationId: 'withdrawal:110000:2026-0001' });
    expect(ledger.callsOf('evaluate', 'withdrawal:Get').map((call) => call.args)).toEqual([
      ['440000', '2026-0001'],
      ['110000', '2026-0001'],
    ]);
  });

  it('requires ?centre= on the regulator gateway, and refuses a malformed centre', async () => {
    const { app, ledger } = buildApp({ centreCode: null });
    scopedLedger(ledger);
    const missing = await request(app)
      .get('/v1/withdrawals/2026-0001')
      .set('Authorization', bearer(AUDITOR_KEY));
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      detail: expect.stringContaining('centre: is required on the regulator gateway') as unknown,
    });
    const named = await request(app)
      .get('/v1/withdrawals/2026-0001?centre=310000')
      .set('Authorization', bearer(AUDITOR_KEY));
    expect(named.status).toBe(200);
    expect(named.body).toMatchObject({ centre: '310000' });
    const bad = await request(app)
      .get('/v1/withdrawals/2026-0001?centre=3100')
      .set('Authorization', bearer(AUDITOR_KEY));
    expect(bad.status).toBe(400);
    expect(ledger.callsOf('evaluate', 'withdrawal:Get')).toHaveLength(1);
  });

  it('answers ACCOUNT_CLOSED from the chaincode as 409 problem+json', async () => {
    const { app, ledger } = buildApp();
    ledger.on('withdrawal:Record', () => {
      throw new ApiError(
        'ACCOUNT_CLOSED',
        'subjectRef: the account at centre 440000 is closed (TRANSFER_OUT)',
      );
    });
    const res = await request(app).post('/v1/withdrawals').set('Authorization', AUTH).send(body);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'ACCOUNT_CLOSED', title: 'The account at this centre is closed' });
  });
});
