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

  const encodeEach = (text: string, prefix: string): string =>
    text.replace(/./g, (c) => `${prefix}${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const SPELLINGS: [string, string][] = [
    ['percent-encoded', encodeEach(RESIDENT_ID, '%')],
    ['double percent-encoded', encodeEach(RESIDENT_ID, '%25')],
    ['with encoded spaces', '110105%2019491231%20002X'],
    ['with plus signs', '110105+19491231+002X'],
    ['with hyphens', '110105-19491231-002X'],
    ['with dots', '110105.19491231.002X'],
    ['in full-width digits', encodeURIComponent('１１０１０５１９４９１２３１００２Ｘ')],
    ['full-width with a full-width hyphen', encodeURIComponent('１１０１０５－１９４９１２３１００２Ｘ')],
    ['15 digits percent-encoded', encodeEach(RESIDENT_ID_15, '%')],
  ];

  it.each(SPELLINGS)(
    'an ID number %s in the path or query is refused 400 and never logged',
    async (_kind, id) => {
      for (const path of [
        `/v1/withdrawals/${id}`,
        `/v1/transfers?direction=incoming&pageToken=${id}`,
        `/v1/transfers?direction=incoming&idNumber=${id}`,
        `/v1/nowhere/${id}`,
      ]) {
        const { app, ledger, logs } = buildApp();
        const res = await request(app).get(path).set('Authorization', bearer(AUDITOR_KEY));
        expect(res.status).toBe(400);
        expect(ledger.calls).toHaveLength(0);
        const text = logs.join('');
        expect(text).toContain('"req":{"id":');
        expect(text).not.toContain(id);
        expect(text).not.toContain('19491231');
        expect(text).not.toContain('%31%39%34%39');
      }
    },
  );

  it('an ID number spread over path segments is not logged either', async () => {
    const { app, logs } = buildApp();
    await request(app).get('/v1/nowhere/110105/19491231/002X').set('Authorization', bearer(AUDITOR_KEY));
    const text = logs.join('');
    expect(text).toContain('"req":{"id":');
    expect(text).not.toContain('19491231');
  });

  it('ordinary URLs are logged as they are, transfer IDs masked as before', async () => {
    const { app, logs } = buildApp();
    await request(app)
      .get('/v1/transfers?direction=incoming&pageSize=20')
      .set('Authorization', bearer(AUDITOR_KEY));
    await request(app).get('/v1/withdrawals/W-2026-0001').set('Authorization', bearer(AUDITOR_KEY));
    await request(app).get('/v1/transfers/4400002611200001').set('Authorization', bearer(AUDITOR_KEY));
    const text = logs.join('');
    expect(text).toContain('"url":"/v1/transfers?direction=incoming&pageSize=20"');
    expect(text).toContain('"url":"/v1/withdrawals/W-2026-0001"');
    expect(text).toContain('"url":"/v1/transfers/***"');
  });
});
