import {
  certificateContentBytes,
  certificateContentHash,
  freeTextHash,
  sha256Hex,
  type CertificateContent,
} from '../src/domain';
import {
  ALICE,
  ALICE_ID,
  ALICE_NAME,
  BEIJING,
  BOB,
  expectHpf,
  GUANGDONG,
  parse,
  REGULATOR,
  SHANGHAI,
  TestNetwork,
  type Invocation,
  homeCentreOf,
  PSEUDONYM_KEY,
} from './harness';
import { sealKey } from '../src/endorsement';
import { depositUseFacts } from '../../test/support/fixtures';

function content(overrides: Partial<CertificateContent> = {}): CertificateContent {
  return {
    version: 1,
    certificateNo: 'ZM-2026-0001',
    type: 'DEPOSIT_USE',
    issuer: BEIJING.code,
    issuerName: BEIJING.name,
    person: { idType: '01', idNumber: ALICE_ID, name: ALICE_NAME },
    facts: depositUseFacts({ loansUsed: 0 }),
    validUntil: '2027-05-20T16:00:00.000Z',
    ...overrides,
  };
}

/** Stands for the SHA-256 of the PDF an issuing gateway rendered (the chaincode checks its shape only). */
const PDF_HASH = sha256Hex('the issued PDF');

/** The argument an honest gateway sends: the PDF rendered with the issue time it gives (now). */
function issueArgument(net: TestNetwork, body: CertificateContent): Record<string, unknown> {
  return {
    contentHash: certificateContentHash(body),
    pdfHash: PDF_HASH,
    issuedAt: new Date(net.now).toISOString(),
    subjectRef: ALICE,
  };
}

function issue(
  net: TestNetwork,
  mspId: string,
  body: CertificateContent,
  extra: Record<string, unknown> = {},
): Promise<Invocation> {
  const argument = { ...issueArgument(net, body), ...extra };
  return net.submit(mspId, (ctx) => net.certificate.Issue(ctx, JSON.stringify(argument)), {
    transient: { content: certificateContentBytes(body).toString('utf8') },
  });
}

function verify(
  net: TestNetwork,
  issuer: string,
  no: string,
  hash: string,
): Promise<Record<string, unknown>> {
  return net.evaluate(GUANGDONG.mspId, (ctx) => net.certificate.Verify(ctx, issuer, no, hash)).then(parse);
}

function verifyPdf(
  net: TestNetwork,
  no: string,
  pdfHash: string,
  contentHash: string,
): Promise<Record<string, unknown>> {
  return net
    .evaluate(GUANGDONG.mspId, (ctx) =>
      net.certificate.VerifyPdf(ctx, BEIJING.code, no, pdfHash, contentHash),
    )
    .then(parse);
}

function revoke(net: TestNetwork, mspId: string, no: string, reason = '信息有误'): Promise<Invocation> {
  return net.submit(
    mspId,
    (ctx) =>
      net.certificate.Revoke(
        ctx,
        homeCentreOf(ctx.clientIdentity.getMSPID()),
        no,
        JSON.stringify({ reasonHash: freeTextHash(PSEUDONYM_KEY, reason) }),
      ),
    { transient: { reason } },
  );
}

const PERSON = JSON.stringify({ idType: '01', idNumber: ALICE_ID, name: ALICE_NAME });

function request(net: TestNetwork, requestId = 'RQ-1'): Promise<Invocation> {
  const input = {
    requestId,
    requester: GUANGDONG.code,
    issuer: BEIJING.code,
    type: 'DEPOSIT_USE',
    subjectRef: ALICE,
  };
  return net.submit(GUANGDONG.mspId, (ctx) => net.certificate.Request(ctx, JSON.stringify(input)), {
    transient: { person: PERSON },
    endorsers: [GUANGDONG.mspId, BEIJING.mspId],
  });
}

