import { createHash } from 'node:crypto';
import request from 'supertest';
import { embeddedCertificate, qrPayload } from '../src/services/certificate-pdf';
import type { FakeLedger } from './support/fake-ledger';
import { AUDITOR_KEY, OPERATOR_KEY, RESIDENT_ID, bearer, buildApp } from './support/test-app';
import { certificateIssueBody, depositUseFacts } from '../../test/support/fixtures';

const AUTH = bearer(OPERATOR_KEY);
const body = certificateIssueBody(
  { idType: '01', idNumber: RESIDENT_ID.toLowerCase(), name: ' 张三 ' },
  { facts: depositUseFacts({ employerName: '广州某某科技有限公司' }) },
);

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** A ledger that keeps what Issue was given, and answers Get / GetContent / Verify from it. */
function certificateLedger(ledger: FakeLedger): void {
  const records = new Map<string, Record<string, unknown>>();
  const contents = new Map<string, string>();
  ledger.on('certificate:Issue', ([input], options) => {
    const argument = JSON.parse(input!) as { contentHash: string; subjectRef: string };
    const content = options.transient?.content ?? '';
    const parsed = JSON.parse(content) as {
      certificateNo: string;
      issuer: string;
      type: string;
      validUntil: string;
    };
    const record = {
      certificateNo: parsed.certificateNo,
      issuer: parsed.issuer,
      type: parsed.type,
      subjectRef: argument.subjectRef,
      contentHash: argument.contentHash,
      issuedAt: '2026-11-23T08:00:00.000Z',
      validUntil: parsed.validUntil,
      status: 'ISSUED',
      txId: ledger.currentTxId,
    };
    records.set(`${parsed.issuer}:${parsed.certificateNo}`, record);
    contents.set(`${parsed.issuer}:${parsed.certificateNo}`, content);
    return JSON.stringify(record);
  });
  ledger.on('certificate:GetContent', ([issuer, no]) => {
    const record = records.get(`${issuer!}:${no!}`);
    return JSON.stringify({
      record,
      content: JSON.parse(contents.get(`${issuer!}:${no!}`) ?? 'null') as unknown,
    });
  });
  ledger.on('certificate:Verify', ([issuer, no, hash]) => {
    const record = records.get(`${issuer!}:${no!}`);
    if (record === undefined) return JSON.stringify({ status: 'UNKNOWN', certificateNo: no, issuer });
    const status = record.contentHash === hash ? 'VALID' : 'TAMPERED';
    const { certificateNo, type, issuedAt, validUntil } = record;
    return JSON.stringify({ status, certificateNo, issuer, type, issuedAt, validUntil });
  });
}

async function issued(): Promise<{
  app: ReturnType<typeof buildApp>['app'];
  ledger: FakeLedger;
  pdf: Buffer;
}> {
  const { app, ledger } = buildApp();
  certificateLedger(ledger);
  const res = await request(app).post('/v1/certificates').set('Authorization', AUTH).send(body);
  expect(res.status).toBe(201);
  const pdf = await request(app)
    .get('/v1/certificates/ZM-2026-0001/pdf')
    .set('Authorization', AUTH)
    .buffer(true)
    .parse((response, callback) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => callback(null, Buffer.concat(chunks)));
    });
  expect(pdf.status).toBe(200);
  expect(pdf.headers['content-type']).toBe('application/pdf');
  return { app, ledger, pdf: pdf.body as Buffer };
}

describe('POST /v1/certificates', () => {
  it('sends the content hash and subjectRef only; the canonical content goes in the transient map', async () => {
    const { ledger } = await issued();
    const [call] = ledger.callsOf('submit', 'certificate:Issue');
    const argument = call!.args[0]!;
    expect(argument).not.toContain(RESIDENT_ID);
    expect(argument).not.toContain('张三');
    const content = call!.options.transient!.content!;
    expect(JSON.parse(argument)).toMatchObject({ contentHash: sha256(content) });
    expect(JSON.parse(content)).toMatchObject({
      issuer: '440000',
      issuerName: 'centre 440000',
      person: { idType: '01', idNumber: RESIDENT_ID, name: '张三' },
    });
    expect(call!.options.endorsingOrganizations).toEqual(['C440000MSP', 'RegulatorMSP']);
  });

  it.each([
    [{ facts: { ...body.facts, balance: '86500.2' } }, 'facts.balance'],
    [{ facts: { ...body.facts, openedOn: '2015-02-30' } }, 'facts.openedOn'],
    [{ facts: { ...body.facts, accountStatus: 'NORMAL' } }, 'facts.accountStatus'],
    [{ facts: { ...body.facts, personalRate: '12' } }, 'facts.personalRate'],
    [{ facts: { ...body.facts, continuousFrom: '202611' } }, 'facts.continuousTo'],
    [{ facts: { ...body.facts, employerRate: undefined } }, 'facts.employerRate'],
    [{ facts: { ...body.facts, accountNo: '110 001' } }, 'facts.accountNo'],
    [{ type: 'LOAN_SETTLED' }, 'facts'],
    [{ validUntil: '2099-12-31' }, 'validUntil'],
    [{ person: { ...body.person, idNumber: '110105194912310021' } }, 'person.idNumber'],
  ])('refuses bad input naming the field (%#)', async (change, field) => {
    const { app, ledger } = buildApp();
    certificateLedger(ledger);
    const res = await request(app)
      .post('/v1/certificates')
      .set('Authorization', AUTH)
      .send({ ...body, ...change });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain(field);
    expect(ledger.callsOf('submit')).toHaveLength(0);
  });

  it('is refused to auditors', async () => {
    const { app } = buildApp();
    const res = await request(app)
      .post('/v1/certificates')
      .set('Authorization', bearer(AUDITOR_KEY))
      .send(body);
    expect(res.status).toBe(403);
  });
});

