import request from 'supertest';
import { AUDITOR_KEY, OPERATOR_KEY, RESIDENT_ID, RESIDENT_ID_15, bearer, buildApp } from './support/test-app';

describe('personal data is refused in URLs', () => {
  it.each([
    [`/v1/transfers/${RESIDENT_ID}`],
    [`/v1/withdrawals/${RESIDENT_ID}`],
    [`/v1/withdrawals/W-${RESIDENT_ID_15}`],
    [`/v1/withdrawals/${RESIDENT_ID.toLowerCase()}`],
    [`/v1/subjects/${RESIDENT_ID}/timeline`],
    [`/v1/attestations/${RESIDENT_ID}/proof`],
    [`/v1/transfers?direction=incoming&pageToken=${RESIDENT_ID}`],
    [`/v1/transfers?direction=incoming&idNumber=${RESIDENT_ID}`],
    [`/v1/transfers?direction=incoming&name=%E5%BC%A0%E4%B8%89`],
  ])('GET %s is 400 and never reaches the ledger', async (path) => {
    const { app, ledger } = buildApp();
    const res = await request(app).get(path).set('Authorization', bearer(AUDITOR_KEY));
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(ledger.calls).toHaveLength(0);
  });

  it('POST with an ID number in the path is refused too', async () => {
    const { app, ledger } = buildApp();
    const res = await request(app)
      .post(`/v1/withdrawals/${RESIDENT_ID}/reverse`)
      .set('Authorization', bearer(OPERATOR_KEY))
      .send({ reason: 'x' });
    expect(res.status).toBe(400);
    expect(ledger.calls).toHaveLength(0);
  });

  it('a 64-hex txId with long digit runs is not mistaken for an ID number', async () => {
    const { app, ledger } = buildApp();
    const txId = `a${'1'.repeat(17)}b${'0'.repeat(45)}`;
    ledger.transactions.set(txId, {
      txId,
      blockNumber: '5',
      validationCode: 'VALID',
      valid: true,
      timestamp: '2026-01-01T00:00:00.000Z',
      creatorMspId: 'C440000MSP',
      endorsingOrgs: ['C440000MSP', 'RegulatorMSP'],
      chaincode: 'hpf',
    });
    const res = await request(app).get(`/v1/transactions/${txId}`).set('Authorization', bearer(AUDITOR_KEY));
    expect(res.status).toBe(200);
  });

  it('logs carry neither ID numbers nor names nor the API key', async () => {
    const { app, ledger, logs } = buildApp();
    ledger.on('withdrawal:Record', ([input]) =>
      JSON.stringify({ ...(JSON.parse(input!) as object), txId: ledger.currentTxId }),
    );
    await request(app)
      .post('/v1/withdrawals')
      .set('Authorization', bearer(OPERATOR_KEY))
      .send({
        withdrawalId: 'W-1',
        person: { idType: '01', idNumber: RESIDENT_ID, name: '张三' },
        reasonCode: '01',
        amount: '1.00',
        closesAccount: false,
        evidence: [],
        withdrawnOn: '2026-01-01',
      })
      .expect(201);
    await request(app)
      .get(`/v1/withdrawals/${RESIDENT_ID}`)
      .set('Authorization', bearer(OPERATOR_KEY))
      .expect(400);
    const text = logs.join('');
    expect(logs.length).toBeGreaterThan(0);
    expect(text).not.toContain(RESIDENT_ID);
    expect(text).not.toContain('张三');
    expect(text).not.toContain(OPERATOR_KEY);
    expect(text).toContain('"req":{"id":');
  });
});
