import { testConsortium } from '../support/consortium';
import { call, gatewayOf, type HttpResult } from '../support/http';
import { residentId, transferIdFor } from '../support/ledger';
import { confirmOutBody, evidenceOf, withdrawalBody, type WithdrawalBodyFixture } from '../support/fixtures';

/**
 * The cross-province rules (docs/rules.md) end to end, through the centres' HTTP gateways on the real network: one open
 * accepted transfer-out per source centre and person, frozen on the source's acceptance (also under concurrency, where the range read in the
 * submit is re-checked at commit), account closures that nothing erases, withdrawal IDs scoped per
 * centre with typed attestation IDs, and the duplicate-evidence rule following the purpose.
 */

const consortium = testConsortium();
// Transfer sequence numbers 9900-9999 and birth date 1966-06-06 belong to this file.
const run = Date.now() % 90;
const today = new Date().toISOString().slice(0, 10);
const beijing = gatewayOf('C110000MSP');
const shanghai = gatewayOf('C310000MSP');
const guangdong = gatewayOf('C440000MSP');
const regulator = gatewayOf('RegulatorMSP');

function centre(code: string): (typeof consortium.centres)[number] {
  const found = consortium.centres.find((c) => c.code === code);
  if (found === undefined) throw new Error(`no centre ${code}`);
  return found;
}

function person(n: number, name: string): { idType: string; idNumber: string; name: string } {
  return { idType: '01', idNumber: residentId('19660606', run * 10 + n), name };
}

function letter(destination: string, n: number): string {
  return transferIdFor(centre(destination), 9900 + ((run * 10 + n) % 100));
}

function withdrawal(
  withdrawalId: string,
  who: ReturnType<typeof person>,
  reasonCode: string,
  evidence: readonly { kind: string; reference: string }[],
  closesAccount = false,
): WithdrawalBodyFixture {
  return withdrawalBody(withdrawalId, who, {
    reasonCode,
    amount: '8000.00',
    closesAccount,
    evidence,
    withdrawnOn: today,
  });
}

const rent = (reference: string): WithdrawalBodyFixture['evidence'] => evidenceOf('RENT_CONTRACT', reference);

async function transferOut(transferId: string, destination: typeof guangdong, amount: string): Promise<void> {
  expect((await call(beijing, 'operator', 'POST', `/v1/transfers/${transferId}/accept`)).status).toBe(201);
  const out = confirmOutBody({
    principal: amount,
    interest: '0',
    openedOn: '2010-01-01',
    loanCount: 0,
    settlementRef: `XP-${transferId}`,
  });
  expect(
    (await call(beijing, 'operator', 'POST', `/v1/transfers/${transferId}/confirm-out`, out)).status,
  ).toBe(201);
  const done = await call(destination, 'operator', 'POST', `/v1/transfers/${transferId}/complete`, {
    receivedAmount: amount,
    receivedOn: today,
  });
  expect(done.body).toMatchObject({ status: 'COMPLETED' });
}

function expectProblem(result: HttpResult, status: number, code: string): void {
  expect({ status: result.status, code: result.body.code }).toEqual({ status, code });
}

