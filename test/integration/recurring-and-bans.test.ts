import { addMonths } from '../../chaincode/src/domain';
import { call, gatewayOf, type HttpResult } from '../support/http';
import { residentId } from '../support/ledger';

/**
 * Rules as centres practise them (docs/rules.md "Withdrawal reasons", "Fraud bans") through the HTTP
 * gateways on the real network: monthly rent on one lease at one centre, the interval and the other
 * centre; closure as the caller's choice; a national fraud ban refusing withdrawals at every centre
 * until its issuer lifts it.
 */

// Birth date 1971-07-17 belongs to this file.
const run = Date.now() % 90;
const today = new Date().toISOString().slice(0, 10);
const lastMonth = addMonths(today, -1);
const beijing = gatewayOf('C110000MSP');
const shanghai = gatewayOf('C310000MSP');
const guangdong = gatewayOf('C440000MSP');
const regulator = gatewayOf('RegulatorMSP');

function person(n: number, name: string): { idType: string; idNumber: string; name: string } {
  return { idType: '01', idNumber: residentId('19710717', run * 10 + n), name };
}

function rent(id: string, who: ReturnType<typeof person>, lease: string, withdrawnOn: string): object {
  return {
    withdrawalId: id,
    person: who,
    reasonCode: '07',
    amount: '1500.00',
    evidence: [{ kind: 'RENT_CONTRACT', reference: lease }],
    withdrawnOn,
  };
}

function expectProblem(result: HttpResult, status: number, code: string): void {
  expect({ status: result.status, code: result.body.code }).toEqual({ status, code });
}

describe('recurring withdrawals on the real network', () => {
  it('records monthly rent twice at one centre (201, 201); too soon is 409 WITHDRAWAL_TOO_FREQUENT; another centre 409 DUPLICATE_EVIDENCE', async () => {
    const who = person(1, '月租甲');
    const lease = `ZL-${run}-RB1`;
    const first = await call(
      guangdong,
      'operator',
      'POST',
      '/v1/withdrawals',
      rent(`RB-${run}-1`, who, lease, lastMonth),
    );
    const second = await call(
      guangdong,
      'operator',
      'POST',
      '/v1/withdrawals',
      rent(`RB-${run}-2`, who, lease, today),
    );
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body).toMatchObject({ reasonCode: '07', closesAccount: false, centre: '440000' });
    const tooSoon = await call(
      guangdong,
      'operator',
      'POST',
      '/v1/withdrawals',
      rent(`RB-${run}-3`, who, `ZL-${run}-RB1-other`, today),
    );
    expectProblem(tooSoon, 409, 'WITHDRAWAL_TOO_FREQUENT');
    expect(String(tooSoon.body.detail)).toContain('withdrawnOn');
    expectProblem(
      await call(beijing, 'operator', 'POST', '/v1/withdrawals', rent(`RB-${run}-4`, who, lease, today)),
      409,
      'DUPLICATE_EVIDENCE',
    );
    // Nothing was written by the refusals.
    expect((await call(guangdong, 'auditor', 'GET', `/v1/withdrawals/RB-${run}-3`)).status).toBe(404);
  });

  it('lets the caller keep the account open on retirement; left out, the reason closes it', async () => {
    const kept = person(2, '退休乙');
    const open = await call(shanghai, 'operator', 'POST', '/v1/withdrawals', {
      withdrawalId: `RB-${run}-R1`,
      person: kept,
      reasonCode: '03',
      amount: '30000.00',
      closesAccount: false,
      evidence: [{ kind: 'RETIREMENT_CERTIFICATE', reference: `TX-${run}-R1` }],
      withdrawnOn: today,
    });
    expect(open.status).toBe(201);
    expect(open.body).toMatchObject({ closesAccount: false });
    // The account is still open: a rent withdrawal there is recorded.
    expect(
      (
        await call(
          shanghai,
          'operator',
          'POST',
          '/v1/withdrawals',
          rent(`RB-${run}-R2`, kept, `ZL-${run}-R2`, today),
        )
      ).status,
    ).toBe(201);
    const defaulted = await call(shanghai, 'operator', 'POST', '/v1/withdrawals', {
      withdrawalId: `RB-${run}-R3`,
      person: person(3, '出境丙'),
      reasonCode: '05',
      amount: '30000.00',
      evidence: [],
      withdrawnOn: today,
    });
    expect(defaulted.status).toBe(201);
    expect(defaulted.body).toMatchObject({ closesAccount: true });
  });
});

