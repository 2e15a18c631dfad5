import request from 'supertest';
import { OPERATOR_KEY, RESIDENT_ID, bearer, buildApp } from './support/test-app';
import { confirmOutBody } from '../../test/support/fixtures';

const AUTH = bearer(OPERATOR_KEY);
const person = { idType: '01', idNumber: RESIDENT_ID, name: '张三' };
const withdrawal = {
  withdrawalId: 'W-1',
  person,
  reasonCode: '01',
  amount: '100.00',
  closesAccount: false,
  evidence: [{ kind: 'PURCHASE_CONTRACT', reference: 'GF1' }],
  withdrawnOn: '2026-11-20',
};
const transfer = { transferId: '4400002611200001', fromCentre: '110000', person };
const confirmOut = confirmOutBody({
  principal: '100.00',
  interest: '1.00',
  openedOn: '2015-03-01',
  loanCount: 0,
  settlementRef: 'S1',
});

type Body = Record<string, unknown>;
const without = (body: Body, key: string): Body =>
  Object.fromEntries(Object.entries(body).filter(([k]) => k !== key));
const withPerson = (body: Body, change: Body): Body => ({ ...body, person: { ...person, ...change } });

const BAD_WITHDRAWALS: readonly [string, Body][] = [
  ...Object.keys(withdrawal).map((k): [string, Body] => [`missing ${k}`, without(withdrawal, k)]),
  ['amount as a number', { ...withdrawal, amount: 100 }],
  ['a negative amount', { ...withdrawal, amount: '-1.00' }],
  ['an amount with 3 decimals', { ...withdrawal, amount: '1.005' }],
  ['a zero amount', { ...withdrawal, amount: '0.00' }],
  ['a 13-digit amount', { ...withdrawal, amount: '1234567890123' }],
  ['closesAccount as a string', { ...withdrawal, closesAccount: 'false' }],
  ['closesAccount false for retirement', { ...withdrawal, reasonCode: '03' }],
  ['an unknown reason code', { ...withdrawal, reasonCode: '12' }],
  ['an unknown evidence kind', { ...withdrawal, evidence: [{ kind: 'PHOTO', reference: 'x' }] }],
  ['a blank evidence reference', { ...withdrawal, evidence: [{ kind: 'OTHER', reference: '   ' }] }],
  [
    'a too long evidence reference',
    { ...withdrawal, evidence: [{ kind: 'OTHER', reference: 'x'.repeat(129) }] },
  ],
  ['evidence as an object', { ...withdrawal, evidence: { kind: 'OTHER', reference: 'x' } }],
  ['a too long withdrawalId', { ...withdrawal, withdrawalId: 'W'.repeat(41) }],
  ['a withdrawalId with spaces', { ...withdrawal, withdrawalId: 'W 1' }],
  ['a date that is not in the calendar', { ...withdrawal, withdrawnOn: '2026-02-30' }],
  ['a date in another format', { ...withdrawal, withdrawnOn: '20261120' }],
  ['an unknown field', { ...withdrawal, employer: 'x' }],
  ['person as a string', { ...withdrawal, person: RESIDENT_ID }],
  ['a bad check digit', withPerson(withdrawal, { idNumber: '110105194912310021' })],
  ['a bad birth date', withPerson(withdrawal, { idNumber: '110105194913310020' })],
  ['a 17-digit resident ID', withPerson(withdrawal, { idNumber: '11010519491231002' })],
  ['an unknown ID type', withPerson(withdrawal, { idType: '05' })],
  ['a too long name', withPerson(withdrawal, { name: '张'.repeat(65) })],
  ['a blank name', withPerson(withdrawal, { name: '   ' })],
  ['a missing name', { ...withdrawal, person: { idType: '01', idNumber: RESIDENT_ID } }],
  ['a passport number with symbols', withPerson(withdrawal, { idType: '03', idNumber: 'E1234#567' })],
];

const BAD_TRANSFERS: readonly [string, Body][] = [
  ...Object.keys(transfer).map((k): [string, Body] => [`missing ${k}`, without(transfer, k)]),
  ['a 15-character transferId', { ...transfer, transferId: '440000261120001' }],
  ['a transferId with a bad date', { ...transfer, transferId: '4400002613200001' }],
  ['a fromCentre that is not a province code', { ...transfer, fromCentre: '110100' }],
  ['an unknown centre', { ...transfer, fromCentre: '990000' }],
  ['a registered-looking but unknown centre', { ...transfer, fromCentre: '650000' }],
  ['fromCentre as a number', { ...transfer, fromCentre: 110000 }],
  ['a bad employer code', { ...transfer, formerEmployer: { code: 'IOSV', name: 'x' } }],
  ['a too long account', { ...transfer, receivingAccount: 'A'.repeat(41) }],
  ['a bad check digit', withPerson(transfer, { idNumber: '110105194912310021' })],
];

