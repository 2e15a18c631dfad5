import { createHash } from 'node:crypto';
import request from 'supertest';
import * as certificatePdf from '../src/services/certificate-pdf';
import { certificateContent } from '../src/domain';
import type { FakeLedger } from './support/fake-ledger';
import { AUDITOR_KEY, OPERATOR_KEY, RESIDENT_ID, bearer, buildApp } from './support/test-app';
import { certificateIssueBody, depositUseFacts } from '../../test/support/fixtures';

const AUTH = bearer(OPERATOR_KEY);
const body = certificateIssueBody(
  { idType: '01', idNumber: RESIDENT_ID.toLowerCase(), name: ' 张三 ' },
  { facts: depositUseFacts({ employerName: '广州某某科技有限公司' }) },
);

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * A ledger that keeps what Issue was given and answers Get / GetContent / Verify / VerifyPdf from it,
 * as certificate-contract.ts does: the PDF by its bytes' hash, UNKNOWN and TAMPERED with the status only.
 */
function certificateLedger(ledger: FakeLedger): void {
  const records = new Map<string, Record<string, unknown>>();
  const contents = new Map<string, string>();
  ledger.on('certificate:Issue', ([input], options) => {
    const argument = JSON.parse(input!) as {
      contentHash: string;
      pdfHash: string;
      issuedAt: string;
      subjectRef: string;
    };
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
      pdfHash: argument.pdfHash,
      issuedAt: argument.issuedAt,
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
  const answer = (record: Record<string, unknown> | undefined, matches: boolean): string => {
    if (record === undefined) return JSON.stringify({ status: 'UNKNOWN' });
    if (!matches) return JSON.stringify({ status: 'TAMPERED' });
    const { certificateNo, issuer, type, issuedAt, validUntil } = record;
    return JSON.stringify({ status: 'VALID', certificateNo, issuer, type, issuedAt, validUntil });
  };
  ledger.on('certificate:Verify', ([issuer, no, hash]) => {
    const record = records.get(`${issuer!}:${no!}`);
    return answer(record, record?.contentHash === hash);
  });
  ledger.on('certificate:VerifyPdf', ([issuer, no, pdfHash]) => {
    const record = records.get(`${issuer!}:${no!}`);
    return answer(record, record?.pdfHash === pdfHash);
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
  it('sends the content hash, the hash of the rendered PDF and subjectRef; the content goes in the transient map', async () => {
    const { ledger, pdf } = await issued();
    const [call] = ledger.callsOf('submit', 'certificate:Issue');
    const argument = call!.args[0]!;
    expect(argument).not.toContain(RESIDENT_ID);
    expect(argument).not.toContain('张三');
    const content = call!.options.transient!.content!;
    expect(JSON.parse(argument)).toMatchObject({
      contentHash: sha256(content),
      pdfHash: sha256(pdf),
      issuedAt: expect.stringMatching(/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z$/) as unknown,
    });
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
    const { app, ledger, pdf } = await issued();
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const embedded = certificatePdf.embeddedCertificate(pdf);
    const contentHash = sha256(embedded!.contentBytes!);
    expect(embedded).toMatchObject({ issuer: '440000', certificateNo: 'ZM-2026-0001', contentHash });
    expect(pdf.toString('latin1')).toContain(certificatePdf.qrPayload('440000', 'ZM-2026-0001', contentHash));
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
      issuedAt: (
        JSON.parse(ledger.callsOf('submit', 'certificate:Issue')[0]!.args[0]!) as { issuedAt: string }
      ).issuedAt,
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

  it('answers TAMPERED for the issued content in other bytes, and never renders to verify', async () => {
    const { app, ledger, pdf } = await issued();
    const embedded = certificatePdf.embeddedCertificate(pdf)!;
    const content = certificateContent(JSON.parse(embedded.contentBytes!.toString('utf8')));
    // The same content and reference, rendered for another issue time: a genuine-looking document.
    const rerendered = await certificatePdf.renderCertificatePdf(content, '2026-12-01T08:00:00.000Z');
    expect(certificatePdf.embeddedCertificate(rerendered)).toEqual(embedded);
    expect(rerendered.equals(pdf)).toBe(false);
    const render = jest.spyOn(certificatePdf, 'renderCertificatePdf');
    try {
      const answer = await request(app)
        .post('/v1/public/certificates/verify')
        .set('Content-Type', 'application/pdf')
        .send(rerendered);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ status: 'TAMPERED' });
      const valid = await request(app)
        .post('/v1/public/certificates/verify')
        .set('Content-Type', 'application/pdf')
        .send(pdf);
      expect(valid.body).toMatchObject({ status: 'VALID' });
      expect(render).not.toHaveBeenCalled();
    } finally {
      render.mockRestore();
    }
    const [issue] = ledger.callsOf('submit', 'certificate:Issue');
    const { pdfHash } = JSON.parse(issue!.args[0]!) as { pdfHash: string };
    expect(ledger.callsOf('evaluate', 'certificate:VerifyPdf').map((call) => call.args)).toEqual([
      ['440000', 'ZM-2026-0001', sha256(rerendered), embedded.contentHash],
      ['440000', 'ZM-2026-0001', pdfHash, embedded.contentHash],
    ]);
  });

  it('answers /healthz while PDF verifications run concurrently', async () => {
    const { app, pdf } = await issued();
    const verifications = Array.from({ length: 6 }, () =>
      request(app).post('/v1/public/certificates/verify').set('Content-Type', 'application/pdf').send(pdf),
    );
    const health = Array.from({ length: 3 }, () => request(app).get('/healthz'));
    const [answers, probes] = await Promise.all([Promise.all(verifications), Promise.all(health)]);
    expect(answers.map((res) => [res.status, (res.body as { status?: string }).status])).toEqual(
      Array.from({ length: 6 }, () => [200, 'VALID']),
    );
    expect(probes.map((res) => res.status)).toEqual([200, 200, 200]);
  });

  it('refuses a download the renderer can no longer produce as issued (409), rather than a TAMPERED PDF', async () => {
    const { app, ledger } = await issued();
    const held = JSON.parse(
      await ledger.evaluate('certificate', 'GetContent', ['440000', 'ZM-2026-0001']),
    ) as {
      record: Record<string, unknown>;
      content: unknown;
    };
    // As if the PDF had been issued by a renderer whose output differs from this gateway's.
    ledger.on('certificate:GetContent', () =>
      JSON.stringify({ ...held, record: { ...held.record, pdfHash: sha256('an older rendering') } }),
    );
    const res = await request(app).get('/v1/certificates/ZM-2026-0001/pdf').set('Authorization', AUTH);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'INVALID_STATE' });
    expect(JSON.stringify(res.body)).toContain('supersedes');
  });

  it('verifies by number and hash; 400 naming the field for a PDF that is not ours', async () => {
    const { app, pdf } = await issued();
    const contentHash = sha256(certificatePdf.embeddedCertificate(pdf)!.contentBytes!);
    const byHash = await request(app)
      .post('/v1/certificates/verify')
      .set('Authorization', AUTH)
      .send({ certificateNo: 'ZM-2026-0001', contentHash });
    expect(byHash.body).toMatchObject({ status: 'VALID', issuer: '440000' });
    const unknown = await request(app)
      .post('/v1/public/certificates/verify')
      .send({ certificateNo: 'ZM-9', issuer: '440000', contentHash });
    expect(unknown.body).toEqual({ status: 'UNKNOWN' });
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
