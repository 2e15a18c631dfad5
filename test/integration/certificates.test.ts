import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { sha256Hex } from '../../chaincode/src/domain';
import { call, gatewayOf, keyOf } from '../support/http';
import { residentId } from '../support/ledger';
import { depositUseFacts, loanSettledFacts } from '../support/fixtures';

/**
 * Certificates (docs/certificates.md) on the real network, through the HTTP gateways: issued at 110000, verified
 * from the PDF's bytes at 440000 and without a key, tampered, revoked, expired; a cross-province
 * request from 440000 answered by 110000 and downloaded by 440000; 310000 and the auditors read
 * neither content nor PDF (403) nor the request's person. The QR code is decoded from the first page rendered by pdftoppm (poppler-utils).
 */

const BEIJING = gatewayOf('C110000MSP');
const SHANGHAI = gatewayOf('C310000MSP');
const GUANGDONG = gatewayOf('C440000MSP');
// Sequence numbers 500-899 of the birth date belong to this file; certificate numbers carry the run.
const run = Date.now() % 1_000_000;
const person = (sequence: number): Record<string, string> => ({
  idType: '01',
  idNumber: residentId('19850412', 500 + ((run + sequence) % 400)),
  name: '李四',
});
const facts = depositUseFacts();
const farFuture = '2099-12-31T16:00:00Z';

type Gateway = typeof BEIJING;

async function bytes(
  gateway: Gateway,
  urlPath: string,
  role: 'operator' | 'auditor' = 'operator',
): Promise<{ status: number; body: Buffer; type: string }> {
  const response = await fetch(`${gateway.url}${urlPath}`, {
    headers: { authorization: `Bearer ${keyOf(gateway, role)}` },
    signal: AbortSignal.timeout(60_000),
  });
  return {
    status: response.status,
    body: Buffer.from(await response.arrayBuffer()),
    type: response.headers.get('content-type') ?? '',
  };
}