const BAD_CONFIRM_OUT: readonly [string, Body][] = [
  ...Object.keys(confirmOut).map((k): [string, Body] => [`missing ${k}`, without(confirmOut, k)]),
  ['a negative principal', { ...confirmOut, principal: '-5' }],
  ['a zero principal', { ...confirmOut, principal: '0.00' }],
  ['interest with 3 decimals', { ...confirmOut, interest: '0.001' }],
  ['paidUpTo month 13', { ...confirmOut, paidUpTo: '202613' }],
  ['loanCount as a string', { ...confirmOut, loanCount: '1' }],
  ['a negative loanCount', { ...confirmOut, loanCount: -1 }],
  ['continuous6Months as a number', { ...confirmOut, continuous6Months: 1 }],
];

async function expectRefused(
  path: string,
  body: Body,
  setup?: (l: ReturnType<typeof buildApp>['ledger']) => void,
): Promise<void> {
  const { app, ledger } = buildApp();
  setup?.(ledger);
  const res = await request(app).post(path).set('Authorization', AUTH).send(body);
  expect(res.status).toBe(400);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
  expect(ledger.callsOf('submit')).toHaveLength(0);
}

describe('request validation', () => {
  it.each(BAD_WITHDRAWALS)('POST /v1/withdrawals refuses %s', async (_name, body) => {
    await expectRefused('/v1/withdrawals', body);
  });

  it.each(BAD_WITHDRAWALS)('POST /v1/withdrawals/precheck refuses %s', async (_name, body) => {
    await expectRefused('/v1/withdrawals/precheck', body);
  });

  it.each(BAD_TRANSFERS)('POST /v1/transfers refuses %s', async (_name, body) => {
    await expectRefused('/v1/transfers', body);
  });

  it.each(BAD_CONFIRM_OUT)('POST confirm-out refuses %s', async (_name, body) => {
    await expectRefused('/v1/transfers/1100002611200001/confirm-out', body, (ledger) =>
      ledger.on('transfer:Get', () => '{"fromCentre":"440000","toCentre":"110000","status":"ACCEPTED"}'),
    );
  });

  it.each([
    ['/v1/transfers/1100002611200001/reject', { reasonCode: '01' }],
    ['/v1/transfers/1100002611200001/reject', { reasonCode: '01', message: 'x'.repeat(501) }],
    ['/v1/transfers/1100002611200001/dispute', {}],
    ['/v1/transfers/1100002611200001/complete', { receivedAmount: '-1', receivedOn: '2026-01-01' }],
    ['/v1/transfers/1100002611200001/complete', { receivedAmount: '1.234', receivedOn: '2026-01-01' }],
    ['/v1/transfers/1100002611200001/accept', { extra: true }],
    ['/v1/withdrawals/W-1/reverse', {}],
    ['/v1/subjects/lookup', {}],
    ['/v1/verify', { attestationId: 'W-1', documentHash: 'ABC' }],
  ])('POST %s refuses %j', async (path, body) => {
    await expectRefused(path, body);
  });

  it('refuses a body that is not JSON', async () => {
    const { app } = buildApp();
    const res = await request(app)
      .post('/v1/withdrawals')
      .set('Authorization', AUTH)
      .set('Content-Type', 'application/json')
      .send('{"withdrawalId":');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('refuses a body over the size limit', async () => {
    const { app } = buildApp({ bodyLimit: '1kb' });
    const res = await request(app)
      .post('/v1/withdrawals')
      .set('Authorization', AUTH)
      .send({ ...withdrawal, withdrawalId: 'x'.repeat(2000) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', detail: 'the request body is too large' });
  });

  it('names the field in the problem', async () => {
    const { app } = buildApp();
    const res = await request(app)
      .post('/v1/withdrawals')
      .set('Authorization', AUTH)
      .send({ ...withdrawal, amount: '1.005' });
    expect(res.body).toMatchObject({ errors: [{ path: 'body.amount' }] });
  });

  it.each([
    ['/v1/transfers?direction=sideways'],
    ['/v1/transfers?direction=incoming&pageSize=101'],
    ['/v1/transfers?direction=incoming&pageSize=0'],
    ['/v1/transfers?direction=incoming&status=LOST'],
    ['/v1/transfers?direction=incoming&unknown=1'],
    ['/v1/blocks/-1'],
    ['/v1/transactions/xyz'],
    ['/v1/subjects/short/timeline'],
  ])('GET %s is refused', async (path) => {
    const { app, ledger } = buildApp();
    const res = await request(app).get(path).set('Authorization', AUTH);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(ledger.callsOf('evaluate')).toHaveLength(0);
  });
});
