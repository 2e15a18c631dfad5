import { freeTextHash } from '../src/domain';
import { accountStateOf, type AccountEvent } from '../src/model/account';
import {
  accountHistory,
  ALICE,
  BEIJING,
  BOB,
  expectHpf,
  GUANGDONG,
  hash,
  parse,
  personJson,
  personOf,
  SHANGHAI,
  TestNetwork,
  type Invocation,
  homeCentreOf,
  PSEUDONYM_KEY,
} from './harness';
import { PATH_TO, request, requestArgs, step, T1, type StepName } from './transfer-fixtures';
import { confirmOutBody } from '../../test/support/fixtures';

/** Shanghai asks Beijing for the same person Guangdong already asked for (the source accepts at most one). */
const T2 = '3100002611200001';
/** Beijing asks Guangdong to transfer the person back. */
const T_BACK = '1100002612010001';

function requestFrom(
  net: TestNetwork,
  mspId: string,
  transferId: string,
  fromCentre: string,
  subjectRef = ALICE,
): Promise<Invocation> {
  return net.submit(
    mspId,
    (ctx) => net.transfer.Request(ctx, requestArgs({ transferId, fromCentre, subjectRef })),
    {
      transient: { person: personJson(personOf(subjectRef)) },
    },
  );
}

function withdraw(
  net: TestNetwork,
  mspId: string,
  centre: string,
  withdrawalId: string,
  overrides: Record<string, unknown> = {},
): Promise<Invocation> {
  return net.submit(mspId, (ctx) =>
    net.withdrawal.Record(
      ctx,
      JSON.stringify({
        withdrawalId,
        centre,
        subjectRef: ALICE,
        reasonCode: '07',
        amount: '1000.00',
        closesAccount: false,
        evidence: [{ kind: 'RENT_CONTRACT', hash: hash(`rent ${withdrawalId}`) }],
        withdrawnOn: '2026-11-20',
        ...overrides,
      }),
    ),
  );
}

const RETIREMENT = {
  reasonCode: '03',
  closesAccount: true,
  evidence: [{ kind: 'RETIREMENT_CERTIFICATE', hash: hash('退休证 0001') }],
};

function reverse(net: TestNetwork, mspId: string, withdrawalId: string): Promise<Invocation> {
  return net.submit(
    mspId,
    (ctx) =>
      net.withdrawal.Reverse(
        ctx,
        homeCentreOf(ctx.clientIdentity.getMSPID()),
        withdrawalId,
        JSON.stringify({ reasonHash: freeTextHash(PSEUDONYM_KEY, '录入错误') }),
      ),
    { transient: { reason: '录入错误' } },
  );
}

async function runSteps(net: TestNetwork, steps: readonly StepName[], transferId = T1): Promise<void> {
  for (const name of steps) {
    await step(net, name, transferId);
  }
}

