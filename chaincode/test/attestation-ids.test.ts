import { freeTextHash } from '../src/domain';
import {
  ALICE,
  BEIJING,
  BOB,
  expectHpf,
  GUANGDONG,
  hash,
  parse,
  REGULATOR,
  SHANGHAI,
  TestNetwork,
  type Invocation,
  homeCentreOf,
  PSEUDONYM_KEY,
} from './harness';
import { request, T1 } from './transfer-fixtures';

/** Withdrawal IDs are each centre's own; attestation IDs are typed. */
function withdraw(
  net: TestNetwork,
  centre: { code: string; mspId: string },
  withdrawalId: string,
  subjectRef: string,
  amount = '1000.00',
): Promise<Invocation> {
  return net.submit(centre.mspId, (ctx) =>
    net.withdrawal.Record(
      ctx,
      JSON.stringify({
        withdrawalId,
        centre: centre.code,
        subjectRef,
        reasonCode: '07',
        amount,
        closesAccount: false,
        evidence: [{ kind: 'RENT_CONTRACT', hash: hash(`${centre.code} ${withdrawalId}`) }],
        withdrawnOn: '2026-11-20',
      }),
    ),
  );
}

describe('withdrawal IDs scoped per centre', () => {
  let net: TestNetwork;

  beforeEach(async () => {
    net = new TestNetwork();
    await net.init();
  });

  it('lets two centres use the same local ID; each Get returns its own record', async () => {
    const beijing = await withdraw(net, BEIJING, '2026-0001', ALICE, '1000.00');
    const shanghai = await withdraw(net, SHANGHAI, '2026-0001', BOB, '2000.00');
    expect(parse(beijing.result)).toMatchObject({
      centre: '110000',
      attestationId: 'withdrawal:110000:2026-0001',
    });
    expect(parse(shanghai.result)).toMatchObject({
      centre: '310000',
      attestationId: 'withdrawal:310000:2026-0001',
    });
    const get = async (centre: string): Promise<Record<string, unknown>> =>
      parse(await net.evaluate(REGULATOR.mspId, (ctx) => net.withdrawal.Get(ctx, centre, '2026-0001')));
    expect(await get('110000')).toMatchObject({ subjectRef: ALICE, amount: '1000.00' });
    expect(await get('310000')).toMatchObject({ subjectRef: BOB, amount: '2000.00' });
    await expectHpf(
      net.evaluate(REGULATOR.mspId, (ctx) => net.withdrawal.Get(ctx, '440000', '2026-0001')),
      'NOT_FOUND',
      'at centre 440000',
    );
    await expectHpf(
      net.evaluate(REGULATOR.mspId, (ctx) => net.withdrawal.Get(ctx, '12', '2026-0001')),
      'VALIDATION_FAILED',
      'centre',
    );
  });

  it("reverses only the caller's own withdrawal with that ID", async () => {
    await withdraw(net, BEIJING, '2026-0001', ALICE);
    await withdraw(net, SHANGHAI, '2026-0001', BOB);
    await net.submit(
      SHANGHAI.mspId,
      (ctx) =>
        net.withdrawal.Reverse(
          ctx,
          homeCentreOf(ctx.clientIdentity.getMSPID()),
          '2026-0001',
          JSON.stringify({ reasonHash: freeTextHash(PSEUDONYM_KEY, '录入错误') }),
        ),
      { transient: { reason: '录入错误' } },
    );
    const status = async (centre: string): Promise<unknown> =>
      parse(await net.evaluate(REGULATOR.mspId, (ctx) => net.withdrawal.Get(ctx, centre, '2026-0001')))
        .status;
    expect(await status('310000')).toBe('REVERSED');
    expect(await status('110000')).toBe('RECORDED');
  });

  it('verifies a withdrawal whose ID equals a contact letter number as itself, not as the transfer', async () => {
    await request(net);
    await withdraw(net, GUANGDONG, T1, BOB);
    const verify = async (attestationId: string): Promise<Record<string, unknown>> =>
      parse(
        await net.evaluate(REGULATOR.mspId, (ctx) =>
          net.audit.Verify(ctx, JSON.stringify({ attestationId })),
        ),
      );
    expect(await verify(`withdrawal:440000:${T1}`)).toMatchObject({
      found: true,
      kind: 'withdrawal',
      attestationId: `withdrawal:440000:${T1}`,
      record: { withdrawalId: T1, centre: '440000', subjectRef: BOB },
    });
    expect(await verify(`transfer:${T1}`)).toMatchObject({
      found: true,
      kind: 'transfer',
      record: { transferId: T1, subjectRef: ALICE },
    });
    const bob = parse(await net.evaluate(REGULATOR.mspId, (ctx) => net.audit.Timeline(ctx, BOB)));
    expect(bob.attestations).toMatchObject([
      { kind: 'withdrawal', attestationId: `withdrawal:440000:${T1}` },
    ]);
  });

  it.each([
    [T1, 'must be a typed ID, transfer:<transferId> or withdrawal:<centreCode>:<withdrawalId>'],
    ['W-1', 'must be a typed ID'],
    ['withdrawal:W-1', 'must be a typed ID'],
    ['transfer:W-1', 'attestationId: a contact letter number has 16 digits'],
    ['withdrawal:1100:W-1', 'attestationId: must be a known GB/T 2260 centre code'],
    ['withdrawal:110000:W_1', 'attestationId: must be 1-40 characters'],
    ['certificate:110000:1', 'must be a typed ID'],
  ])('refuses the attestation ID %s', async (attestationId, message) => {
    await expectHpf(
      net.evaluate(REGULATOR.mspId, (ctx) => net.audit.Verify(ctx, JSON.stringify({ attestationId }))),
      'VALIDATION_FAILED',
      message,
    );
  });

  it('names the typed attestation ID in every event', async () => {
    const recorded = await withdraw(net, BEIJING, 'W-1', ALICE);
    expect(recorded.event).toMatchObject({ id: 'W-1', attestationId: 'withdrawal:110000:W-1' });
    const requested = await request(net, '4400002611200009', BOB);
    expect(requested.event).toMatchObject({
      id: '4400002611200009',
      attestationId: 'transfer:4400002611200009',
    });
  });
});