describe('certificate contract', () => {
  let net: TestNetwork;

  beforeEach(async () => {
    net = new TestNetwork();
    await net.init();
  });

  it('issues with public state free of personal data and the content in the issuer collection only', async () => {
    const { result } = await issue(net, BEIJING.mspId, content());
    const record = parse(result);
    expect(record).toMatchObject({
      certificateNo: 'ZM-2026-0001',
      issuer: BEIJING.code,
      type: 'DEPOSIT_USE',
      subjectRef: ALICE,
      status: 'ISSUED',
      contentHash: certificateContentHash(content()),
    });
    expect(result).not.toContain(ALICE_ID);
    expect(result).not.toContain(ALICE_NAME);
    const got = parse(
      await net.evaluate(BEIJING.mspId, (ctx) =>
        net.certificate.GetContent(ctx, BEIJING.code, 'ZM-2026-0001'),
      ),
    );
    expect(got.content).toEqual(content());
    await expectHpf(
      net.evaluate(SHANGHAI.mspId, (ctx) => net.certificate.GetContent(ctx, BEIJING.code, 'ZM-2026-0001')),
      'NOT_FOUND',
      'held only by its issuer and requester',
    );
  });

  it('verifies VALID, TAMPERED, EXPIRED, REVOKED and UNKNOWN', async () => {
    const hash = certificateContentHash(content());
    await issue(net, BEIJING.mspId, content());
    expect((await verify(net, BEIJING.code, 'ZM-2026-0001', hash)).status).toBe('VALID');
    const other = certificateContentHash(content({ validUntil: '2028-01-01T00:00:00.000Z' }));
    expect((await verify(net, BEIJING.code, 'ZM-2026-0001', other)).status).toBe('TAMPERED');
    expect((await verify(net, SHANGHAI.code, 'ZM-2026-0001', hash)).status).toBe('UNKNOWN');
    net.now = Date.parse('2027-05-21T00:00:00Z');
    expect((await verify(net, BEIJING.code, 'ZM-2026-0001', hash)).status).toBe('EXPIRED');
    net.now = Date.parse('2026-12-01T00:00:00Z');
    await revoke(net, BEIJING.mspId, 'ZM-2026-0001');
    const revoked = await verify(net, BEIJING.code, 'ZM-2026-0001', hash);
    expect(revoked).toEqual({
      status: 'REVOKED',
      certificateNo: 'ZM-2026-0001',
      issuer: BEIJING.code,
      type: 'DEPOSIT_USE',
      issuedAt: expect.any(String) as unknown,
      validUntil: '2027-05-20T16:00:00.000Z',
    });
    // A replayed revocation is the record as it is; another centre's number space is its own.
    await revoke(net, BEIJING.mspId, 'ZM-2026-0001');
    await expectHpf(revoke(net, SHANGHAI.mspId, 'ZM-2026-0001'), 'NOT_FOUND');
  });

  it('records the PDF hash and the issue time the gateway gave; a PDF verifies by its bytes only', async () => {
    const issuedAt = new Date(net.now - 90_000).toISOString();
    const record = parse((await issue(net, BEIJING.mspId, content(), { issuedAt })).result);
    expect(record).toMatchObject({ pdfHash: PDF_HASH, issuedAt });
    const contentHash = certificateContentHash(content());
    expect(await verifyPdf(net, 'ZM-2026-0001', PDF_HASH, contentHash)).toEqual({
      status: 'VALID',
      certificateNo: 'ZM-2026-0001',
      issuer: BEIJING.code,
      type: 'DEPOSIT_USE',
      issuedAt,
      validUntil: '2027-05-20T16:00:00.000Z',
    });
    // Other bytes with the issued content embedded: TAMPERED, and nothing else is said.
    const otherBytes = sha256Hex('another rendering of the same content');
    expect(await verifyPdf(net, 'ZM-2026-0001', otherBytes, contentHash)).toEqual({ status: 'TAMPERED' });
    expect(await verifyPdf(net, 'ZM-2026-0002', PDF_HASH, contentHash)).toEqual({ status: 'UNKNOWN' });
    expect(await verify(net, BEIJING.code, 'ZM-2026-0001', sha256Hex('guess'))).toEqual({
      status: 'TAMPERED',
    });
    expect(await verify(net, SHANGHAI.code, 'ZM-2026-0001', contentHash)).toEqual({ status: 'UNKNOWN' });
    net.now = Date.parse('2027-05-21T00:00:00Z');
    expect((await verifyPdf(net, 'ZM-2026-0001', PDF_HASH, contentHash)).status).toBe('EXPIRED');
    await expectHpf(
      net.evaluate(GUANGDONG.mspId, (ctx) =>
        net.certificate.VerifyPdf(ctx, BEIJING.code, 'ZM-2026-0001', 'ABC', contentHash),
      ),
      'VALIDATION_FAILED',
      'pdfHash',
    );
  });

  it('verifies a certificate issued before PDF hashes were recorded by its content: CONTENT_VALID', async () => {
    await issue(net, BEIJING.mspId, content());
    // The record as such a ledger holds it: no pdfHash.
    const [key, stored] = [...net.ledger.state].find(([, bytes]) =>
      Buffer.from(bytes).toString('utf8').includes('"certificateNo":"ZM-2026-0001"'),
    )!;
    const { pdfHash: _dropped, ...legacy } = JSON.parse(Buffer.from(stored).toString('utf8')) as Record<
      string,
      unknown
    >;
    net.ledger.state.set(key, Buffer.from(JSON.stringify(legacy), 'utf8'));
    // Sealed by its issuer as every record is (docs/decisions/0183-records-sealed-by-their-organisation.md).
    net.ledger
      .collection(`_implicit_org_${BEIJING.mspId}`)
      .set(sealKey(key), Buffer.from(JSON.stringify(legacy), 'utf8'));
    const contentHash = certificateContentHash(content());
    const anyBytes = sha256Hex('a PDF rendered by an older gateway');
    expect(await verifyPdf(net, 'ZM-2026-0001', anyBytes, contentHash)).toMatchObject({
      status: 'CONTENT_VALID',
      certificateNo: 'ZM-2026-0001',
    });
    expect(await verifyPdf(net, 'ZM-2026-0001', anyBytes, sha256Hex('other content'))).toEqual({
      status: 'TAMPERED',
    });
    // By number and content hash (the QR code) the answer is unchanged.
    expect((await verify(net, BEIJING.code, 'ZM-2026-0001', contentHash)).status).toBe('VALID');
    await revoke(net, BEIJING.mspId, 'ZM-2026-0001');
    expect((await verifyPdf(net, 'ZM-2026-0001', anyBytes, contentHash)).status).toBe('REVOKED');
  });

  it('refuses an issue without a well-formed PDF hash or with an issue time far from the transaction', async () => {
    const { pdfHash: _none, ...withoutPdf } = issueArgument(net, content());
    await expectHpf(
      net.submit(BEIJING.mspId, (ctx) => net.certificate.Issue(ctx, JSON.stringify(withoutPdf)), {
        transient: { content: certificateContentBytes(content()).toString('utf8') },
      }),
      'VALIDATION_FAILED',
      'pdfHash',
    );
    await expectHpf(
      issue(net, BEIJING.mspId, content(), { pdfHash: 'F'.repeat(64) }),
      'VALIDATION_FAILED',
      'pdfHash',
    );
    await expectHpf(
      issue(net, BEIJING.mspId, content(), { issuedAt: new Date(net.now - 10 * 60_000).toISOString() }),
      'VALIDATION_FAILED',
      'issuedAt: must be within 5 minutes',
    );
    await expectHpf(
      issue(net, BEIJING.mspId, content(), { issuedAt: '2026-11-20 02:00' }),
      'VALIDATION_FAILED',
      'issuedAt',
    );
    expect(net.ledger.state.size).toBe(1); // the registry only
  });

  it('issues for a flexible depositor: no employer and no employer rate (Art. 49)', async () => {
    const {
      employerName: _employer,
      employerRate: _rate,
      ...own
    } = content().facts as Record<string, unknown>;
    const flexible = content({ certificateNo: 'ZM-2026-0009', facts: own as CertificateContent['facts'] });
    const { result } = await issue(net, BEIJING.mspId, flexible);
    expect(parse(result)).toMatchObject({ status: 'ISSUED', contentHash: certificateContentHash(flexible) });
    const held = parse(
      await net.evaluate(BEIJING.mspId, (ctx) =>
        net.certificate.GetContent(ctx, BEIJING.code, 'ZM-2026-0009'),
      ),
    ) as { content: { facts: Record<string, unknown> } };
    expect(held.content.facts).not.toHaveProperty('employerName');
    expect(held.content.facts).toMatchObject({ accountNo: '110001234567', continuousFrom: '201503' });
  });

  it('refuses bad content naming the field, a forged subjectRef, and a wrong issuer', async () => {
    await expectHpf(
      issue(net, BEIJING.mspId, content({ facts: { ...content().facts, balance: '1.5' } as never })),
      'VALIDATION_FAILED',
      'content.facts.balance: must be a decimal string with exactly 2 decimal places',
    );
    await expectHpf(
      issue(net, BEIJING.mspId, content({ type: 'LOAN_SETTLED' })),
      'VALIDATION_FAILED',
      'content.facts: unexpected field',
    );
    await expectHpf(issue(net, BEIJING.mspId, content(), { subjectRef: BOB }), 'FORBIDDEN', 'subjectRef');
    await expectHpf(issue(net, SHANGHAI.mspId, content()), 'FORBIDDEN', 'content.issuer');
    await expectHpf(
      issue(net, BEIJING.mspId, content({ issuerName: '假冒中心' })),
      'VALIDATION_FAILED',
      'content.issuerName',
    );
    await expectHpf(
      issue(net, BEIJING.mspId, content({ validUntil: '2026-01-01T00:00:00.000Z' })),
      'VALIDATION_FAILED',
      'content.validUntil: must be after the issue time',
    );
    await expectHpf(issue(net, REGULATOR.mspId, content()), 'FORBIDDEN');
    expect(net.ledger.state.size).toBe(1); // the registry only
  });

  it('replays an identical issue and refuses another content under the same number', async () => {
    const first = await issue(net, BEIJING.mspId, content());
    const again = await issue(net, BEIJING.mspId, content());
    expect(again.result).toBe(first.result);
    await expectHpf(
      issue(net, BEIJING.mspId, content({ validUntil: '2028-01-01T00:00:00.000Z' })),
      'CONFLICT',
      'certificateNo',
    );
  });

  it('supersedes: the old certificate verifies REVOKED and names its successor', async () => {
    await issue(net, BEIJING.mspId, content());
    await issue(net, BEIJING.mspId, content({ certificateNo: 'ZM-2026-0002', supersedes: 'ZM-2026-0001' }));
    const old = await verify(net, BEIJING.code, 'ZM-2026-0001', certificateContentHash(content()));
    expect(old).toMatchObject({ status: 'REVOKED', supersededBy: 'ZM-2026-0002' });
  });

  it('answers a cross-province request: issued to both collections, endorsed by both centres', async () => {
    const asked = parse((await request(net)).result);
    expect(asked).toMatchObject({ status: 'PENDING', requester: GUANGDONG.code, issuer: BEIJING.code });
    const queue = parse(
      await net.evaluate(BEIJING.mspId, (ctx) =>
        net.certificate.ListRequests(ctx, BEIJING.code, 'incoming', 'PENDING'),
      ),
    );
    expect(queue.items).toHaveLength(1);
    const seen = parse(
      await net.evaluate(BEIJING.mspId, (ctx) => net.certificate.GetRequest(ctx, GUANGDONG.code, 'RQ-1')),
    );
    expect(seen.person).toEqual(JSON.parse(PERSON));
    const body = content();
    const argument = {
      ...issueArgument(net, body),
      request: { requester: GUANGDONG.code, requestId: 'RQ-1' },
    };
    // The request key carries AND(requester, issuer): the issuer with the regulator is not enough.
    const call = (ctx: Parameters<TestNetwork['certificate']['Issue']>[0]): Promise<string> =>
      net.certificate.Issue(ctx, JSON.stringify(argument));
    const transient = { content: certificateContentBytes(body).toString('utf8') };
    await expect(
      net.submit(BEIJING.mspId, call, { transient, endorsers: [BEIJING.mspId, REGULATOR.mspId] }),
    ).rejects.toThrow('ENDORSEMENT_POLICY_FAILURE');
    const issued = parse(
      (await net.submit(BEIJING.mspId, call, { transient, endorsers: [BEIJING.mspId, GUANGDONG.mspId] }))
        .result,
    );
    expect(issued).toMatchObject({ requester: GUANGDONG.code, requestId: 'RQ-1' });
    const atRequester = parse(
      await net.evaluate(GUANGDONG.mspId, (ctx) =>
        net.certificate.GetContent(ctx, BEIJING.code, 'ZM-2026-0001'),
      ),
    );
    expect(atRequester.content).toEqual(body);
    const done = parse(
      await net.evaluate(GUANGDONG.mspId, (ctx) =>
        net.certificate.ListRequests(ctx, GUANGDONG.code, 'outgoing', 'ISSUED'),
      ),
    );
    expect(done.items).toEqual([expect.objectContaining({ certificateNo: 'ZM-2026-0001' })]);
  });

  it('lets only the centre asked refuse, with a reason', async () => {
    await request(net, 'RQ-2');
    const reason = '查无此人缴存记录';
    const refuse = (mspId: string): Promise<Invocation> =>
      net.submit(
        mspId,
        (ctx) =>
          net.certificate.Refuse(
            ctx,
            GUANGDONG.code,
            'RQ-2',
            JSON.stringify({ reasonHash: freeTextHash(PSEUDONYM_KEY, reason) }),
          ),
        { transient: { reason } },
      );
    await expectHpf(refuse(SHANGHAI.mspId), 'FORBIDDEN', 'not registered to C310000MSP');
    const refused = parse((await refuse(BEIJING.mspId)).result);
    expect(refused).toMatchObject({
      status: 'REFUSED',
      refusal: { reasonHash: freeTextHash(PSEUDONYM_KEY, reason) },
    });
    await expectHpf(
      issue(net, BEIJING.mspId, content(), { request: { requester: GUANGDONG.code, requestId: 'RQ-2' } }),
      'INVALID_STATE',
      'REFUSED',
    );
  });

  it('refuses a request naming a field', async () => {
    const bad = {
      requestId: 'RQ 1',
      requester: GUANGDONG.code,
      issuer: BEIJING.code,
      type: 'DEPOSIT_USE',
      subjectRef: ALICE,
    };
    await expectHpf(
      net.submit(GUANGDONG.mspId, (ctx) => net.certificate.Request(ctx, JSON.stringify(bad)), {
        transient: { person: PERSON },
      }),
      'VALIDATION_FAILED',
      'requestId',
    );
    const self = { ...bad, requestId: 'RQ-3', issuer: GUANGDONG.code };
    await expectHpf(
      net.submit(GUANGDONG.mspId, (ctx) => net.certificate.Request(ctx, JSON.stringify(self)), {
        transient: { person: PERSON },
      }),
      'VALIDATION_FAILED',
      'issuer: must be another centre',
    );
  });
});