describe('review before freezing: one accepted transfer-out per source centre and person', () => {
  let net: TestNetwork;

  beforeEach(async () => {
    net = new TestNetwork();
    await net.init();
  });

  it('a request freezes nothing: a second destination may ask while the first is REQUESTED', async () => {
    await request(net);
    const { result } = await requestFrom(net, SHANGHAI.mspId, T2, BEIJING.code);
    expect(parse(result)).toMatchObject({ status: 'REQUESTED', fromCentre: BEIJING.code });
    // No account status was written: the account at the source is neither closed nor in transfer.
    const status = [...net.ledger.state.keys()].filter((key) => key.includes('account-status'));
    expect(status).toEqual([]);
  });

  it('the source accepts one of two requests; accepting the other is ACCOUNT_IN_TRANSFER and writes nothing', async () => {
    await request(net);
    await requestFrom(net, SHANGHAI.mspId, T2, BEIJING.code);
    await step(net, 'ACCEPT');
    const before = new Map(net.ledger.state);
    await expectHpf(
      net.submit(BEIJING.mspId, (ctx) => net.transfer.Accept(ctx, T2)),
      'ACCOUNT_IN_TRANSFER',
      `(${T1} is accepted); the source accepts at most one transfer-out per person`,
    );
    expect(net.ledger.state).toEqual(before);
    // The other request stays REQUESTED: the source may still reject it, or accept it later.
    const other = parse(await net.evaluate(BEIJING.mspId, (ctx) => net.transfer.Get(ctx, T2)));
    expect(other.status).toBe('REQUESTED');
  });

  it.each(['ACCEPTED', 'OUT_CONFIRMED', 'NEGOTIATING'])(
    'refuses accepting a second request while the first is %s, and writes nothing',
    async (status) => {
      await request(net);
      await requestFrom(net, SHANGHAI.mspId, T2, BEIJING.code);
      await runSteps(net, PATH_TO[status] ?? []);
      const before = new Map(net.ledger.state);
      await expectHpf(
        net.submit(BEIJING.mspId, (ctx) => net.transfer.Accept(ctx, T2)),
        'ACCOUNT_IN_TRANSFER',
        'the account at centre 110000 is in an open transfer-out',
      );
      expect(net.ledger.state).toEqual(before);
    },
  );

  it('reads and writes the account status key when the source accepts (a concurrent acceptance fails MVCC)', async () => {
    await request(net);
    const { stub } = await step(net, 'ACCEPT');
    const key = stub.createCompositeKey('account-status', [BEIJING.code, ALICE]);
    expect(stub.reads).toContain(key);
    expect(stub.rangeQueries).toEqual([]);
    expect(JSON.parse(Buffer.from(stub.writes.get(key) ?? []).toString())).toEqual({
      closures: [],
      openTransferOuts: [T1],
    });
  });

  it.each(['CANCELLED', 'REJECTED', 'FAILED', 'COMPLETED'])(
    'allows accepting another request once the first is %s',
    async (status) => {
      await request(net);
      await requestFrom(net, SHANGHAI.mspId, T2, BEIJING.code);
      await runSteps(net, PATH_TO[status] ?? []);
      const { result } = await net.submit(BEIJING.mspId, (ctx) => net.transfer.Accept(ctx, T2));
      expect(parse(result)).toMatchObject({ status: 'ACCEPTED', fromCentre: BEIJING.code });
    },
  );

  it('still answers an identical repeat of the open request as a replay', async () => {
    const first = await request(net);
    const again = await request(net);
    expect(again.result).toBe(first.result);
    expect(again.event).toMatchObject({ replay: true });
  });

  it('does not concern another person or another source centre', async () => {
    await request(net);
    const bob = await requestFrom(net, SHANGHAI.mspId, T2, BEIJING.code, BOB);
    expect(parse(bob.result).status).toBe('REQUESTED');
    const fromGuangdong = await requestFrom(net, SHANGHAI.mspId, '3100002611200002', GUANGDONG.code);
    expect(parse(fromGuangdong.result).status).toBe('REQUESTED');
  });
});