describe('cross-province rules through the HTTP gateways', () => {
  it('(a) freezes on accept, not on request: two destinations ask, the source accepts one, the other is 409', async () => {
    const who = person(1, '跨省甲');
    const first = await call(guangdong, 'operator', 'POST', '/v1/transfers', {
      transferId: letter('440000', 1),
      fromCentre: '110000',
      person: who,
    });
    expect(first.status).toBe(201);
    const second = await call(shanghai, 'operator', 'POST', '/v1/transfers', {
      transferId: letter('310000', 1),
      fromCentre: '110000',
      person: who,
    });
    expect(second.status).toBe(201);
    // Two requests and still no freeze: the source may pay a withdrawal.
    const before = withdrawal(`XP-${run}-A0`, who, '07', rent(`XP-RENT-${run}-A0`));
    expect((await call(beijing, 'operator', 'POST', '/v1/withdrawals', before)).status).toBe(201);
    const accepted = await call(beijing, 'operator', 'POST', `/v1/transfers/${letter('440000', 1)}/accept`);
    expect(accepted.body).toMatchObject({ status: 'ACCEPTED' });
    const other = await call(beijing, 'operator', 'POST', `/v1/transfers/${letter('310000', 1)}/accept`);
    expectProblem(other, 409, 'ACCOUNT_IN_TRANSFER');
    expect(String(other.body.detail)).toContain('accepts at most one');
    expect(
      (await call(regulator, 'auditor', 'GET', `/v1/transfers/${letter('310000', 1)}`)).body,
    ).toMatchObject({ status: 'REQUESTED' });
    // Now the account is frozen at the source.
    const after = withdrawal(`XP-${run}-A1`, who, '07', rent(`XP-RENT-${run}-A1`));
    expectProblem(
      await call(beijing, 'operator', 'POST', '/v1/withdrawals', after),
      409,
      'ACCOUNT_IN_TRANSFER',
    );
  });

  it('(a) lets exactly one of two concurrent acceptances through', async () => {
    const who = person(2, '跨省乙');
    const [fromGuangdong, fromShanghai] = await Promise.all([
      call(guangdong, 'operator', 'POST', '/v1/transfers', {
        transferId: letter('440000', 2),
        fromCentre: '110000',
        person: who,
      }),
      call(shanghai, 'operator', 'POST', '/v1/transfers', {
        transferId: letter('310000', 2),
        fromCentre: '110000',
        person: who,
      }),
    ]);
    expect([fromGuangdong.status, fromShanghai.status]).toEqual([201, 201]);
    const results = await Promise.all(
      [letter('440000', 2), letter('310000', 2)].map((id) =>
        call(beijing, 'operator', 'POST', `/v1/transfers/${id}/accept`),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const refused = results.find((r) => r.status === 409);
    expect(refused?.body).toMatchObject({ code: 'ACCOUNT_IN_TRANSFER' });
    const queue = await call(beijing, 'auditor', 'GET', '/v1/transfers?direction=outgoing&status=ACCEPTED');
    const ids = (queue.body.items as { transferId: string }[]).map((t) => t.transferId);
    expect([letter('440000', 2), letter('310000', 2)].filter((id) => ids.includes(id))).toHaveLength(1);
  });

  it('(a) completes straight from a negotiation (06 → 20) and keeps a rejection (13) final', async () => {
    const id = letter('440000', 8);
    const requested = await call(guangdong, 'operator', 'POST', '/v1/transfers', {
      transferId: id,
      fromCentre: '110000',
      person: person(9, '跨省庚'),
    });
    expect(requested.status).toBe(201);
    expect((await call(beijing, 'operator', 'POST', `/v1/transfers/${id}/accept`)).status).toBe(201);
    const out = {
      principal: '9000.00',
      interest: '0',
      openedOn: '2010-01-01',
      paidUpTo: '202610',
      continuous6Months: true,
      loanCount: 0,
      unsettledLoan: false,
      fraudRecord: false,
      settlementRef: `XP-${id}`,
    };
    expect((await call(beijing, 'operator', 'POST', `/v1/transfers/${id}/confirm-out`, out)).status).toBe(
      201,
    );
    const dispute = { message: '缴存月数待核对' };
    expect((await call(guangdong, 'operator', 'POST', `/v1/transfers/${id}/dispute`, dispute)).status).toBe(
      201,
    );
    const done = await call(guangdong, 'operator', 'POST', `/v1/transfers/${id}/complete`, {
      receivedAmount: '9000.00',
      receivedOn: today,
    });
    expect(done.body).toMatchObject({ status: 'COMPLETED', platformCode: '20' });

    const rejectedId = letter('440000', 9);
    expect(
      (
        await call(guangdong, 'operator', 'POST', '/v1/transfers', {
          transferId: rejectedId,
          fromCentre: '110000',
          // 1966-06-07 also belongs to this file.
          person: { idType: '01', idNumber: residentId('19660607', run * 10 + 1), name: '跨省辛' },
        })
      ).status,
    ).toBe(201);
    const rejected = await call(beijing, 'operator', 'POST', `/v1/transfers/${rejectedId}/reject`, {
      reasonCode: '01',
      message: '信息不符',
    });
    expect(rejected.body).toMatchObject({ status: 'REJECTED', platformCode: '13' });
    const closeAs40 = await call(guangdong, 'operator', 'POST', `/v1/transfers/${rejectedId}/fail`, {
      message: '失败办结',
    });
    expectProblem(closeAs40, 409, 'INVALID_STATE');
  });

  it('(b) keeps a transfer-out closure when a closing withdrawal is reversed: still 409 ACCOUNT_CLOSED', async () => {
    const who = person(3, '跨省丙');
    const closing = withdrawal(
      `XP-${run}-B1`,
      who,
      '03',
      [{ kind: 'RETIREMENT_CERTIFICATE', reference: `RC-${run}` }],
      true,
    );
    expect((await call(beijing, 'operator', 'POST', '/v1/withdrawals', closing)).status).toBe(201);
    const transferId = letter('440000', 3);
    const requested = await call(guangdong, 'operator', 'POST', '/v1/transfers', {
      transferId,
      fromCentre: '110000',
      person: who,
    });
    expect(requested.status).toBe(201);
    await transferOut(transferId, guangdong, '15000.00');
    expect(
      (
        await call(beijing, 'operator', 'POST', `/v1/withdrawals/XP-${run}-B1/reverse`, {
          reason: '录入错误',
        })
      ).status,
    ).toBe(201);
    const after = await call(
      beijing,
      'operator',
      'POST',
      '/v1/withdrawals',
      withdrawal(`XP-${run}-B2`, who, '07', rent(`R-${run}-B2`)),
    );
    expectProblem(after, 409, 'ACCOUNT_CLOSED');
    // A closing withdrawal after the transfer-out is refused too, so it can never erase that closure.
    const closingAgain = withdrawal(
      `XP-${run}-B3`,
      who,
      '03',
      [{ kind: 'RETIREMENT_CERTIFICATE', reference: `RC2-${run}` }],
      true,
    );
    expectProblem(
      await call(beijing, 'operator', 'POST', '/v1/withdrawals', closingAgain),
      409,
      'ACCOUNT_CLOSED',
    );
    // The account lives on at the destination.
    const there = await call(
      guangdong,
      'operator',
      'POST',
      '/v1/withdrawals',
      withdrawal(`XP-${run}-B4`, who, '07', rent(`R-${run}-B4`)),
    );
    expect(there.status).toBe(201);
  });

  it('(c) lets two centres use the same local withdrawal ID; each GET returns its own', async () => {
    const id = `XP-${run}-SAME`;
    const atBeijing = await call(
      beijing,
      'operator',
      'POST',
      '/v1/withdrawals',
      withdrawal(id, person(4, '跨省丁'), '07', rent(`R-${run}-C1`)),
    );
    const atShanghai = await call(
      shanghai,
      'operator',
      'POST',
      '/v1/withdrawals',
      withdrawal(id, person(5, '跨省戊'), '07', rent(`R-${run}-C2`)),
    );
    expect([atBeijing.status, atShanghai.status]).toEqual([201, 201]);
    expect(atBeijing.body).toMatchObject({ centre: '110000', attestationId: `withdrawal:110000:${id}` });
    expect(atShanghai.body).toMatchObject({ centre: '310000', attestationId: `withdrawal:310000:${id}` });
    expect((await call(beijing, 'auditor', 'GET', `/v1/withdrawals/${id}`)).body).toEqual(atBeijing.body);
    expect((await call(shanghai, 'auditor', 'GET', `/v1/withdrawals/${id}`)).body).toEqual(atShanghai.body);
    expect((await call(regulator, 'auditor', 'GET', `/v1/withdrawals/${id}?centre=310000`)).body).toEqual(
      atShanghai.body,
    );
    expectProblem(await call(regulator, 'auditor', 'GET', `/v1/withdrawals/${id}`), 400, 'VALIDATION_FAILED');
    const proofs = await Promise.all(
      ['110000', '310000'].map((code) =>
        call(regulator, 'auditor', 'GET', `/v1/attestations/withdrawal:${code}:${id}/proof`),
      ),
    );
    expect(proofs.map((p) => (p.body.record as { centre: string }).centre)).toEqual(['110000', '310000']);
    expect(proofs[0]?.body.txId).not.toBe(proofs[1]?.body.txId);
  });

  it('(c) gives a withdrawal whose ID equals a letter number its own proof', async () => {
    const transferId = letter('440000', 6);
    const requested = await call(guangdong, 'operator', 'POST', '/v1/transfers', {
      transferId,
      fromCentre: '110000',
      person: person(6, '跨省己'),
    });
    expect(requested.status).toBe(201);
    expect(requested.body).toMatchObject({ attestationId: `transfer:${transferId}` });
    const recorded = await call(
      guangdong,
      'operator',
      'POST',
      '/v1/withdrawals',
      withdrawal(transferId, person(7, '跨省庚'), '07', rent(`R-${run}-C3`)),
    );
    expect(recorded.status).toBe(201);
    const asWithdrawal = await call(
      regulator,
      'auditor',
      'GET',
      `/v1/attestations/withdrawal:440000:${transferId}/proof`,
    );
    expect(asWithdrawal.status).toBe(200);
    expect(asWithdrawal.body).toMatchObject({
      kind: 'withdrawal',
      attestationId: `withdrawal:440000:${transferId}`,
      validationCode: 'VALID',
      record: { withdrawalId: transferId, centre: '440000' },
      txId: recorded.body.txId,
    });
    const asTransfer = await call(
      regulator,
      'auditor',
      'GET',
      `/v1/attestations/transfer:${transferId}/proof`,
    );
    expect(asTransfer.body).toMatchObject({ kind: 'transfer', record: { transferId, status: 'REQUESTED' } });
    const bare = await call(regulator, 'auditor', 'GET', `/v1/attestations/${transferId}/proof`);
    expectProblem(bare, 400, 'VALIDATION_FAILED');
    // The contract's AttestationId pattern states the typed forms; the validator names the field and the pattern.
    expect(bare.body.detail).toMatch(/^params\.id: .*transfer:.*withdrawal:/);
    const verified = await call(beijing, 'auditor', 'POST', '/v1/verify', {
      attestationId: `withdrawal:440000:${transferId}`,
    });
    expect(verified.body).toMatchObject({ valid: true, kind: 'withdrawal' });
  });

  it('(d) allows a repayment (06) citing the purchase contract of a purchase (01); 01 twice is 409', async () => {
    const who = person(8, '跨省辛');
    const contract = { kind: 'PURCHASE_CONTRACT', reference: `GF-${run}-XP-0008` };
    const purchase = await call(
      beijing,
      'operator',
      'POST',
      '/v1/withdrawals',
      withdrawal(`XP-${run}-D1`, who, '01', [contract]),
    );
    expect(purchase.status).toBe(201);
    const repayment = await call(
      shanghai,
      'operator',
      'POST',
      '/v1/withdrawals',
      withdrawal(`XP-${run}-D2`, who, '06', [
        contract,
        { kind: 'LOAN_CONTRACT', reference: `DK-${run}-0008` },
      ]),
    );
    expect(repayment.status).toBe(201);
    const purchaseAgain = await call(
      guangdong,
      'operator',
      'POST',
      '/v1/withdrawals',
      withdrawal(`XP-${run}-D3`, who, '01', [contract]),
    );
    expectProblem(purchaseAgain, 409, 'DUPLICATE_EVIDENCE');
  });
});
