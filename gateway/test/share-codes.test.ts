import request from 'supertest';
import { ApiError } from '../src/errors';
import { shareCodeHash } from '../src/services/certificate-service';
import type { FakeLedger } from './support/fake-ledger';
import { AUDITOR_KEY, OPERATOR_KEY, RESIDENT_ID, bearer, buildApp } from './support/test-app';

const AUTH = bearer(OPERATOR_KEY);
/** A Beijing certificate; this gateway (Guangdong) redeems it. */
const CONTENT = {
  version: 1,
  certificateNo: 'ZM-2026-0001',
  type: 'DEPOSIT_USE',
  issuer: '110000',
  issuerName: 'centre 110000',
  person: { idType: '01', idNumber: RESIDENT_ID, name: '张三' },
  facts: {
    employerName: '北京某某科技有限公司',
    openedOn: '2015-03-01',
    accountStatus: '01',
    accountNo: '110001234567',
    depositBase: '10000.00',
    employerRate: '12.00',
    personalRate: '12.00',
    paidUpTo: '202610',
    monthlyDeposit: '2400.00',
    balance: '86500.25',
    continuousFrom: '201503',
    continuousTo: '202610',
    loansUsed: 0,
    loanOutstanding: false,
  },
  validUntil: '2099-12-31T16:00:00.000Z',
};

/** A ledger with one share code per hash, answering as the chaincode does (status codes included). */
function shareLedger(ledger: FakeLedger, issuerMsp = 'C110000MSP'): Map<string, Record<string, unknown>> {
  const codes = new Map<string, Record<string, unknown>>();
  ledger.on('certificate:CreateShareCode', ([issuer, no, input]) => {
    const { codeHash, ttlSeconds } = JSON.parse(input!) as { codeHash: string; ttlSeconds: number };
    const record = {
      codeHash,
      issuer,
      issuerMsp: 'C440000MSP',
      certificateNo: no,
      expiresAt: new Date(Date.UTC(2026, 10, 23) + ttlSeconds * 1000).toISOString(),
      status: 'ACTIVE',
    };
    codes.set(codeHash, record);
    return JSON.stringify(record);
  });
  ledger.on('certificate:GetShareCode', ([codeHash]) => {
    const record = codes.get(codeHash!);
    if (record === undefined) throw new ApiError('NOT_FOUND', 'code: no such share code');
    return JSON.stringify(record);
  });
  ledger.on('certificate:RedeemShareCode', ([input]) => {
    const { codeHash } = JSON.parse(input!) as { codeHash: string };
    const record = codes.get(codeHash)!;
    if (record.status === 'USED') throw new ApiError('CODE_USED', 'code: already redeemed');
    if (record.expired === true) throw new ApiError('CODE_EXPIRED', 'code: expired');
    record.status = 'USED';
    return JSON.stringify({ shareCode: record, certificate: { status: 'VALID' } });
  });
  ledger.on('certificate:GetSharedContent', () =>
    JSON.stringify({ record: { issuedAt: '2026-11-23T08:00:00.000Z' }, content: CONTENT }),
  );
  codes.set(shareCodeHash('K7Q2M4WZX3PYR6T5V2N7B4C3'), {
    issuer: '110000',
    issuerMsp,
    certificateNo: CONTENT.certificateNo,
    status: 'ACTIVE',
  });
  codes.set(shareCodeHash('EXPIREDEXPIREDEXPIREDEXP'), { issuerMsp, status: 'ACTIVE', expired: true });
  return codes;
}

