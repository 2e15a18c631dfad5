import { freeTextHash } from '../src/domain';
import { BAN_GROUNDS, isRecurringReason, WITHDRAWAL_REASONS } from '../src/domain/codes';
import { addMonths } from '../src/domain/dates';
import { addYears } from '../src/model/ban';
import {
  ALICE,
  BEIJING,
  BOB,
  expectHpf,
  hash,
  parse,
  personOf,
  PSEUDONYM_KEY,
  REGISTRY_INPUT,
  REGULATOR,
  SHANGHAI,
  TestNetwork,
  type Invocation,
} from './harness';

const LEASE = hash('京(2026)租赁合同 0001');
const PROPERTY = hash('物业服务合同 0001');
const LOAN = hash('个人住房公积金贷款合同 0002');
const CENTRE_MSP: Record<string, string> = { [BEIJING.code]: BEIJING.mspId, [SHANGHAI.code]: SHANGHAI.mspId };

type Input = Record<string, unknown>;

function withdrawalInput(overrides: Input): Input {
  return {
    withdrawalId: 'W-1',
    centre: BEIJING.code,
    subjectRef: ALICE,
    reasonCode: '07',
    amount: '1500.00',
    evidence: [{ kind: 'RENT_CONTRACT', hash: LEASE }],
    withdrawnOn: '2026-09-05',
    ...overrides,
  };
}

function record(net: TestNetwork, overrides: Input): Promise<Invocation> {
  const data = withdrawalInput(overrides);
  const mspId = CENTRE_MSP[String(data.centre)] ?? BEIJING.mspId;
  return net.submit(mspId, (ctx) => net.withdrawal.Record(ctx, JSON.stringify(data)));
}

async function precheck(net: TestNetwork, overrides: Input): Promise<Record<string, unknown>> {
  const data = withdrawalInput(overrides);
  const mspId = CENTRE_MSP[String(data.centre)] ?? BEIJING.mspId;
  return parse(await net.evaluate(mspId, (ctx) => net.withdrawal.Precheck(ctx, JSON.stringify(data))));
}

const REASON = '伪造租赁合同骗提';

function banInput(overrides: Input = {}): Input {
  return {
    banId: 'BAN-1',
    centre: BEIJING.code,
    subjectRef: ALICE,
    ground: 'WITHDRAWAL_FRAUD',
    decidedOn: '2026-11-01',
    reasonHash: freeTextHash(PSEUDONYM_KEY, REASON),
    ...overrides,
  };
}

function impose(
  net: TestNetwork,
  overrides: Input = {},
  transient?: Record<string, string>,
): Promise<Invocation> {
  const data = banInput(overrides);
  const mspId = CENTRE_MSP[String(data.centre)] ?? BEIJING.mspId;
  const subjectRef = data.subjectRef === BOB ? BOB : ALICE;
  return net.submit(mspId, (ctx) => net.ban.Impose(ctx, JSON.stringify(data)), {
    transient: transient ?? { person: JSON.stringify(personOf(subjectRef)), reason: REASON },
  });
}

function lift(net: TestNetwork, mspId: string, centre: string, banId: string, reason = '复议撤销') {
  return net.submit(
    mspId,
    (ctx) =>
      net.ban.Lift(ctx, centre, banId, JSON.stringify({ reasonHash: freeTextHash(PSEUDONYM_KEY, reason) })),
    { transient: { reason } },
  );
}

