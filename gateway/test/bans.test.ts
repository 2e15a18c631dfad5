import request from 'supertest';
import { freeTextHash } from '../src/domain';
import { ApiError } from '../src/errors';
import { AUDITOR_KEY, OPERATOR_KEY, PSEUDONYM_KEY, RESIDENT_ID, bearer, buildApp } from './support/test-app';

const AUTH = bearer(OPERATOR_KEY);
const REASON = '伪造租赁合同骗提';
const body = {
  banId: 'BAN-2026-0001',
  person: { idType: '01', idNumber: RESIDENT_ID, name: '张三' },
  ground: 'WITHDRAWAL_FRAUD',
  decidedOn: '2026-11-01',
  reason: REASON,
};

function banRecord(input: string, txId: string, status = 'ACTIVE'): string {
  const parsed = JSON.parse(input) as Record<string, unknown>;
  return JSON.stringify({ ...parsed, from: parsed.decidedOn, until: '2029-11-01', status, txId });
}

describe('/v1/bans', () => {
  it('imposes: 201; person and reason only in the transient map; endorsed like a withdrawal', async () => {
    const { app, ledger } = buildApp();
    ledger.on('ban:Impose', ([input]) => banRecord(input!, ledger.currentTxId));
    const res = await request(app).post('/v1/bans').set('Authorization', AUTH).send(body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      banId: 'BAN-2026-0001',
      centre: '440000',
      status: 'ACTIVE',
      until: '2029-11-01',
    });
    const [call] = ledger.callsOf('submit', 'ban:Impose');
    const input = JSON.parse(call!.args[0]!) as Record<string, unknown>;
    expect(input).toMatchObject({
      banId: 'BAN-2026-0001',
      centre: '440000',
      ground: 'WITHDRAWAL_FRAUD',
      decidedOn: '2026-11-01',
      reasonHash: freeTextHash(PSEUDONYM_KEY, REASON),
    });
    expect(call!.args[0]).not.toContain(RESIDENT_ID);
    expect(call!.args[0]).not.toContain(REASON);
    expect(call!.options.transient).toMatchObject({ reason: REASON });
    expect(call!.options.transient?.person).toContain(RESIDENT_ID);
    expect(call!.options.endorsingOrganizations).toEqual(['C440000MSP', 'RegulatorMSP']);
  });

  it('lifts with the caller centre as scope; another centre is 404 from the chaincode', async () => {
    const { app, ledger } = buildApp();
    ledger.on('ban:Lift', () =>
      JSON.stringify({ banId: 'BAN-1', status: 'LIFTED', lift: { txId: ledger.currentTxId } }),
    );
    await request(app)
      .post('/v1/bans/BAN-1/lift')
      .set('Authorization', AUTH)
      .send({ reason: '复议撤销' })
      .expect(201);
    const [call] = ledger.callsOf('submit', 'ban:Lift');
    expect(call!.args).toEqual([
      '440000',
      'BAN-1',
      JSON.stringify({ reasonHash: freeTextHash(PSEUDONYM_KEY, '复议撤销') }),
    ]);
    expect(call!.options.transient).toEqual({ reason: '复议撤销' });
    const other = buildApp();
    other.ledger.on('ban:Lift', () => {
      throw new ApiError('NOT_FOUND', 'banId: no ban BAN-1 at centre 440000');
    });
    const res = await request(other.app)
      .post('/v1/bans/BAN-1/lift')
      .set('Authorization', AUTH)
      .send({ reason: 'x' });
    expect(res.status).toBe(404);
  });

  it('reads a ban (auditors too); lifting needs an operator', async () => {
    const { app, ledger } = buildApp();
    ledger.on('ban:Get', ([centre, banId]) => JSON.stringify({ banId, centre, status: 'ACTIVE' }));
    const res = await request(app).get('/v1/bans/BAN-1').set('Authorization', bearer(AUDITOR_KEY));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ banId: 'BAN-1', centre: '440000', status: 'ACTIVE' });
    const lift = await request(app)
      .post('/v1/bans/BAN-1/lift')
      .set('Authorization', bearer(AUDITOR_KEY))
      .send({ reason: 'x' });
    expect(lift.status).toBe(403);
    expect(ledger.callsOf('submit')).toHaveLength(0);
  });

  it.each([
    ['SUBJECT_BANNED', 'subjectRef: banned from withdrawals until 2029-11-01'],
    ['WITHDRAWAL_TOO_FREQUENT', 'withdrawnOn: reason 07 at most once every 1 month(s)'],
  ] as const)('a withdrawal refused with %s is 409 with that code', async (code, text) => {
    const { app, ledger } = buildApp();
    ledger.on('withdrawal:Record', () => {
      throw new ApiError(code, text);
    });
    const res = await request(app)
      .post('/v1/withdrawals')
      .set('Authorization', AUTH)
      .send({
        withdrawalId: 'W-1',
        person: body.person,
        reasonCode: '07',
        amount: '1500.00',
        evidence: [{ kind: 'RENT_CONTRACT', reference: 'ZL-1' }],
        withdrawnOn: '2026-11-20',
      });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code, detail: text });
  });

  it('sends the reason default of closesAccount when left out (03 closes, 07 does not)', async () => {
    const { app, ledger } = buildApp();
    ledger.on('withdrawal:Record', ([input]) =>
      JSON.stringify({ ...(JSON.parse(input!) as object), txId: ledger.currentTxId }),
    );
    for (const [reasonCode, closes] of [
      ['03', true],
      ['07', false],
    ] as const) {
      await request(app)
        .post('/v1/withdrawals')
        .set('Authorization', AUTH)
        .send({
          withdrawalId: `W-${reasonCode}`,
          person: body.person,
          reasonCode,
          amount: '1500.00',
          evidence: [],
          withdrawnOn: '2026-11-20',
        })
        .expect(201);
      const calls = ledger.callsOf('submit', 'withdrawal:Record');
      expect(JSON.parse(calls[calls.length - 1]!.args[0]!)).toMatchObject({ closesAccount: closes });
    }
  });
});