describe('POST /v1/certificates/{no}/share-codes', () => {
  it('draws a 120-bit code and sends only its hash and the expiry to the ledger (24 h by default)', async () => {
    const { app, ledger } = buildApp();
    shareLedger(ledger);
    const res = await request(app)
      .post('/v1/certificates/ZM-2026-0002/share-codes')
      .set('Authorization', AUTH);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      code: expect.stringMatching(/^[A-Z2-7]{24}$/),
      certificateNo: 'ZM-2026-0002',
    });
    const code = (res.body as { code: string }).code;
    const [call] = ledger.callsOf('submit', 'certificate:CreateShareCode');
    expect(call!.args.join()).not.toContain(code);
    expect(JSON.parse(call!.args[2]!)).toEqual({
      codeHash: shareCodeHash(code),
      ttlSeconds: 86400,
    });
    const again = await request(app)
      .post('/v1/certificates/ZM-2026-0002/share-codes')
      .set('Authorization', AUTH);
    expect((again.body as { code: string }).code).not.toBe(code);
  });

  it.each([[{ ttlSeconds: 0 }], [{ ttlSeconds: 86401 }], [{ ttlSeconds: 'soon' }], [{ other: 1 }]])(
    'refuses %j with 400 naming the field, and sends nothing',
    async (payload) => {
      const { app, ledger } = buildApp();
      shareLedger(ledger);
      const res = await request(app)
        .post('/v1/certificates/ZM-2026-0002/share-codes')
        .set('Authorization', AUTH)
        .send(payload);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toContain(Object.keys(payload)[0]!);
      expect(ledger.callsOf('submit')).toHaveLength(0);
    },
  );

  it('is refused to auditors', async () => {
    const { app } = buildApp();
    const res = await request(app)
      .post('/v1/certificates/ZM-2026-0002/share-codes')
      .set('Authorization', bearer(AUDITOR_KEY));
    expect(res.status).toBe(403);
  });
});

describe('POST /v1/certificates/redeem', () => {
  it('redeems once, endorsed by the issuer, with the content from the issuer peer; then 409 CODE_USED', async () => {
    const { app, ledger } = buildApp();
    shareLedger(ledger);
    const first = await request(app)
      .post('/v1/certificates/redeem')
      .set('Authorization', AUTH)
      .send({ code: 'k7q2m4wzx3pyr6t5v2n7b4c3' });
    expect(first.body).toMatchObject({ status: 'VALID' });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      status: 'VALID',
      certificate: {
        certificateNo: 'ZM-2026-0001',
        issuer: '110000',
        issuerName: 'centre 110000',
        type: 'DEPOSIT_USE',
        person: CONTENT.person,
        facts: CONTENT.facts,
        issuedAt: '2026-11-23T08:00:00.000Z',
        validUntil: CONTENT.validUntil,
      },
    });
    const [redeem] = ledger.callsOf('submit', 'certificate:RedeemShareCode');
    expect(redeem!.options.endorsingOrganizations).toEqual(['C110000MSP', 'C440000MSP']);
    expect(redeem!.args[0]).not.toContain('K7Q2M4WZX3PYR6T5V2N7B4C3');
    const [content] = ledger.callsOf('evaluate', 'certificate:GetSharedContent');
    expect(content!.options.endorsingOrganizations).toEqual(['C110000MSP']);
    const second = await request(app)
      .post('/v1/certificates/redeem')
      .set('Authorization', AUTH)
      .send({ code: 'K7Q2M4WZX3PYR6T5V2N7B4C3' });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'CODE_USED' });
  });

  it('answers 410 CODE_EXPIRED, 404 for an unknown code and 403 for the issuing organisation', async () => {
    const { app, ledger } = buildApp();
    shareLedger(ledger);
    const send = (code: string): request.Test =>
      request(app).post('/v1/certificates/redeem').set('Authorization', AUTH).send({ code });
    expect((await send('EXPIREDEXPIREDEXPIREDEXP')).body).toMatchObject({
      status: 410,
      code: 'CODE_EXPIRED',
    });
    expect((await send('AAAAAAAAAAAAAAAAAAAAAAAA')).body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    const own = buildApp();
    shareLedger(own.ledger, 'C440000MSP');
    const mine = await request(own.app)
      .post('/v1/certificates/redeem')
      .set('Authorization', AUTH)
      .send({ code: 'K7Q2M4WZX3PYR6T5V2N7B4C3' });
    expect(mine.status).toBe(403);
    expect(own.ledger.callsOf('submit')).toHaveLength(0);
  });

  it.each([[{}], [{ code: 'short' }], [{ code: 'K7Q2M4W9X3P8R6T5V2N7B4C1' }], [{ code: 1 }]])(
    'refuses %j with 400 naming the code, and sends nothing',
    async (payload) => {
      const { app, ledger } = buildApp();
      shareLedger(ledger);
      const res = await request(app).post('/v1/certificates/redeem').set('Authorization', AUTH).send(payload);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toContain('code');
      expect(ledger.callsOf('submit')).toHaveLength(0);
    },
  );
});
