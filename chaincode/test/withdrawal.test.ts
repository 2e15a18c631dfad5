import { freeTextHash } from '../src/domain';
import {
  accountHistory,
  ALICE,
  BEIJING,
  BOB,
  CAROL,
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
import { request, step, T1 } from './transfer-fixtures';

const HOUSE = hash('京(2026)朝阳区不动产权第0001号');
const RENT_1 = hash('rent contract 1');
const RENT_2 = hash('rent contract 2');
const RENT_3 = hash('rent contract 3');
const DAY = 86_400_000;

type Input = Record<string, unknown>;

function input(overrides: Input = {}): Input {
  return {
    withdrawalId: 'W-110000-0001',
    centre: BEIJING.code,
    subjectRef: ALICE,
    reasonCode: '01',
    amount: '100000.00',
    closesAccount: false,
    evidence: [{ kind: 'PURCHASE_CONTRACT', hash: HOUSE }],
    withdrawnOn: '2026-11-20',
    ...overrides,
  };
}

const MSP_OF: Record<string, string> = {
  [BEIJING.code]: BEIJING.mspId,
  [SHANGHAI.code]: SHANGHAI.mspId,
  [GUANGDONG.code]: GUANGDONG.mspId,
};

function record(net: TestNetwork, data: Input): Promise<Invocation> {
  const mspId = MSP_OF[String(data.centre)] ?? REGULATOR.mspId;
  return net.submit(mspId, (ctx) => net.withdrawal.Record(ctx, JSON.stringify(data)));
}

function precheck(net: TestNetwork, data: Input): Promise<Record<string, unknown>> {
  const mspId = MSP_OF[String(data.centre)] ?? REGULATOR.mspId;
  return net.evaluate(mspId, (ctx) => net.withdrawal.Precheck(ctx, JSON.stringify(data))).then(parse);
}

function reverse(
  net: TestNetwork,
  mspId: string,
  withdrawalId: string,
  reason = '录入错误',
): Promise<Invocation> {
  return net.submit(
    mspId,
    (ctx) =>
      net.withdrawal.Reverse(
        ctx,
        homeCentreOf(ctx.clientIdentity.getMSPID()),
        withdrawalId,
        JSON.stringify({ reasonHash: freeTextHash(PSEUDONYM_KEY, reason) }),
      ),
    { transient: { reason } },
  );
}

describe('withdrawal record', () => {
  let net: TestNetwork;

  beforeEach(async () => {
    net = new TestNetwork();
    await net.init();
  });

  it('records amounts in fen with the transaction time and emits one event', async () => {
    const { result, stub, event } = await record(net, input({ amount: '1234.5' }));
    expect(parse(result)).toEqual({
      withdrawalId: 'W-110000-0001',
      attestationId: 'withdrawal:110000:W-110000-0001',
      centre: '110000',
      subjectRef: ALICE,
      reasonCode: '01',
      amountFen: 123450,
      amount: '1234.50',
      closesAccount: false,
      evidence: [{ kind: 'PURCHASE_CONTRACT', hash: HOUSE }],
      withdrawnOn: '2026-11-20',
      status: 'RECORDED',
      alerts: [],
      recordedAt: '2026-11-20T02:00:02.000Z',
      txId: stub.getTxID(),
    });
    expect(event).toEqual({
      type: 'withdrawal.recorded',
      id: 'W-110000-0001',
      attestationId: 'withdrawal:110000:W-110000-0001',
      centres: ['110000'],
      status: 'RECORDED',
      // The public record the transaction wrote, as Get returns it (the gateways index it from here).
      record: parse(result),
    });
    const got = await net.evaluate(REGULATOR.mspId, (ctx) =>
      net.withdrawal.Get(ctx, BEIJING.code, 'W-110000-0001'),
    );
    expect(got).toBe(result);
  });

  it('refuses the same person with the same evidence at another centre, atomically', async () => {
    await record(net, input());
    const before = new Map(net.ledger.state);
    await expectHpf(
      record(net, input({ withdrawalId: 'W-310000-0001', centre: SHANGHAI.code })),
      'DUPLICATE_EVIDENCE',
      'evidence: this subject already withdrew for reason 01 purchase (购买住房) against this PURCHASE_CONTRACT at centre 110000',
    );
    expect(net.ledger.state).toEqual(before);
  });

  it('allows the same evidence again once the window has expired', async () => {
    await record(net, input());
    net.now += 330 * DAY;
    await expectHpf(record(net, input({ withdrawalId: 'W-2', centre: SHANGHAI.code })), 'DUPLICATE_EVIDENCE');
    net.now += 40 * DAY;
    const { result } = await record(
      net,
      input({ withdrawalId: 'W-2', centre: SHANGHAI.code, withdrawnOn: '2027-11-25' }),
    );
    expect(parse(result).status).toBe('RECORDED');
  });

  it('uses the window from the registry rules', async () => {
    const short = new TestNetwork();
    await short.submit(BEIJING.mspId, (ctx) =>
      short.registry.Init(
        ctx,
        JSON.stringify({
          regulator: REGULATOR,
          centres: [BEIJING, SHANGHAI],
          rules: { evidenceWindowMonths: 1, multiCentreAlertThreshold: 2 },
        }),
      ),
    );
    await record(short, input());
    short.now += 32 * DAY;
    const { result } = await record(short, input({ withdrawalId: 'W-2', withdrawnOn: '2026-12-22' }));
    expect(parse(result).status).toBe('RECORDED');
  });

  it('does not block other people with the same home (co-buyers)', async () => {
    await record(net, input({ withdrawalId: 'W-3' }));
    const coBuyer = await record(net, input({ withdrawalId: 'W-4', subjectRef: BOB, centre: SHANGHAI.code }));
    expect(parse(coBuyer.result).alerts).toEqual([]);
  });

  it('a reversal keeps the record and frees the evidence', async () => {
    await record(net, input());
    const { result, event } = await reverse(net, BEIJING.mspId, 'W-110000-0001');
    expect(parse(result)).toMatchObject({
      status: 'REVERSED',
      reversal: { reasonHash: freeTextHash(PSEUDONYM_KEY, '录入错误'), at: '2026-11-20T02:00:03.000Z' },
      amountFen: 10000000,
    });
    expect(event).toEqual({
      type: 'withdrawal.reversed',
      id: 'W-110000-0001',
      attestationId: 'withdrawal:110000:W-110000-0001',
      centres: ['110000'],
      status: 'REVERSED',
      record: parse(result),
    });
    const again = await record(net, input({ withdrawalId: 'W-310000-0001', centre: SHANGHAI.code }));
    expect(parse(again.result).status).toBe('RECORDED');
    expect(
      parse(
        await net.evaluate(BEIJING.mspId, (ctx) => net.withdrawal.Get(ctx, BEIJING.code, 'W-110000-0001')),
      ).status,
    ).toBe('REVERSED');
  });

  it('only the recording centre may reverse, once (another centre reaches only its own IDs)', async () => {
    await record(net, input());
    await expectHpf(
      reverse(net, SHANGHAI.mspId, 'W-110000-0001'),
      'NOT_FOUND',
      'no withdrawal W-110000-0001 at centre 310000',
    );
    await expectHpf(reverse(net, REGULATOR.mspId, 'W-110000-0001'), 'FORBIDDEN', 'regulator');
    await reverse(net, BEIJING.mspId, 'W-110000-0001');
    await expectHpf(reverse(net, BEIJING.mspId, 'W-none'), 'NOT_FOUND');
    await expectHpf(
      net.submit(
        BEIJING.mspId,
        (ctx) =>
          net.withdrawal.Reverse(
            ctx,
            homeCentreOf(ctx.clientIdentity.getMSPID()),
            'W-110000-0001',
            JSON.stringify({ reasonHash: freeTextHash(PSEUDONYM_KEY, '') }),
          ),
        { transient: { reason: '' } },
      ),
      'VALIDATION_FAILED',
      'reversal.reason',
    );
  });

  it('a transfer request alone blocks no withdrawal at the source (review before freezing)', async () => {
    await request(net); // Guangdong asks Beijing to transfer Alice's account out; Beijing has not accepted
    expect(parse((await record(net, input())).result).status).toBe('RECORDED');
  });

  it('refuses a withdrawal at the source once the source accepted the transfer-out', async () => {
    await request(net); // Guangdong asks Beijing to transfer Alice's account out
    await step(net, 'ACCEPT', T1); // Beijing accepts: the account freezes
    await expectHpf(record(net, input()), 'ACCOUNT_IN_TRANSFER', 'centre 110000 is in an open transfer-out');
    const elsewhere = await record(net, input({ withdrawalId: 'W-440000-1', centre: GUANGDONG.code }));
    expect(parse(elsewhere.result).status).toBe('RECORDED');
    const bob = await record(
      net,
      input({ withdrawalId: 'W-2', subjectRef: BOB, evidence: [{ kind: 'TITLE_DEED', hash: RENT_2 }] }),
    );
    expect(parse(bob.result).status).toBe('RECORDED');
  });

  it('allows the withdrawal again once the accepted transfer is rejected', async () => {
    await request(net);
    await step(net, 'ACCEPT', T1);
    await step(net, 'REJECT', T1);
    const { result } = await record(net, input());
    expect(parse(result).status).toBe('RECORDED');
  });

  it('an identical reversal is a replay (nothing written); another reason is CONFLICT', async () => {
    await record(net, input());
    const first = await reverse(net, BEIJING.mspId, 'W-110000-0001');
    const again = await reverse(net, BEIJING.mspId, 'W-110000-0001');
    expect(again.result).toBe(first.result);
    expect(again.event).toMatchObject({ type: 'withdrawal.reversed', replay: true });
    expect(again.stub.writes.size).toBe(0);
    expect(again.stub.privateWrites.size).toBe(0);
    await expectHpf(
      reverse(net, BEIJING.mspId, 'W-110000-0001', '另一个原因'),
      'CONFLICT',
      'already reversed with another reason',
    );
  });

  it('keeps the reversal reason out of public state: its hash there, the text in the centre collection', async () => {
    await record(net, input());
    const { stub } = await reverse(net, BEIJING.mspId, 'W-110000-0001');
    const publicBytes = [...stub.writes.values()].map((v) => Buffer.from(v ?? []).toString('utf8'));
    expect(publicBytes.join('\n')).not.toContain('录入错误');
    expect([...stub.privateWrites.keys()]).toEqual([`_implicit_org_${BEIJING.mspId}`]);
    const stored = stub.privateWrites
      .get(`_implicit_org_${BEIJING.mspId}`)!
      .get('withdrawal-reversal~W-110000-0001')!;
    expect(JSON.parse(Buffer.from(stored).toString('utf8'))).toMatchObject({
      reason: '录入错误',
      reasonHash: freeTextHash(PSEUDONYM_KEY, '录入错误'),
    });
  });

  it.each([
    ['spaced', '证件 110105 19491231 002X 录错'],
    ['hyphenated', '证件110105-19491231-002X录错'],
    ['full-width', '证件１１０１０５１９４９１２３１００２Ｘ录错'],
  ])('refuses a reversal reason carrying an ID number (%s)', async (_kind, reason) => {
    await record(net, input());
    const message = await expectHpf(
      reverse(net, BEIJING.mspId, 'W-110000-0001', reason),
      'VALIDATION_FAILED',
      'reversal.reason',
    );
    expect(message).not.toContain('19491231');
  });

  it('refuses a reason whose hash does not match the transient text', async () => {
    await record(net, input());
    await expectHpf(
      net.submit(
        BEIJING.mspId,
        (ctx) =>
          net.withdrawal.Reverse(
            ctx,
            homeCentreOf(ctx.clientIdentity.getMSPID()),
            'W-110000-0001',
            JSON.stringify({ reasonHash: freeTextHash(PSEUDONYM_KEY, '甲') }),
          ),
        { transient: { reason: '乙' } },
      ),
      'VALIDATION_FAILED',
      'reversal.reasonHash: does not match',
    );
  });

  it('requires closesAccount for the reasons that close the account, refuses withdrawals once closed, and reopens on reversal', async () => {
    for (const reasonCode of ['03', '04', '05', '08']) {
      await expectHpf(
        record(net, input({ reasonCode, evidence: [] })),
        'VALIDATION_FAILED',
        `closesAccount: must be true for reason ${reasonCode}`,
      );
    }
    const retirement = {
      reasonCode: '03',
      closesAccount: true,
      evidence: [{ kind: 'RETIREMENT_CERTIFICATE', hash: RENT_3 }],
    };
    await record(net, input({ withdrawalId: 'W-R', ...retirement }));
    expect(await accountHistory(net, BEIJING.code, ALICE)).toEqual([
      expect.objectContaining({ type: 'WITHDRAWAL_CLOSE', attestationId: 'withdrawal:110000:W-R' }),
    ]);
    const rent = { reasonCode: '07', evidence: [{ kind: 'RENT_CONTRACT', hash: RENT_1 }] };
    await expectHpf(
      record(net, input({ withdrawalId: 'W-L', ...rent })),
      'ACCOUNT_CLOSED',
      'subjectRef: the account at centre 110000 is closed (WITHDRAWAL_CLOSE)',
    );
    // Another centre's account is not this one.
    const elsewhere = await record(net, input({ withdrawalId: 'W-L', centre: SHANGHAI.code, ...rent }));
    expect(parse(elsewhere.result).status).toBe('RECORDED');
    await reverse(net, BEIJING.mspId, 'W-R');
    expect((await accountHistory(net, BEIJING.code, ALICE)).map((event) => event.type)).toEqual([
      'WITHDRAWAL_CLOSE',
      'WITHDRAWAL_CLOSE_REVERSED',
    ]);
    const reopened = await record(
      net,
      input({ withdrawalId: 'W-L2', reasonCode: '07', evidence: [{ kind: 'RENT_CONTRACT', hash: RENT_2 }] }),
    );
    expect(parse(reopened.result).status).toBe('RECORDED');
  });

  it('raises EVIDENCE_SHARED when more than 2 people use one home, in the record and the event', async () => {
    await record(net, input());
    const second = await record(net, input({ withdrawalId: 'W-2', subjectRef: BOB }));
    expect(parse(second.result).alerts).toEqual([]);
    const third = await record(net, input({ withdrawalId: 'W-3', subjectRef: CAROL, centre: SHANGHAI.code }));
    const alert = {
      code: 'EVIDENCE_SHARED',
      message: 'evidence: used by 3 distinct subjects',
      evidenceHash: HOUSE,
      count: 3,
    };
    expect(parse(third.result).alerts).toEqual([alert]);
    expect(third.event).toMatchObject({ type: 'withdrawal.recorded', alerts: [alert] });
  });

  it('raises MULTI_CENTRE for more than N withdrawals at 2 or more centres within 12 months', async () => {
    const rent = (id: string, centre: string, evidenceHash: string): Input =>
      input({
        withdrawalId: id,
        centre,
        reasonCode: '07',
        evidence: [{ kind: 'RENT_CONTRACT', hash: evidenceHash }],
      });
    await record(net, rent('W-1', BEIJING.code, RENT_1));
    const second = await record(net, rent('W-2', SHANGHAI.code, RENT_2));
    expect(parse(second.result).alerts).toEqual([]);
    const third = await record(net, rent('W-3', BEIJING.code, RENT_3));
    const alert = {
      code: 'MULTI_CENTRE',
      message: 'subject: 3 withdrawals at 2 centres within 12 months',
      count: 3,
      centres: ['110000', '310000'],
    };
    expect(parse(third.result).alerts).toEqual([alert]);
    expect(third.event).toMatchObject({ alerts: [alert] });
  });

  it('does not raise MULTI_CENTRE at a single centre, for reversed ones, or outside 12 months', async () => {
    const rent = (id: string, centre: string): Input =>
      input({
        withdrawalId: id,
        centre,
        reasonCode: '07',
        evidence: [{ kind: 'RENT_CONTRACT', hash: hash(id) }],
      });
    await record(net, rent('W-1', BEIJING.code));
    await record(net, rent('W-2', BEIJING.code));
    expect(parse((await record(net, rent('W-3', BEIJING.code))).result).alerts).toEqual([]);
    const other = new TestNetwork();
    await other.init();
    await record(other, rent('W-1', BEIJING.code));
    await reverse(other, BEIJING.mspId, 'W-1');
    await record(other, rent('W-2', SHANGHAI.code));
    expect(parse((await record(other, rent('W-3', BEIJING.code))).result).alerts).toEqual([]);
    other.now += 400 * DAY;
    expect(parse((await record(other, rent('W-4', SHANGHAI.code))).result).alerts).toEqual([]);
  });

  it('refuses the regulator and a centre recording for another', async () => {
    await expectHpf(
      net.submit(REGULATOR.mspId, (ctx) => net.withdrawal.Record(ctx, JSON.stringify(input()))),
      'FORBIDDEN',
      'regulator',
    );
    await expectHpf(
      net.submit(SHANGHAI.mspId, (ctx) => net.withdrawal.Record(ctx, JSON.stringify(input()))),
      'FORBIDDEN',
      'centre: centre 110000 is not registered to C310000MSP',
    );
    await expectHpf(
      net.submit('OutsiderMSP', (ctx) => net.withdrawal.Record(ctx, JSON.stringify(input()))),
      'FORBIDDEN',
    );
  });

  it('is idempotent on the withdrawal ID (evidence order does not matter) and CONFLICT on other content', async () => {
    const two = [
      { kind: 'PURCHASE_CONTRACT', hash: HOUSE },
      { kind: 'TITLE_DEED', hash: RENT_1 },
    ];
    const first = await record(net, input({ evidence: two }));
    const again = await record(net, input({ evidence: [...two].reverse() }));
    expect(again.result).toBe(first.result);
    expect(again.stub.writes.size).toBe(0);
    expect(again.event).toMatchObject({ replay: true });
    await expectHpf(record(net, input({ evidence: two, amount: '100000.01' })), 'CONFLICT', 'withdrawalId');
  });

  it.each([
    [{ amount: '-100.00' }, 'amount'],
    [{ amount: '0' }, 'amount: must be greater than 0'],
    [{ amount: '0.00' }, 'amount: must be greater than 0'],
    [{ amount: '100.001' }, 'amount: must be a decimal string'],
    [{ amount: 100 }, 'amount: must be a string'],
    [{ reasonCode: '12' }, 'reasonCode'],
    [{ evidence: [{ kind: 'PAYSLIP', hash: HOUSE }] }, 'evidence[0].kind'],
    [{ evidence: [{ kind: 'PURCHASE_CONTRACT', hash: HOUSE.toUpperCase() }] }, 'evidence[0].hash'],
    [
      { evidence: [{ kind: 'RENT_CONTRACT', hash: RENT_1 }] },
      'evidence: reason 01 needs a PURCHASE_CONTRACT',
    ],
    [
      {
        evidence: [
          { kind: 'PURCHASE_CONTRACT', hash: HOUSE },
          { kind: 'TITLE_DEED', hash: HOUSE },
        ],
      },
      'evidence: each hash may appear once',
    ],
    [{ withdrawnOn: '2026-02-30' }, 'withdrawnOn: must be a calendar date'],
    [{ withdrawnOn: '2026-11-23' }, 'withdrawnOn: must not be in the future'],
    [{ withdrawalId: 'W 1' }, 'withdrawalId'],
    [{ centre: '110100' }, 'centre'],
    [{ subjectRef: 'not-a-ref' }, 'subjectRef'],
    [{ closesAccount: 'no' }, 'closesAccount'],
    [{ note: 'x' }, 'withdrawal: unexpected field'],
  ])('validates %p', async (change, text) => {
    await expectHpf(
      net.submit(BEIJING.mspId, (ctx) => net.withdrawal.Record(ctx, JSON.stringify(input(change)))),
      'VALIDATION_FAILED',
      text,
    );
  });
});

describe('withdrawal precheck', () => {
  let net: TestNetwork;

  beforeEach(async () => {
    net = new TestNetwork();
    await net.init();
  });

  it('says allowed, or why not, and writes nothing', async () => {
    expect(await precheck(net, input())).toEqual({ allowed: true, violations: [], alerts: [] });
    await record(net, input());
    await request(net, '4400002611200002', ALICE);
    await step(net, 'ACCEPT', '4400002611200002');
    const result = await precheck(net, input({ withdrawalId: 'W-2' }));
    expect(result.allowed).toBe(false);
    expect((result.violations as { code: string }[]).map((violation) => violation.code)).toEqual([
      'ACCOUNT_IN_TRANSFER',
      'DUPLICATE_EVIDENCE',
    ]);
  });

  it('reports an existing ID: allowed for the same content, CONFLICT otherwise', async () => {
    await record(net, input());
    expect((await precheck(net, input())).allowed).toBe(true);
    const conflict = await precheck(net, input({ amount: '1.00' }));
    expect(conflict).toMatchObject({ allowed: false, violations: [{ code: 'CONFLICT' }] });
  });

  it('applies the caller checks', async () => {
    await expectHpf(
      net.evaluate(SHANGHAI.mspId, (ctx) => net.withdrawal.Precheck(ctx, JSON.stringify(input()))),
      'FORBIDDEN',
    );
  });
});
