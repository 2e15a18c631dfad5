import { createHash } from 'node:crypto';

import { certificateContentBytes, certificateContentHash, type CertificateContent } from '../src/domain';
import {
  ALICE,
  ALICE_ID,
  ALICE_NAME,
  BEIJING,
  expectHpf,
  GUANGDONG,
  parse,
  SHANGHAI,
  TestNetwork,
  type Invocation,
} from './harness';

const CODE = 'K7Q2M4WZX3PYR6T5V2N7B4C3';
const CODE_HASH = createHash('sha256').update(CODE).digest('hex');

const CONTENT: CertificateContent = {
  version: 1,
  certificateNo: 'ZM-2026-0101',
  type: 'DEPOSIT_USE',
  issuer: BEIJING.code,
  issuerName: BEIJING.name,
  person: { idType: '01', idNumber: ALICE_ID, name: ALICE_NAME },
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
  validUntil: '2027-05-20T16:00:00.000Z',
};

function issue(net: TestNetwork): Promise<Invocation> {
  const argument = {
    contentHash: certificateContentHash(CONTENT),
    pdfHash: certificateContentHash(CONTENT), // any SHA-256: the chaincode checks its shape
    issuedAt: new Date(net.now).toISOString(),
    subjectRef: ALICE,
  };
  return net.submit(BEIJING.mspId, (ctx) => net.certificate.Issue(ctx, JSON.stringify(argument)), {
    transient: { content: certificateContentBytes(CONTENT).toString('utf8') },
  });
}

function share(
  net: TestNetwork,
  input: Record<string, unknown> = {},
  mspId = BEIJING.mspId,
): Promise<Invocation> {
  return net.submit(mspId, (ctx) =>
    net.certificate.CreateShareCode(
      ctx,
      BEIJING.code,
      CONTENT.certificateNo,
      JSON.stringify({ codeHash: CODE_HASH, ttlSeconds: 86400, ...input }),
    ),
  );
}

function redeem(net: TestNetwork, mspId = GUANGDONG.mspId, centre = GUANGDONG.code): Promise<Invocation> {
  return net.submit(mspId, (ctx) =>
    net.certificate.RedeemShareCode(ctx, JSON.stringify({ codeHash: CODE_HASH, centre })),
  );
}

function sharedContent(net: TestNetwork, mspId = GUANGDONG.mspId): Promise<string> {
  return net.evaluate(mspId, (ctx) => net.certificate.GetSharedContent(ctx, CODE_HASH));
}

describe('single-use share codes', () => {
  let net: TestNetwork;

  beforeEach(async () => {
    net = new TestNetwork();
    await net.init();
    await issue(net);
  });

  it('keeps only the hash and the expiry (24 h) on the ledger, never the code', async () => {
    const { result, stub, event } = await share(net);
    const record = parse(result);
    expect(record).toMatchObject({
      codeHash: CODE_HASH,
      issuer: BEIJING.code,
      certificateNo: CONTENT.certificateNo,
      status: 'ACTIVE',
    });
    expect(Date.parse(record.expiresAt as string) - Date.parse(record.createdAt as string)).toBe(86_400_000);
    const written = [...stub.writes.values()]
      .map((bytes) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8'))
      .join();
    expect(written).not.toContain(CODE);
    expect(written).not.toContain(ALICE_ID);
    expect(stub.privateWrites.size).toBe(0);
    expect(JSON.stringify(event)).not.toContain(CODE_HASH);
  });

  it('redeems once: marks the code used in the same transaction, then CODE_USED', async () => {
    await share(net);
    const first = await redeem(net);
    expect(parse(first.result)).toMatchObject({
      shareCode: { status: 'USED', usedBy: GUANGDONG.code, usedByMsp: GUANGDONG.mspId },
      certificate: { status: 'VALID', certificateNo: CONTENT.certificateNo, issuer: BEIJING.code },
    });
    expect(first.result).not.toContain(ALICE_ID);
    expect(first.event).toMatchObject({ type: 'certificate.code-redeemed', id: CONTENT.certificateNo });
    const held = parse(await sharedContent(net));
    expect(held).toMatchObject({ content: { person: { idNumber: ALICE_ID } } });
    const before = new Map(net.ledger.state);
    await expectHpf(redeem(net), 'CODE_USED', 'code: already redeemed');
    await expectHpf(redeem(net, SHANGHAI.mspId, SHANGHAI.code), 'CODE_USED');
    expect(net.ledger.state).toEqual(before);
  });

  it('refuses an expired code with CODE_EXPIRED and an unknown one with NOT_FOUND', async () => {
    await share(net, { ttlSeconds: 2 });
    net.now += 5000;
    const before = new Map(net.ledger.state);
    await expectHpf(redeem(net), 'CODE_EXPIRED', 'code: expired at');
    expect(net.ledger.state).toEqual(before);
    await expectHpf(
      net.submit(GUANGDONG.mspId, (ctx) =>
        net.certificate.RedeemShareCode(
          ctx,
          JSON.stringify({ codeHash: 'a'.repeat(64), centre: GUANGDONG.code }),
        ),
      ),
      'NOT_FOUND',
      'code: no such share code',
    );
  });

  it('releases the content only to the redeeming organisation, and only for a while', async () => {
    await share(net);
    await expectHpf(sharedContent(net), 'INVALID_STATE', 'not redeemed yet');
    await redeem(net);
    await expectHpf(sharedContent(net, SHANGHAI.mspId), 'FORBIDDEN');
    net.now += 11 * 60 * 1000;
    await expectHpf(sharedContent(net), 'CODE_USED', 'the content was released then');
  });

  it('lets only the issuer create a code, for a valid certificate; another organisation redeems it', async () => {
    await expectHpf(share(net, {}, GUANGDONG.mspId), 'FORBIDDEN');
    await share(net);
    await expectHpf(redeem(net, BEIJING.mspId, BEIJING.code), 'FORBIDDEN', 'a code is for another centre');
    await expectHpf(
      net.submit(GUANGDONG.mspId, (ctx) =>
        net.certificate.RedeemShareCode(ctx, JSON.stringify({ codeHash: CODE_HASH, centre: SHANGHAI.code })),
      ),
      'FORBIDDEN',
    );
  });

  it.each([
    [{ codeHash: 'not-a-hash' }, 'shareCode.codeHash'],
    [{ ttlSeconds: 0 }, 'shareCode.ttlSeconds'],
    [{ ttlSeconds: 86401 }, 'shareCode.ttlSeconds'],
    [{ extra: 1 }, 'extra'],
  ])('refuses bad input %j naming the field, and writes nothing', async (input, field) => {
    const before = new Map(net.ledger.state);
    await expectHpf(share(net, input), 'VALIDATION_FAILED', field);
    expect(net.ledger.state).toEqual(before);
  });

  it('answers the same hash for the same certificate as a replay', async () => {
    const first = await share(net);
    const again = await share(net, { ttlSeconds: 60 });
    expect(again.result).toBe(first.result);
    expect(again.event).toMatchObject({ replay: true });
  });
});