describe('the per-reason table', () => {
  it('maps reasons to the grounds of Art. 24, marks local extensions and the recurring reasons', () => {
    const grounds = Object.fromEntries(Object.entries(WITHDRAWAL_REASONS).map(([c, r]) => [c, r.ground]));
    expect(grounds).toEqual({
      '01': 2,
      '02': 2,
      '03': 6,
      '04': 7,
      '05': 8,
      '06': 3,
      '07': 1,
      '08': null,
      '09': null,
      '10': 4,
      '11': 5,
      '12': 9,
      '99': null,
    });
    // Every one of the nine grounds has a code.
    expect(new Set(Object.values(grounds).filter((g) => g !== null)).size).toBe(9);
    const extensions = Object.entries(WITHDRAWAL_REASONS).filter(([, r]) => r.localExtension);
    expect(extensions.map(([code]) => code)).toEqual(['10', '11', '12']);
    expect(Object.keys(WITHDRAWAL_REASONS).filter(isRecurringReason).sort()).toEqual(['06', '07', '11']);
    expect(WITHDRAWAL_REASONS['05'].name).toContain('出境定居');
    expect(WITHDRAWAL_REASONS['08'].name).toContain('被宣告死亡');
    expect(BAN_GROUNDS.WITHDRAWAL_FRAUD.years).toBe(3);
    expect(BAN_GROUNDS.LOAN_FRAUD.years).toBe(5);
  });

  it('adds calendar months and years with the day clamped', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2026-11-05', 2)).toBe('2027-01-05');
    expect(addYears('2026-11-01', 3)).toBe('2029-11-01');
    expect(addYears('2028-02-29', 1)).toBe('2029-03-01');
  });
});

describe('recurring withdrawals', () => {
  let net: TestNetwork;

  beforeEach(async () => {
    net = new TestNetwork();
    await net.init();
  });

  it('records monthly rent on one lease at one centre, and refuses it at another centre', async () => {
    const first = await record(net, { withdrawalId: 'W-1', withdrawnOn: '2026-09-05' });
    expect(parse(first.result).status).toBe('RECORDED');
    const second = await record(net, { withdrawalId: 'W-2', withdrawnOn: '2026-10-05' });
    expect(parse(second.result).status).toBe('RECORDED');
    await expectHpf(
      record(net, { withdrawalId: 'W-3', centre: SHANGHAI.code, withdrawnOn: '2026-11-05' }),
      'DUPLICATE_EVIDENCE',
      'at centre 110000',
    );
  });

  it('refuses rent twice within a month at one centre (WITHDRAWAL_TOO_FREQUENT), in either order', async () => {
    await record(net, { withdrawalId: 'W-1', withdrawnOn: '2026-10-05' });
    await expectHpf(
      record(net, { withdrawalId: 'W-2', withdrawnOn: '2026-10-20' }),
      'WITHDRAWAL_TOO_FREQUENT',
      'withdrawnOn: reason 07',
    );
    // A back-dated one less than a month before is as close.
    await expectHpf(
      record(net, { withdrawalId: 'W-2', withdrawnOn: '2026-09-10' }),
      'WITHDRAWAL_TOO_FREQUENT',
      'withdrawal W-1 was on 2026-10-05',
    );
    // Another lease for the same reason at the same centre is the same interval.
    await expectHpf(
      record(net, {
        withdrawalId: 'W-2',
        withdrawnOn: '2026-10-25',
        evidence: [{ kind: 'RENT_CONTRACT', hash: hash('another lease') }],
      }),
      'WITHDRAWAL_TOO_FREQUENT',
    );
    const verdict = await precheck(net, { withdrawalId: 'W-2', withdrawnOn: '2026-10-20' });
    expect(verdict).toMatchObject({
      allowed: false,
      violations: [expect.objectContaining({ code: 'WITHDRAWAL_TOO_FREQUENT' })],
    });
    expect(parse((await record(net, { withdrawalId: 'W-2', withdrawnOn: '2026-09-05' })).result).status).toBe(
      'RECORDED',
    );
  });

  it('frees the interval when the earlier withdrawal is reversed', async () => {
    await record(net, { withdrawalId: 'W-1', withdrawnOn: '2026-10-05' });
    await net.submit(
      BEIJING.mspId,
      (ctx) =>
        net.withdrawal.Reverse(
          ctx,
          BEIJING.code,
          'W-1',
          JSON.stringify({ reasonHash: freeTextHash(PSEUDONYM_KEY, '错') }),
        ),
      { transient: { reason: '错' } },
    );
    const again = await record(net, { withdrawalId: 'W-2', withdrawnOn: '2026-10-06' });
    expect(parse(again.result).status).toBe('RECORDED');
  });

  it('uses the registry intervals: property fees (11) yearly by default, repayment (06) as configured', async () => {
    const fees = { reasonCode: '11', evidence: [{ kind: 'OTHER', hash: PROPERTY }] };
    await record(net, { withdrawalId: 'F-1', withdrawnOn: '2026-01-10', ...fees });
    await expectHpf(
      record(net, { withdrawalId: 'F-2', withdrawnOn: '2026-11-10', ...fees }),
      'WITHDRAWAL_TOO_FREQUENT',
      'at most once every 12 month(s)',
    );
    const other = new TestNetwork();
    await other.submit(REGULATOR.mspId, (ctx) =>
      other.registry.Init(
        ctx,
        JSON.stringify({
          ...REGISTRY_INPUT,
          rules: {
            evidenceWindowMonths: 12,
            multiCentreAlertThreshold: 2,
            recurringIntervalMonths: { '06': 3 },
          },
        }),
      ),
    );
    const repay = { reasonCode: '06', evidence: [{ kind: 'LOAN_CONTRACT', hash: LOAN }] };
    await record(other, { withdrawalId: 'L-1', withdrawnOn: '2026-06-01', ...repay });
    await expectHpf(
      record(other, { withdrawalId: 'L-2', withdrawnOn: '2026-08-01', ...repay }),
      'WITHDRAWAL_TOO_FREQUENT',
      'every 3 month(s)',
    );
    const ok = await record(other, { withdrawalId: 'L-2', withdrawnOn: '2026-09-01', ...repay });
    expect(parse(ok.result).status).toBe('RECORDED');
  });

  it('keeps one-off purposes to one use at any centre', async () => {
    const purchase = {
      reasonCode: '01',
      amount: '100000.00',
      evidence: [{ kind: 'PURCHASE_CONTRACT', hash: hash('买卖合同 9') }],
    };
    await record(net, { withdrawalId: 'P-1', ...purchase });
    await expectHpf(
      record(net, { withdrawalId: 'P-2', withdrawnOn: '2026-11-05', ...purchase }),
      'DUPLICATE_EVIDENCE',
    );
  });

  it('refuses a bad interval in the registry rules, naming the field', async () => {
    const other = new TestNetwork();
    await expectHpf(
      other.submit(REGULATOR.mspId, (ctx) =>
        other.registry.Init(
          ctx,
          JSON.stringify({ ...REGISTRY_INPUT, rules: { recurringIntervalMonths: { '01': 1 } } }),
        ),
      ),
      'VALIDATION_FAILED',
      'rules.recurringIntervalMonths',
    );
    await expectHpf(
      other.submit(REGULATOR.mspId, (ctx) =>
        other.registry.Init(
          ctx,
          JSON.stringify({ ...REGISTRY_INPUT, rules: { banYears: { LOAN_FRAUD: 0 } } }),
        ),
      ),
      'VALIDATION_FAILED',
      'rules.banYears.LOAN_FRAUD',
    );
  });
});