async function verifyPdf(gateway: Gateway, pdf: Buffer, withKey = true): Promise<Record<string, unknown>> {
  const response = await fetch(`${gateway.url}/v1/${withKey ? '' : 'public/'}certificates/verify`, {
    method: 'POST',
    headers: {
      'content-type': 'application/pdf',
      ...(withKey ? { authorization: `Bearer ${keyOf(gateway, 'operator')}` } : {}),
    },
    body: new Uint8Array(pdf),
    signal: AbortSignal.timeout(60_000),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

async function issue(no: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await call(BEIJING, 'operator', 'POST', '/v1/certificates', {
    certificateNo: no,
    type: 'DEPOSIT_USE',
    facts,
    validUntil: farFuture,
    ...body,
  });
  expect(res.status).toBe(201);
  return res.body;
}

/** The embedded canonical content (base64url in the PDF's Info dictionary). */
function embeddedContent(pdf: Buffer): string {
  const match = /\(hpfcontent:1:([A-Za-z0-9_-]+)\)/.exec(pdf.toString('latin1'));
  if (match?.[1] === undefined) throw new Error('no embedded content');
  return match[1];
}

/** Renders page 1 with pdftoppm and decodes the QR code on it with jsQR. */
function qrOfFirstPage(pdf: Buffer): { text: string; png: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'hpf-cert-'));
  writeFileSync(path.join(dir, 'c.pdf'), pdf);
  execFileSync('pdftoppm', ['-r', '150', '-png', '-f', '1', '-l', '1', '-singlefile', 'c.pdf', 'page1'], {
    cwd: dir,
  });
  const png = path.join(dir, 'page1.png');
  const image = PNG.sync.read(readFileSync(png));
  const code = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
  if (code === null) throw new Error('no QR code found on page 1');
  return { text: code.data, png };
}

describe('certificates on the real network', () => {
  const no = `ZM-${run}-1`;
  let pdf: Buffer;
  let contentHash: string;

  it('issues at 110000 with public state free of personal data', async () => {
    const record = await issue(no, { person: person(1) });
    expect(record).toMatchObject({
      certificateNo: no,
      issuer: '110000',
      type: 'DEPOSIT_USE',
      status: 'ISSUED',
    });
    expect(JSON.stringify(record)).not.toContain(person(1).idNumber);
    expect(JSON.stringify(record)).not.toContain('李四');
    contentHash = String(record.contentHash);
    const seen = await call(SHANGHAI, 'operator', 'GET', `/v1/certificates/${no}?issuer=110000`);
    expect(seen.body).toEqual(record);
  });

  it('renders a PDF whose QR code (decoded from the rendered page) carries number, issuer and hash', async () => {
    const download = await bytes(BEIJING, `/v1/certificates/${no}/pdf`);
    expect(download.status).toBe(200);
    expect(download.type).toBe('application/pdf');
    pdf = download.body;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(sha256Hex(Buffer.from(embeddedContent(pdf), 'base64url'))).toBe(contentHash);
    // The ledger recorded the hash of these very bytes at issue (rendered once by the issuing gateway).
    const record = await call(GUANGDONG, 'operator', 'GET', `/v1/certificates/${no}?issuer=110000`);
    expect(record.body.pdfHash).toBe(sha256Hex(pdf));
    const { text, png } = qrOfFirstPage(pdf);
    expect(text).toBe(`hpfcert:1:110000:${no}:${contentHash}`);
    const keep = process.env.HPF_CERTIFICATE_PAGE_PNG;
    if (keep !== undefined && keep !== '') copyFileSync(png, keep);
    rmSync(path.dirname(png), { recursive: true, force: true });
  });

  it('verifies the PDF at 440000 (with and without a key) as VALID, without personal data', async () => {
    const answer = await verifyPdf(GUANGDONG, pdf);
    expect(answer).toMatchObject({
      status: 'VALID',
      certificateNo: no,
      issuer: '110000',
      type: 'DEPOSIT_USE',
    });
    expect(Object.keys(answer).sort()).toEqual([
      'certificateNo',
      'issuedAt',
      'issuer',
      'status',
      'type',
      'validUntil',
    ]);
    expect(await verifyPdf(GUANGDONG, pdf, false)).toEqual(answer);
  });

  it('answers TAMPERED when one byte of the facts in the PDF is changed', async () => {
    const encoded = embeddedContent(pdf);
    const json = Buffer.from(encoded, 'base64url').toString('utf8');
    const changed = json.replace('"balance":"86500.25"', '"balance":"96500.25"');
    expect(changed).not.toBe(json);
    const forged = Buffer.from(
      pdf.toString('latin1').replace(encoded, Buffer.from(changed).toString('base64url')),
      'latin1',
    );
    expect(forged.length).toBe(pdf.length);
    expect((await verifyPdf(GUANGDONG, forged)).status).toBe('TAMPERED');
  });

  it('answers TAMPERED for the issued content in other bytes; UNKNOWN and TAMPERED say nothing more without a key', async () => {
    // One byte of the page's drawing changed: reference and embedded content intact.
    const redrawn = Buffer.from(pdf);
    const at = pdf.indexOf('stream') + 40;
    redrawn[at] = redrawn[at]! ^ 0x01;
    expect(embeddedContent(redrawn)).toBe(embeddedContent(pdf));
    expect(await verifyPdf(GUANGDONG, redrawn)).toEqual({ status: 'TAMPERED' });
    expect(await verifyPdf(GUANGDONG, redrawn, false)).toEqual({ status: 'TAMPERED' });
    const publicVerify = async (body: Record<string, unknown>): Promise<Record<string, unknown>> => {
      const res = await fetch(`${GUANGDONG.url}/v1/public/certificates/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as Record<string, unknown>;
    };
    // A guessed hash for an existing number: no type, dates or number in the answer.
    expect(
      await publicVerify({ certificateNo: no, issuer: '110000', contentHash: sha256Hex('a guess') }),
    ).toEqual({ status: 'TAMPERED' });
    expect(await publicVerify({ certificateNo: `${no}-X`, issuer: '110000', contentHash })).toEqual({
      status: 'UNKNOWN',
    });
  });

  it('answers /healthz while six PDF verifications run at once', async () => {
    // With a key: the key-less endpoint allows 30 a minute per address, which this file nears.
    const verifications = Array.from({ length: 6 }, () => verifyPdf(GUANGDONG, pdf));
    const probes = Array.from({ length: 3 }, () =>
      fetch(`${GUANGDONG.url}/healthz`, { signal: AbortSignal.timeout(60_000) }).then((res) => res.status),
    );
    const [answers, health] = await Promise.all([Promise.all(verifications), Promise.all(probes)]);
    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 6 }, () => 'VALID'));
    expect(health).toEqual([200, 200, 200]);
  });

  it('answers REVOKED once the issuer revokes', async () => {
    const revoked = await call(BEIJING, 'operator', 'POST', `/v1/certificates/${no}/revoke`, {
      reason: '缴存信息录入有误',
    });
    expect(revoked.status).toBe(201);
    expect(revoked.body).toMatchObject({ status: 'REVOKED' });
    expect((await verifyPdf(GUANGDONG, pdf)).status).toBe('REVOKED');
    const again = await call(SHANGHAI, 'operator', 'POST', `/v1/certificates/${no}/revoke`, {
      reason: '无权撤销',
    });
    expect(again.status).toBe(404);
  });

  it('answers EXPIRED for a certificate past its validity', async () => {
    const shortNo = `ZM-${run}-2`;
    const validUntil = new Date(Date.now() + 30_000).toISOString().replace(/\.[0-9]{3}Z$/, 'Z');
    const record = await issue(shortNo, { person: person(2), validUntil });
    const body = { certificateNo: shortNo, issuer: '110000', contentHash: record.contentHash };
    let status = '';
    // Bounded: at most 60 polls of 2 s after the validity end.
    for (let attempt = 0; attempt < 60 && status !== 'EXPIRED'; attempt += 1) {
      const res = await fetch(`${GUANGDONG.url}/v1/public/certificates/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      status = String(((await res.json()) as Record<string, unknown>).status);
      if (status !== 'EXPIRED') await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    expect(status).toBe('EXPIRED');
  }, 240_000);

  it('carries a request from 440000 to 110000: issued, downloaded and verified by 440000; 310000 reads nothing', async () => {
    const requestId = `RQ-${run}-1`;
    const asked = await call(GUANGDONG, 'operator', 'POST', '/v1/certificate-requests', {
      requestId,
      issuer: '110000',
      type: 'DEPOSIT_USE',
      person: person(3),
    });
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({ status: 'PENDING', requester: '440000', issuer: '110000' });
    const queue = await call(
      BEIJING,
      'operator',
      'GET',
      '/v1/certificate-requests?direction=incoming&status=PENDING',
    );
    expect((queue.body.items as { requestId: string }[]).map((item) => item.requestId)).toContain(requestId);
    const seen = await call(
      BEIJING,
      'operator',
      'GET',
      `/v1/certificate-requests/${requestId}?requester=440000`,
    );
    expect(seen.body.person).toEqual(person(3));
    // The organisations' auditors see the request, never the person (both hold it in their collection).
    for (const gateway of [BEIJING, GUANGDONG]) {
      const audited = await call(
        gateway,
        'auditor',
        'GET',
        `/v1/certificate-requests/${requestId}?requester=440000`,
      );
      expect(audited.status).toBe(200);
      expect(audited.body).toMatchObject({ requestId, requester: '440000', issuer: '110000' });
      expect(audited.body.person).toBeUndefined();
      expect(JSON.stringify(audited.body)).not.toContain(person(3).idNumber);
    }

    const reqNo = `ZM-${run}-3`;
    const record = await issue(reqNo, { person: person(3), request: { requester: '440000', requestId } });
    expect(record).toMatchObject({ requester: '440000', requestId });
    const done = await call(
      GUANGDONG,
      'operator',
      'GET',
      '/v1/certificate-requests?direction=outgoing&status=ISSUED',
    );
    expect(done.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ requestId, certificateNo: reqNo })]),
    );
    const download = await bytes(GUANGDONG, `/v1/certificates/${reqNo}/pdf?issuer=110000`);
    expect(download.status).toBe(200);
    expect((await verifyPdf(GUANGDONG, download.body)).status).toBe('VALID');
    const content = await call(
      GUANGDONG,
      'operator',
      'GET',
      `/v1/certificates/${reqNo}/content?issuer=110000`,
    );
    expect(content.body.content).toMatchObject({ person: person(3), facts });

    // Another centre, and the auditors of the issuing and the requesting organisations (whose peers
    // hold the content): 403 for the content and the PDF, the public record only.
    for (const [gateway, role] of [
      [SHANGHAI, 'operator'],
      [BEIJING, 'auditor'],
      [GUANGDONG, 'auditor'],
    ] as const) {
      const refused = await call(gateway, role, 'GET', `/v1/certificates/${reqNo}/content?issuer=110000`);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'FORBIDDEN' });
      const pdfRefused = await bytes(gateway, `/v1/certificates/${reqNo}/pdf?issuer=110000`, role);
      expect(pdfRefused.status).toBe(403);
      expect(pdfRefused.body.toString('utf8')).not.toContain('李四');
      const open = await call(gateway, role, 'GET', `/v1/certificates/${reqNo}?issuer=110000`);
      expect(open.body).toMatchObject({ certificateNo: reqNo, issuer: '110000', requester: '440000' });
      expect(JSON.stringify(open.body)).not.toContain(person(3).idNumber);
    }
    const otherRequest = await call(
      SHANGHAI,
      'operator',
      'GET',
      `/v1/certificate-requests/${requestId}?requester=440000`,
    );
    expect(otherRequest.body.person).toBeUndefined();
  });

  it('lets the centre asked refuse a request with a reason', async () => {
    const requestId = `RQ-${run}-2`;
    await call(GUANGDONG, 'operator', 'POST', '/v1/certificate-requests', {
      requestId,
      issuer: '110000',
      type: 'LOAN_SETTLED',
      person: person(4),
    });
    const wrong = await call(SHANGHAI, 'operator', 'POST', `/v1/certificate-requests/${requestId}/refuse`, {
      requester: '440000',
      reason: '非本中心业务',
    });
    expect(wrong.status).toBeGreaterThanOrEqual(400);
    const refused = await call(BEIJING, 'operator', 'POST', `/v1/certificate-requests/${requestId}/refuse`, {
      requester: '440000',
      reason: '本中心无此人贷款记录',
    });
    expect(refused.status).toBe(201);
    expect(refused.body).toMatchObject({ status: 'REFUSED' });
  });

  it('refuses bad input naming the field', async () => {
    const res = await call(BEIJING, 'operator', 'POST', '/v1/certificates', {
      certificateNo: `ZM-${run}-9`,
      type: 'LOAN_SETTLED',
      person: person(5),
      facts: loanSettledFacts({ loanAmount: '300000.5' }),
      validUntil: farFuture,
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('facts');
  });
});

