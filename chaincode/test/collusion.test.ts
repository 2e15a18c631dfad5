import type { Context } from 'fabric-contract-api';

import { encodeJson } from '../src/codec';
import {
  certificateContentBytes,
  certificateContentHash,
  freeTextHash,
  type CertificateContent,
} from '../src/domain';
import { sealKey } from '../src/endorsement';
import { emitEvent, INDEX, indexKey, withdrawalKey } from '../src/ledger';
import { banKey, writeSubjectBans } from '../src/model/ban';
import { depositUseFacts } from '../../test/support/fixtures';
import {
  ALICE,
  ALICE_ID,
  ALICE_NAME,
  BEIJING,
  expectHpf,
  hash,
  parse,
  personOf,
  PSEUDONYM_KEY,
  REGULATOR,
  SHENZHEN,
  TestNetwork,
  type InvokeOptions,
  type Invocation,
} from './harness';

/**
 * Two organisations that collude (here Beijing and the regulator, whose two peers satisfy the
 * chaincode's OutOf(2) policy) try to write records in the name of Shenzhen (440300, C440000MSP). The
 * fake validates the write set as Fabric does: key-level policies, then OutOf(2), and an implicit
 * collection needs its own organisation (docs/decisions/0183-records-sealed-by-their-organisation.md).
 */

const COLLUDERS = [BEIJING.mspId, REGULATOR.mspId];
const HONEST = [SHENZHEN.mspId, BEIJING.mspId];
const LEASE = hash('深(2026)租赁合同 0183');
const REASON = '冒名记录';

function withdrawal(withdrawalId: string): Record<string, unknown> {
  return {
    withdrawalId,
    centre: SHENZHEN.code,
    subjectRef: ALICE,
    reasonCode: '07',
    amount: '1500.00',
    evidence: [{ kind: 'RENT_CONTRACT', hash: LEASE }],
    withdrawnOn: '2026-11-19',
  };
}

/**
 * Records a withdrawal at Shenzhen with these endorsers. The chaincode runs under Shenzhen's client
 * identity, which is what a chaincode server that skips the caller check amounts to.
 */
function record(net: TestNetwork, withdrawalId: string, endorsers: readonly string[]): Promise<Invocation> {
  return net.submit(
    SHENZHEN.mspId,
    (ctx) => net.withdrawal.Record(ctx, JSON.stringify(withdrawal(withdrawalId))),
    {
      endorsers,
    },
  );
}

/** A forger's own write set (no chaincode rules at all), endorsed by the colluders. */
function forge(net: TestNetwork, writes: (ctx: Context) => Promise<void>): Promise<Invocation> {
  return net.submit(
    BEIJING.mspId,
    async (ctx) => {
      await writes(ctx);
      emitEvent(ctx, { type: 'forged', id: 'x', centres: [SHENZHEN.code] });
      return '';
    },
    { endorsers: COLLUDERS },
  );
}

async function verify(net: TestNetwork, withdrawalId: string): Promise<Record<string, unknown>> {
  const request = JSON.stringify({ attestationId: `withdrawal:${SHENZHEN.code}:${withdrawalId}` });
  return parse(await net.evaluate(BEIJING.mspId, (ctx) => net.audit.Verify(ctx, request)));
}

function content(certificateNo: string): CertificateContent {
  return {
    version: 1,
    certificateNo,
    type: 'DEPOSIT_USE',
    issuer: SHENZHEN.code,
    issuerName: SHENZHEN.name,
    person: { idType: '01', idNumber: ALICE_ID, name: ALICE_NAME },
    facts: depositUseFacts({ loansUsed: 0 }),
    validUntil: '2027-05-20T16:00:00.000Z',
  };
}

function issue(net: TestNetwork, certificateNo: string, endorsers: readonly string[]): Promise<Invocation> {
  const body = content(certificateNo);
  const argument = {
    contentHash: certificateContentHash(body),
    pdfHash: 'd'.repeat(64),
    issuedAt: new Date(net.now).toISOString(),
    subjectRef: ALICE,
  };
  return net.submit(SHENZHEN.mspId, (ctx) => net.certificate.Issue(ctx, JSON.stringify(argument)), {
    transient: { content: certificateContentBytes(body).toString('utf8') },
    endorsers,
  });
}

