import { freeTextHash } from '../src/domain';
import { reasonsConflict, WITHDRAWAL_REASONS } from '../src/domain';
import {
  ALICE,
  BEIJING,
  BOB,
  expectHpf,
  GUANGDONG,
  hash,
  parse,
  SHANGHAI,
  TestNetwork,
  type Invocation,
  homeCentreOf,
  PSEUDONYM_KEY,
} from './harness';

/** The duplicate rule follows the purpose (reason) of the withdrawal. */
const PURCHASE_CONTRACT = hash('京(2026)朝阳区商品房买卖合同 0001');
const LOAN_CONTRACT = hash('个人住房公积金贷款合同 0001');

const CENTRES = [BEIJING, SHANGHAI, GUANGDONG];

function withdraw(
  net: TestNetwork,
  withdrawalId: string,
  reasonCode: string,
  evidence: readonly { kind: string; hash: string }[],
  centreIndex = 0,
  subjectRef = ALICE,
): Promise<Invocation> {
  const centre = CENTRES[centreIndex] ?? BEIJING;
  return net.submit(centre.mspId, (ctx) =>
    net.withdrawal.Record(
      ctx,
      JSON.stringify({
        withdrawalId,
        centre: centre.code,
        subjectRef,
        reasonCode,
        amount: '5000.00',
        closesAccount: false,
        evidence,
        withdrawnOn: '2026-11-20',
      }),
    ),
  );
}

const purchase = [{ kind: 'PURCHASE_CONTRACT', hash: PURCHASE_CONTRACT }];
const repayment = [
  { kind: 'PURCHASE_CONTRACT', hash: PURCHASE_CONTRACT },
  { kind: 'LOAN_CONTRACT', hash: LOAN_CONTRACT },
];

describe('duplicate evidence follows the purpose', () => {
  let net: TestNetwork;

  beforeEach(async () => {
    net = new TestNetwork();
    await net.init();
  });

  it('allows a repayment (06) citing the purchase contract of a purchase withdrawal (01)', async () => {
    await withdraw(net, 'W-1', '01', purchase);
    const { result } = await withdraw(net, 'W-2', '06', repayment);
    expect(parse(result).status).toBe('RECORDED');
  });

  it('refuses 01 twice, and 02 after 01, with the same evidence at any centre', async () => {
    await withdraw(net, 'W-1', '01', purchase);
    await expectHpf(withdraw(net, 'W-2', '01', purchase, 1), 'DUPLICATE_EVIDENCE', 'for reason 01');
    await expectHpf(
      withdraw(net, 'W-2', '02', [{ kind: 'BUILD_PERMIT', hash: hash('permit') }, ...purchase], 2),
      'DUPLICATE_EVIDENCE',
      'for reason 01',
    );
  });

  it('refuses a second repayment (06) with the same loan contract within the window, at any centre', async () => {
    await withdraw(net, 'W-1', '06', [{ kind: 'LOAN_CONTRACT', hash: LOAN_CONTRACT }]);
    await expectHpf(
      withdraw(net, 'W-2', '06', [{ kind: 'LOAN_CONTRACT', hash: LOAN_CONTRACT }], 1),
      'DUPLICATE_EVIDENCE',
      'for reason 06',
    );
    // The purchase itself is another ground.
    const { result } = await withdraw(net, 'W-3', '01', repayment, 2);
    expect(parse(result).status).toBe('RECORDED');
  });

  it('allows the same reason again once the earlier withdrawal is reversed', async () => {
    await withdraw(net, 'W-1', '06', [{ kind: 'LOAN_CONTRACT', hash: LOAN_CONTRACT }]);
    await net.submit(
      BEIJING.mspId,
      (ctx) =>
        net.withdrawal.Reverse(
          ctx,
          homeCentreOf(ctx.clientIdentity.getMSPID()),
          'W-1',
          JSON.stringify({ reasonHash: freeTextHash(PSEUDONYM_KEY, '录入错误') }),
        ),
      { transient: { reason: '录入错误' } },
    );
    const { result } = await withdraw(net, 'W-2', '06', [{ kind: 'LOAN_CONTRACT', hash: LOAN_CONTRACT }]);
    expect(parse(result).status).toBe('RECORDED');
  });

  it('leaves co-buyers alone (another person, same evidence, same reason)', async () => {
    await withdraw(net, 'W-1', '01', purchase);
    const { result } = await withdraw(net, 'W-2', '01', purchase, 1, BOB);
    expect(parse(result).status).toBe('RECORDED');
  });

  it('conflict table: the same reason, or purchase and build together', () => {
    const codes = Object.keys(WITHDRAWAL_REASONS);
    const conflicting = codes.flatMap((a) =>
      codes.filter((b) => a < b && reasonsConflict(a, b)).map((b) => `${a}-${b}`),
    );
    expect(conflicting).toEqual(['01-02']);
    expect(codes.every((code) => reasonsConflict(code, code))).toBe(true);
    expect(reasonsConflict('02', '01')).toBe(true);
    expect(reasonsConflict('01', '06')).toBe(false);
    expect(reasonsConflict('01', '10')).toBe(false);
  });
});