describe('account history', () => {
  let net: TestNetwork;

  beforeEach(async () => {
    net = new TestNetwork();
    await net.init();
  });

  it('refuses a withdrawal at a centre whose account was closed by a transfer-out (ACCOUNT_CLOSED)', async () => {
    await request(net);
    await runSteps(net, PATH_TO.OUT_CONFIRMED ?? []);
    // While the transfer-out is open the answer stays ACCOUNT_IN_TRANSFER.
    await expectHpf(withdraw(net, BEIJING.mspId, BEIJING.code, 'W-1'), 'ACCOUNT_IN_TRANSFER');
    await step(net, 'COMPLETE');
    await expectHpf(
      withdraw(net, BEIJING.mspId, BEIJING.code, 'W-1', RETIREMENT),
      'ACCOUNT_CLOSED',
      'the account at centre 110000 is closed (TRANSFER_OUT)',
    );
    // The account now lives at the destination.
    const there = await withdraw(net, GUANGDONG.mspId, GUANGDONG.code, 'W-1');
    expect(parse(there.result).status).toBe('RECORDED');
  });

  it('keeps a transfer-out closure when a closing withdrawal is reversed', async () => {
    await withdraw(net, BEIJING.mspId, BEIJING.code, 'W-R', RETIREMENT);
    await request(net);
    await runSteps(net, [...(PATH_TO.OUT_CONFIRMED ?? []), 'COMPLETE']);
    await reverse(net, BEIJING.mspId, 'W-R');
    expect((await accountHistory(net, BEIJING.code, ALICE)).map((event) => event.type)).toEqual([
      'WITHDRAWAL_CLOSE',
      'TRANSFER_OUT',
      'WITHDRAWAL_CLOSE_REVERSED',
    ]);
    await expectHpf(
      withdraw(net, BEIJING.mspId, BEIJING.code, 'W-2'),
      'ACCOUNT_CLOSED',
      'the account at centre 110000 is closed (TRANSFER_OUT)',
    );
  });

  it('opens the account again when the person is transferred back in (TRANSFER_IN)', async () => {
    await request(net);
    await runSteps(net, [...(PATH_TO.OUT_CONFIRMED ?? []), 'COMPLETE']);
    await expectHpf(withdraw(net, BEIJING.mspId, BEIJING.code, 'W-1'), 'ACCOUNT_CLOSED');
    await requestFrom(net, BEIJING.mspId, T_BACK, GUANGDONG.code);
    await net.submit(GUANGDONG.mspId, (ctx) => net.transfer.Accept(ctx, T_BACK));
    await net.submit(GUANGDONG.mspId, (ctx) =>
      net.transfer.ConfirmOut(
        ctx,
        T_BACK,
        JSON.stringify(
          confirmOutBody({
            principal: '60000.00',
            interest: '0',
            openedOn: '2026-11-22',
            paidUpTo: '202611',
            continuous6Months: false,
            loanCount: 0,
            settlementRef: 'JS-BACK-1',
          }),
        ),
      ),
    );
    await net.submit(BEIJING.mspId, (ctx) =>
      net.transfer.Complete(
        ctx,
        T_BACK,
        JSON.stringify({ receivedAmount: '60000.00', receivedOn: '2026-12-02' }),
      ),
    );
    const back = await withdraw(net, BEIJING.mspId, BEIJING.code, 'W-1');
    expect(parse(back.result).status).toBe('RECORDED');
    await expectHpf(withdraw(net, GUANGDONG.mspId, GUANGDONG.code, 'W-2'), 'ACCOUNT_CLOSED');
  });
});

describe('accountStateOf', () => {
  let n = 0;
  const event = (type: AccountEvent['type'], attestationId: string): AccountEvent => {
    n += 1;
    return { type, attestationId, at: `2026-11-20T02:00:${String(n).padStart(2, '0')}.000Z`, txId: `tx${n}` };
  };
  const out = event('TRANSFER_OUT', `transfer:${T1}`);
  const close = event('WITHDRAWAL_CLOSE', 'withdrawal:110000:W-R');
  const reversed = event('WITHDRAWAL_CLOSE_REVERSED', 'withdrawal:110000:W-R');
  const otherReversed = event('WITHDRAWAL_CLOSE_REVERSED', 'withdrawal:310000:W-R');
  const back = event('TRANSFER_IN', `transfer:${T_BACK}`);

  it.each([
    ['nothing', [], false],
    ['a transfer-out', [out], true],
    ['a closing withdrawal', [close], true],
    ['a reversed closing withdrawal', [close, reversed], false],
    ['a transfer-out, then a closing withdrawal reversed', [out, close, reversed], true],
    ['a closing withdrawal, then a transfer-out, then its reversal', [close, out, reversed], true],
    ["another centre's withdrawal of the same ID reversed", [close, otherReversed], true],
    ['a transfer-out followed by a transfer back in', [out, back], false],
    ['a transfer back in, then a new closure', [out, back, close], true],
  ] as const)('%s → closed %s', (_name, events, closed) => {
    expect(accountStateOf(events).closed).toBe(closed);
  });
});