async function verifyCertificate(net: TestNetwork, certificateNo: string): Promise<Record<string, unknown>> {
  const hashOf = certificateContentHash(content(certificateNo));
  return parse(
    await net.evaluate(BEIJING.mspId, (ctx) =>
      net.certificate.Verify(ctx, SHENZHEN.code, certificateNo, hashOf),
    ),
  );
}

const reasonOptions = (endorsers: readonly string[]): InvokeOptions => ({
  transient: { reason: REASON },
  endorsers,
});
const reasonJson = JSON.stringify({ reasonHash: freeTextHash(PSEUDONYM_KEY, REASON) });

function ban(banId: string): string {
  return JSON.stringify({
    banId,
    centre: SHENZHEN.code,
    subjectRef: ALICE,
    ground: 'WITHDRAWAL_FRAUD',
    decidedOn: '2026-11-01',
    reasonHash: freeTextHash(PSEUDONYM_KEY, REASON),
  });
}

function impose(net: TestNetwork, banId: string, endorsers: readonly string[]): Promise<Invocation> {
  return net.submit(SHENZHEN.mspId, (ctx) => net.ban.Impose(ctx, ban(banId)), {
    transient: { person: JSON.stringify(personOf(ALICE)), reason: REASON },
    endorsers,
  });
}