describe('single-use share codes on the real network (亮码可办)', () => {
  const no = `ZM-${run}-5`;
  let code = '';

  beforeAll(async () => {
    await issue(no, { person: person(5) });
  });

  it('creates a code at the issuer, valid 24 h by default', async () => {
    const res = await call(BEIJING, 'operator', 'POST', `/v1/certificates/${no}/share-codes`, {});
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ code: expect.stringMatching(/^[A-Z2-7]{24}$/), certificateNo: no });
    code = res.body.code as string;
    const hours = (Date.parse(res.body.expiresAt as string) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.5);
    expect(hours).toBeLessThanOrEqual(24);
  });

  it('is redeemed once by another centre (content from the issuer peer), then 409 CODE_USED', async () => {
    const first = await call(GUANGDONG, 'operator', 'POST', '/v1/certificates/redeem', { code });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      status: 'VALID',
      certificate: {
        certificateNo: no,
        issuer: '110000',
        type: 'DEPOSIT_USE',
        person: { idNumber: person(5).idNumber, name: '李四' },
        facts: { balance: '86500.25' },
        validUntil: expect.stringMatching(/^2099-12-31T16:00:00/),
      },
    });
    const again = await call(GUANGDONG, 'operator', 'POST', '/v1/certificates/redeem', { code });
    expect({ status: again.status, code: again.body.code }).toEqual({ status: 409, code: 'CODE_USED' });
    const elsewhere = await call(SHANGHAI, 'operator', 'POST', '/v1/certificates/redeem', {
      code: code.toLowerCase(),
    });
    expect({ status: elsewhere.status, code: elsewhere.body.code }).toEqual({
      status: 409,
      code: 'CODE_USED',
    });
  });

  it('answers 410 CODE_EXPIRED for an expired code and 404 for an unknown one', async () => {
    const short = await call(BEIJING, 'operator', 'POST', `/v1/certificates/${no}/share-codes`, {
      ttlSeconds: 1,
    });
    expect(short.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const expired = await call(GUANGDONG, 'operator', 'POST', '/v1/certificates/redeem', {
      code: short.body.code,
    });
    expect({ status: expired.status, code: expired.body.code }).toEqual({
      status: 410,
      code: 'CODE_EXPIRED',
    });
    const unknown = await call(GUANGDONG, 'operator', 'POST', '/v1/certificates/redeem', {
      code: 'AAAAAAAAAAAAAAAAAAAAAAAA',
    });
    expect(unknown.status).toBe(404);
  });

  it('refuses bad input with 400 naming the field, and the issuer redeeming its own code with 403', async () => {
    const ttl = await call(BEIJING, 'operator', 'POST', `/v1/certificates/${no}/share-codes`, {
      ttlSeconds: 86401,
    });
    expect(ttl.status).toBe(400);
    expect(JSON.stringify(ttl.body)).toContain('ttlSeconds');
    const bad = await call(GUANGDONG, 'operator', 'POST', '/v1/certificates/redeem', { code: 'short' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('code');
    const own = await call(BEIJING, 'operator', 'POST', `/v1/certificates/${no}/share-codes`, {});
    const mine = await call(BEIJING, 'operator', 'POST', '/v1/certificates/redeem', { code: own.body.code });
    expect(mine.status).toBe(403);
    const stillUsable = await call(GUANGDONG, 'operator', 'POST', '/v1/certificates/redeem', {
      code: own.body.code,
    });
    expect(stillUsable.status).toBe(200);
  });
});