describe('certificate PDF and verification', () => {
  it('embeds the content and the QR reference; the PDF verifies VALID, a changed byte TAMPERED', async () => {
    const { app, pdf } = await issued();
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const embedded = embeddedCertificate(pdf);
    const contentHash = sha256(embedded!.contentBytes!);
    expect(embedded).toMatchObject({ issuer: '440000', certificateNo: 'ZM-2026-0001', contentHash });
    expect(pdf.toString('latin1')).toContain(qrPayload('440000', 'ZM-2026-0001', contentHash));
    const verify = (bytes: Buffer, key?: string): request.Test => {
      const req = request(app).post(
        key === undefined ? '/v1/public/certificates/verify' : '/v1/certificates/verify',
      );
      return (key === undefined ? req : req.set('Authorization', key))
        .set('Content-Type', 'application/pdf')
        .send(bytes);
    };
    const valid = await verify(pdf, AUTH);
    expect(valid.status).toBe(200);
    expect(valid.body).toEqual({
      status: 'VALID',
      certificateNo: 'ZM-2026-0001',
      issuer: '440000',
      type: 'DEPOSIT_USE',
      issuedAt: '2026-11-23T08:00:00.000Z',
      validUntil: '2099-12-31T16:00:00.000Z',
    });
    expect((await verify(pdf)).body).toMatchObject({ status: 'VALID' });
    // One byte of the embedded facts changed (the balance's first digit): the hash is no longer the ledger's.
    const json = embedded!
      .contentBytes!.toString('utf8')
      .replace('"balance":"86500.25"', '"balance":"96500.25"');
    const forged = Buffer.from(
      pdf
        .toString('latin1')
        .replace(embedded!.contentBytes!.toString('base64url'), Buffer.from(json).toString('base64url')),
      'latin1',
    );
    expect(forged.length).toBe(pdf.length);
    expect((await verify(forged, AUTH)).body).toMatchObject({ status: 'TAMPERED' });
    // One byte changed in the page's drawing (the content stream): the document is not the issued one.
    const middle = Buffer.from(pdf);
    const at = pdf.indexOf('stream') + 40;
    middle[at] = middle[at]! ^ 0x01;
    expect((await verify(middle, AUTH)).body).toMatchObject({ status: 'TAMPERED' });
  });

  it('verifies by number and hash; 400 naming the field for a PDF that is not ours', async () => {
    const { app, pdf } = await issued();
    const contentHash = sha256(embeddedCertificate(pdf)!.contentBytes!);
    const byHash = await request(app)
      .post('/v1/certificates/verify')
      .set('Authorization', AUTH)
      .send({ certificateNo: 'ZM-2026-0001', contentHash });
    expect(byHash.body).toMatchObject({ status: 'VALID', issuer: '440000' });
    const unknown = await request(app)
      .post('/v1/public/certificates/verify')
      .send({ certificateNo: 'ZM-9', issuer: '440000', contentHash });
    expect(unknown.body).toEqual({ status: 'UNKNOWN', certificateNo: 'ZM-9', issuer: '440000' });
    const missing = await request(app)
      .post('/v1/public/certificates/verify')
      .send({ certificateNo: 'ZM-9', contentHash });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain('issuer');
    const notOurs = await request(app)
      .post('/v1/public/certificates/verify')
      .set('Content-Type', 'application/pdf')
      .send(Buffer.from('%PDF-1.4\n%%EOF\n'));
    expect(notOurs.status).toBe(400);
    expect(notOurs.body).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('rate-limits key-less verification per client address', async () => {
    const { app, ledger } = buildApp({ publicVerifyRateLimitPerMinute: 2 });
    certificateLedger(ledger);
    const send = (): request.Test =>
      request(app)
        .post('/v1/public/certificates/verify')
        .send({ certificateNo: 'ZM-1', issuer: '440000', contentHash: 'a'.repeat(64) });
    expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(200);
    const limited = await send();
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('keeps key-less access to the public path only', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/v1/certificates/ZM-2026-0001');
    expect(res.status).toBe(401);
  });
});