describe('records in a centre name need its organisation (two colluding organisations)', () => {
  let net: TestNetwork;

  beforeEach(async () => {
    net = new TestNetwork();
    await net.init();
  });

  it('an honest withdrawal is sealed in C440000MSP and verifies, not forged', async () => {
    await record(net, 'W-HONEST', HONEST);
    const key = withdrawalKey({ stub: net.lastStub } as unknown as Context, SHENZHEN.code, 'W-HONEST');
    expect(net.ledger.collection(`_implicit_org_${SHENZHEN.mspId}`).get(sealKey(key))).toEqual(
      net.ledger.state.get(key),
    );
    expect(await verify(net, 'W-HONEST')).toMatchObject({ found: true, forged: false });
  });

  it.each([
    ['a withdrawal', (n: TestNetwork) => record(n, 'W-FORGED', COLLUDERS)],
    ['a certificate', (n: TestNetwork) => issue(n, 'ZM-FORGED', COLLUDERS)],
    ['a ban', (n: TestNetwork) => impose(n, 'BAN-FORGED', COLLUDERS)],
  ])('%s in Shenzhen name endorsed by Beijing and the regulator fails validation', async (_kind, write) => {
    await expect(write(net)).rejects.toThrow(/ENDORSEMENT_POLICY_FAILURE/);
    expect(await verify(net, 'W-FORGED')).toMatchObject({ found: false });
    expect(await verifyCertificate(net, 'ZM-FORGED')).toMatchObject({ status: 'UNKNOWN' });
  });

  it('a withdrawal or certificate written without the seal validates but verifies as FORGED', async () => {
    const honest = parse((await record(net, 'W-MODEL', HONEST)).result);
    const issued = parse((await issue(net, 'ZM-MODEL', HONEST)).result);
    await forge(net, async (ctx) => {
      const forged = {
        ...honest,
        withdrawalId: 'W-COPY',
        attestationId: `withdrawal:${SHENZHEN.code}:W-COPY`,
      };
      await ctx.stub.putState(withdrawalKey(ctx, SHENZHEN.code, 'W-COPY'), encodeJson(forged));
      const certificate = { ...issued, certificateNo: 'ZM-COPY' };
      const key = ctx.stub.createCompositeKey('certificate', [SHENZHEN.code, 'ZM-COPY']);
      await ctx.stub.putState(key, encodeJson(certificate));
    });
    expect(await verify(net, 'W-COPY')).toMatchObject({ found: true, forged: true });
    expect(await verifyCertificate(net, 'ZM-COPY')).toEqual({ status: 'FORGED' });
    expect(await verifyCertificate(net, 'ZM-MODEL')).toMatchObject({ status: 'VALID' });
  });

  it('a ban written without the seal does not refuse withdrawals; a sealed one does', async () => {
    const ban = {
      centre: SHENZHEN.code,
      banId: 'BAN-F',
      ground: 'WITHDRAWAL_FRAUD',
      from: '2026-11-01',
      until: '2031-11-01',
    };
    await forge(net, async (ctx) => {
      await ctx.stub.putState(banKey(ctx, SHENZHEN.code, 'BAN-F'), encodeJson({ ...ban, status: 'ACTIVE' }));
      await writeSubjectBans(ctx, ALICE, [ban]);
    });
    expect(parse((await record(net, 'W-AFTER-FORGED-BAN', HONEST)).result)).toMatchObject({
      status: 'RECORDED',
    });
    await impose(net, 'BAN-REAL', HONEST);
    await expectHpf(record(net, 'W-AFTER-REAL-BAN', HONEST), 'SUBJECT_BANNED');
  });

  it('reversal, evidence-index deletion, revocation and lifting of honest records need the owner', async () => {
    await record(net, 'W-1', HONEST);
    await issue(net, 'ZM-1', HONEST);
    await impose(net, 'BAN-1', HONEST);
    const evidence = (ctx: Context): string =>
      indexKey(ctx, INDEX.evidence, [LEASE, ALICE, SHENZHEN.code, 'W-1']);
    const attempts: [string, () => Promise<Invocation>][] = [
      [
        'reverse',
        () =>
          net.submit(
            SHENZHEN.mspId,
            (ctx) => net.withdrawal.Reverse(ctx, SHENZHEN.code, 'W-1', reasonJson),
            reasonOptions(COLLUDERS),
          ),
      ],
      ['delete the evidence entry', () => forge(net, (ctx) => ctx.stub.deleteState(evidence(ctx)))],
      [
        'drop the key-level policy',
        () => forge(net, (ctx) => ctx.stub.setStateValidationParameter(evidence(ctx), new Uint8Array())),
      ],
      [
        'revoke',
        () =>
          net.submit(
            SHENZHEN.mspId,
            (ctx) => net.certificate.Revoke(ctx, SHENZHEN.code, 'ZM-1', reasonJson),
            reasonOptions(COLLUDERS),
          ),
      ],
      [
        'overwrite the certificate',
        () =>
          forge(net, async (ctx) => {
            const key = ctx.stub.createCompositeKey('certificate', [SHENZHEN.code, 'ZM-1']);
            await ctx.stub.putState(key, Buffer.from('{"status":"REVOKED"}'));
          }),
      ],
      [
        'lift',
        () =>
          net.submit(
            SHENZHEN.mspId,
            (ctx) => net.ban.Lift(ctx, SHENZHEN.code, 'BAN-1', reasonJson),
            reasonOptions(COLLUDERS),
          ),
      ],
      [
        'delete the ban',
        () => forge(net, (ctx) => ctx.stub.deleteState(banKey(ctx, SHENZHEN.code, 'BAN-1'))),
      ],
    ];
    for (const [what, attempt] of attempts) {
      await expect(
        attempt().catch((error: unknown) => Promise.reject(new Error(`${what}: ${String(error)}`))),
      ).rejects.toThrow(/ENDORSEMENT_POLICY_FAILURE/);
    }
    // The owner still can: reverse (frees the evidence), revoke and lift.
    await net.submit(
      SHENZHEN.mspId,
      (ctx) => net.withdrawal.Reverse(ctx, SHENZHEN.code, 'W-1', reasonJson),
      reasonOptions(HONEST),
    );
    await net.submit(
      SHENZHEN.mspId,
      (ctx) => net.certificate.Revoke(ctx, SHENZHEN.code, 'ZM-1', reasonJson),
      reasonOptions(HONEST),
    );
    await net.submit(
      SHENZHEN.mspId,
      (ctx) => net.ban.Lift(ctx, SHENZHEN.code, 'BAN-1', reasonJson),
      reasonOptions(HONEST),
    );
    expect(await verify(net, 'W-1')).toMatchObject({ forged: false, record: { status: 'REVERSED' } });
    expect(await verifyCertificate(net, 'ZM-1')).toMatchObject({ status: 'REVOKED' });
  });
});