describe('national fraud bans', () => {
  let net: TestNetwork;

  beforeEach(async () => {
    net = new TestNetwork();
    await net.init();
  });

  it('imposes a 3-year ban that refuses withdrawals and prechecks at every centre', async () => {
    const { result, event } = await impose(net);
    const ban = parse(result);
    expect(ban).toMatchObject({
      banId: 'BAN-1',
      centre: BEIJING.code,
      subjectRef: ALICE,
      ground: 'WITHDRAWAL_FRAUD',
      from: '2026-11-01',
      until: '2029-11-01',
      status: 'ACTIVE',
      attestationId: 'ban:110000:BAN-1',
    });
    expect(result).not.toContain(REASON);
    expect(event).toMatchObject({ type: 'ban.imposed', id: 'BAN-1', centres: ['110000'], status: 'ACTIVE' });
    await expectHpf(record(net, { centre: SHANGHAI.code }), 'SUBJECT_BANNED', 'until 2029-11-01');
    await expectHpf(record(net, {}), 'SUBJECT_BANNED', 'ban:110000:BAN-1');
    expect(await precheck(net, { centre: SHANGHAI.code })).toMatchObject({
      allowed: false,
      violations: [expect.objectContaining({ code: 'SUBJECT_BANNED' })],
    });
    // Another person is not banned.
    expect(parse((await record(net, { subjectRef: BOB, centre: SHANGHAI.code })).result).status).toBe(
      'RECORDED',
    );
    // The reason is private: in Beijing's implicit collection only.
    const privateKeys = [...net.ledger.privateData.keys()];
    expect(privateKeys.some((key) => key.startsWith('_implicit_org_C110000MSP'))).toBe(true);
  });

  it('gives loan fraud 5 years, ends a ban on its until date, and keeps expired bans out of the way', async () => {
    const { result } = await impose(net, { banId: 'BAN-L', ground: 'LOAN_FRAUD', decidedOn: '2021-11-25' });
    expect(parse(result).until).toBe('2026-11-25');
    await expectHpf(record(net, {}), 'SUBJECT_BANNED');
    net.now += 6 * 86_400_000; // 2026-11-26 in China: the ban is over
    expect(parse((await record(net, {})).result).status).toBe('RECORDED');
  });

  it('lets only the issuing centre lift, keeps the history, and is idempotent', async () => {
    await impose(net);
    await expectHpf(
      lift(net, SHANGHAI.mspId, SHANGHAI.code, 'BAN-1'),
      'NOT_FOUND',
      'no ban BAN-1 at centre 310000',
    );
    await expectHpf(lift(net, SHANGHAI.mspId, BEIJING.code, 'BAN-1'), 'FORBIDDEN');
    const { result, event } = await lift(net, BEIJING.mspId, BEIJING.code, 'BAN-1');
    expect(parse(result)).toMatchObject({ status: 'LIFTED', until: '2029-11-01', lift: expect.any(Object) });
    expect(event).toMatchObject({ type: 'ban.lifted', status: 'LIFTED' });
    const replay = await lift(net, BEIJING.mspId, BEIJING.code, 'BAN-1');
    expect(replay.event).toMatchObject({ replay: true });
    await expectHpf(lift(net, BEIJING.mspId, BEIJING.code, 'BAN-1', '另一理由'), 'CONFLICT');
    expect(parse((await record(net, { centre: SHANGHAI.code })).result).status).toBe('RECORDED');
    const stored = parse(
      await net.evaluate(SHANGHAI.mspId, (ctx) => net.ban.Get(ctx, BEIJING.code, 'BAN-1')),
    );
    expect(stored).toMatchObject({ status: 'LIFTED', ground: 'WITHDRAWAL_FRAUD' });
    const timeline = parse(await net.evaluate(REGULATOR.mspId, (ctx) => net.audit.Timeline(ctx, ALICE)));
    expect(timeline.attestations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'ban', attestationId: 'ban:110000:BAN-1', status: 'LIFTED' }),
      ]),
    );
  });

  it('replays the same ban and refuses another under the same ID', async () => {
    await impose(net);
    const again = await impose(net);
    expect(again.event).toMatchObject({ replay: true });
    await expectHpf(impose(net, { ground: 'LOAN_FRAUD' }), 'CONFLICT', 'banId: BAN-1');
  });

  it.each([
    [{ banId: '110105199003071234' }, 'banId'],
    [{ banId: 'BAN 1' }, 'banId'],
    [{ ground: 'TAX_FRAUD' }, 'ground'],
    [{ decidedOn: '2026-02-30' }, 'decidedOn'],
    [{ decidedOn: '2026-12-30' }, 'decidedOn: must not be in the future'],
    [{ subjectRef: 'x' }, 'subjectRef'],
    [{ reasonHash: 'abc' }, 'reasonHash'],
    [{ note: 'x' }, 'unexpected field'],
  ])('validates %p and writes nothing', async (change, text) => {
    const before = net.ledger.state.size;
    await expectHpf(impose(net, change), 'VALIDATION_FAILED', text);
    expect(net.ledger.state.size).toBe(before);
  });

  it('refuses a forged person or reason, and the regulator', async () => {
    await expectHpf(
      impose(net, {}, { person: JSON.stringify(personOf(BOB)), reason: REASON }),
      'FORBIDDEN',
      'subjectRef does not match',
    );
    await expectHpf(
      impose(net, {}, { person: JSON.stringify(personOf(ALICE)), reason: '别的' }),
      'VALIDATION_FAILED',
      'reasonHash',
    );
    await expectHpf(
      net.submit(REGULATOR.mspId, (ctx) => net.ban.Impose(ctx, JSON.stringify(banInput())), {
        transient: { person: JSON.stringify(personOf(ALICE)), reason: REASON },
      }),
      'FORBIDDEN',
    );
  });
});