describe('national fraud bans on the real network', () => {
  it('a ban at Beijing refuses withdrawals and prechecks at other centres (409 SUBJECT_BANNED) until Beijing lifts it', async () => {
    const who = person(4, '骗提丁');
    const banId = `BAN-${run}-1`;
    const imposed = await call(beijing, 'operator', 'POST', '/v1/bans', {
      banId,
      person: who,
      ground: 'WITHDRAWAL_FRAUD',
      decidedOn: today,
      reason: '伪造租赁合同骗提',
    });
    expect(imposed.status).toBe(201);
    expect(imposed.body).toMatchObject({
      banId,
      centre: '110000',
      ground: 'WITHDRAWAL_FRAUD',
      from: today,
      until: `${Number(today.slice(0, 4)) + 3}${today.slice(4)}`,
      status: 'ACTIVE',
    });
    expect(JSON.stringify(imposed.body)).not.toContain('伪造');
    expect(JSON.stringify(imposed.body)).not.toContain(who.idNumber);
    const subjectRef = String(imposed.body.subjectRef);

    const withdrawal = rent(`RB-${run}-B1`, who, `ZL-${run}-B1`, today);
    expectProblem(
      await call(shanghai, 'operator', 'POST', '/v1/withdrawals', withdrawal),
      409,
      'SUBJECT_BANNED',
    );
    const precheck = await call(guangdong, 'operator', 'POST', '/v1/withdrawals/precheck', withdrawal);
    expect(precheck.body).toMatchObject({
      allowed: false,
      violations: [expect.objectContaining({ code: 'SUBJECT_BANNED' })],
    });

    // Only the issuing centre lifts: Shanghai's scope has no such ban.
    expectProblem(
      await call(shanghai, 'operator', 'POST', `/v1/bans/${banId}/lift`, { reason: '越权' }),
      404,
      'NOT_FOUND',
    );
    expect((await call(regulator, 'auditor', 'GET', `/v1/bans/${banId}?centre=110000`)).body).toMatchObject({
      status: 'ACTIVE',
    });
    const timeline = await call(regulator, 'auditor', 'GET', `/v1/subjects/${subjectRef}/timeline`);
    expect(JSON.stringify(timeline.body)).toContain(`ban:110000:${banId}`);

    const lifted = await call(beijing, 'operator', 'POST', `/v1/bans/${banId}/lift`, { reason: '复议撤销' });
    expect(lifted.status).toBe(201);
    expect(lifted.body).toMatchObject({ status: 'LIFTED', until: imposed.body.until });
    expect((await call(shanghai, 'operator', 'POST', '/v1/withdrawals', withdrawal)).status).toBe(201);
  });

  it('bad ban input is 400 naming the field and writes nothing', async () => {
    const banId = `BAN-${run}-BAD`;
    const bad = await call(beijing, 'operator', 'POST', '/v1/bans', {
      banId,
      person: person(5, '无效戊'),
      ground: 'TAX_FRAUD',
      decidedOn: today,
      reason: '无',
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('ground');
    const future = await call(beijing, 'operator', 'POST', '/v1/bans', {
      banId,
      person: person(5, '无效戊'),
      ground: 'LOAN_FRAUD',
      decidedOn: addMonths(today, 2),
      reason: '无',
    });
    expectProblem(future, 400, 'VALIDATION_FAILED');
    expect(String(future.body.detail)).toContain('decidedOn');
    expect((await call(beijing, 'auditor', 'GET', `/v1/bans/${banId}`)).status).toBe(404);
  });
});
