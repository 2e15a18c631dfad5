import { createHash } from 'node:crypto';
import request from 'supertest';
import { evidenceHashOf, freeTextHash, urlCarriesIdNumber } from '../src/domain';
import {
  OPERATOR_KEY,
  PSEUDONYM_KEY,
  RESIDENT_ID,
  RESIDENT_ID_15,
  bearer,
  buildApp,
} from './support/test-app';

/**
 * The gateway half of the personal-data hardening: ID numbers in public identifiers, evidence
 * references and URLs are 400 naming the field before anything reaches the ledger (the chaincode's
 * one detector), and what the gateway sends for evidence and free texts is the keyed hash every
 * endorser recomputes, never the plain SHA-256 the review reversed.
 */

const AUTH = bearer(OPERATOR_KEY);
const body = {
  withdrawalId: 'W-2026-0001',
  person: { idType: '01', idNumber: RESIDENT_ID, name: '张三' },
  reasonCode: '01',
  amount: '1000.00',
  closesAccount: false,
  evidence: [{ kind: 'PURCHASE_CONTRACT', reference: 'GF-2026-0001' }],
  withdrawnOn: '2026-11-20',
};
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

describe('POST /v1/withdrawals: ID numbers in public fields', () => {
  it.each([
    [`WD-${RESIDENT_ID}`],
    [`W${RESIDENT_ID}`],
    [`W${RESIDENT_ID}1`],
    [`W-${RESIDENT_ID_15}`],
    [`W-${RESIDENT_ID.replace(/0/g, 'O')}`],
  ])('withdrawalId %s is 400 naming withdrawalId; nothing reaches the ledger', async (withdrawalId) => {
    const { app, ledger } = buildApp();
    const res = await request(app)
      .post('/v1/withdrawals')
      .set('Authorization', AUTH)
      .send({ ...body, withdrawalId });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'withdrawalId' }] });
    expect(JSON.stringify(res.body)).not.toContain(RESIDENT_ID);
    expect(ledger.calls).toHaveLength(0);
  });

  it.each([
    [RESIDENT_ID],
    [`合同${RESIDENT_ID}号`],
    [RESIDENT_ID.split('').join('\u200b')],
    [RESIDENT_ID.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)))],
    [`〔${RESIDENT_ID_15}〕`],
  ])(
    'an evidence reference holding an ID number (%s) is 400 naming it; nothing is hashed or sent',
    async (reference) => {
      const { app, ledger } = buildApp();
      for (const path of ['/v1/withdrawals', '/v1/withdrawals/precheck']) {
        const res = await request(app)
          .post(path)
          .set('Authorization', AUTH)
          .send({ ...body, evidence: [{ kind: 'PURCHASE_CONTRACT', reference }] });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({
          code: 'VALIDATION_FAILED',
          errors: [{ path: 'evidence[0].reference' }],
        });
      }
      expect(ledger.calls).toHaveLength(0);
    },
  );

  it('sends the keyed evidence hash, the same for look-alike and invisible spellings, never the plain SHA-256', async () => {
    const { app, ledger } = buildApp();
    const spellings = [
      'GF-2026-0001',
      'GF\u00ad2026\u200b0001',
      'ＧＦ：２０２６：０００１',
      'G\u0046[2026]OOO1',
      'GF-2\u041e26-0001',
    ];
    for (const reference of spellings) {
      await request(app)
        .post('/v1/withdrawals/precheck')
        .set('Authorization', AUTH)
        .send({ ...body, evidence: [{ kind: 'PURCHASE_CONTRACT', reference }] });
    }
    const hashes = ledger
      .callsOf('evaluate', 'withdrawal:Precheck')
      .map((call) => (JSON.parse(call.args[0]!) as { evidence: { hash: string }[] }).evidence[0]!.hash);
    expect(hashes).toHaveLength(spellings.length);
    expect(new Set(hashes)).toEqual(new Set([evidenceHashOf(PSEUDONYM_KEY, 'GF20260001')]));
    expect(hashes).not.toContain(sha256('GF20260001'));
  });

  it('sends the keyed hash of a reversal reason, not its SHA-256', async () => {
    const { app, ledger } = buildApp();
    ledger.on('withdrawal:Reverse', () => JSON.stringify({ withdrawalId: 'W-1', status: 'REVERSED' }));
    await request(app)
      .post('/v1/withdrawals/W-1/reverse')
      .set('Authorization', AUTH)
      .send({ reason: '重复录入' });
    const [call] = ledger.callsOf('submit', 'withdrawal:Reverse');
    expect(call!.args[2]).toBe(JSON.stringify({ reasonHash: freeTextHash(PSEUDONYM_KEY, '重复录入') }));
    expect(call!.args[2]).not.toContain(sha256('重复录入'));
  });
});

describe('POST /v1/certificate-requests: requestId', () => {
  it('a requestId holding an ID number is 400 naming requestId; nothing reaches the ledger', async () => {
    const { app, ledger } = buildApp();
    const res = await request(app)
      .post('/v1/certificate-requests')
      .set('Authorization', AUTH)
      .send({
        requestId: `REQ${RESIDENT_ID}`,
        issuer: '110000',
        type: 'DEPOSIT_USE',
        person: { idType: '01', idNumber: RESIDENT_ID, name: '张三' },
      });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'requestId' }] });
    expect(ledger.calls).toHaveLength(0);
  });
});

describe('URL guard: an ID number glued to letters or digits', () => {
  it.each([
    [`/v1/withdrawals/W${RESIDENT_ID}`],
    [`/v1/withdrawals/W${RESIDENT_ID}9/reverse`],
    [`/v1/withdrawals/WD-${RESIDENT_ID_15}`],
    [`/v1/attestations/withdrawal:110000:W${RESIDENT_ID}/proof`],
    [`/v1/withdrawals/W${encodeURIComponent(RESIDENT_ID.split('').join('\u200b'))}`],
    [`/v1/certificates/C${RESIDENT_ID.replace(/0/g, 'O')}?issuer=110000`],
  ])('%s is 400 before anything else sees it', async (url) => {
    expect(urlCarriesIdNumber(url)).toBe(true);
    const { app, ledger } = buildApp();
    const res = await request(app).get(url).set('Authorization', AUTH);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(ledger.calls).toHaveLength(0);
  });

  it.each([
    ['/v1/transfers/1100002611200001'],
    ['/v1/withdrawals/W-2026-0001?centre=110000'],
    ['/v1/attestations/withdrawal:110000:202611200001/proof'],
    ['/v1/transactions/' + 'ab12'.repeat(16)],
  ])('%s passes', (url) => {
    expect(urlCarriesIdNumber(url)).toBe(false);
  });
});
