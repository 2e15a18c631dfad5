import request from 'supertest';
import { subjectRefOf } from '../src/domain';
import { ApiError } from '../src/errors';
import type { FakeLedger } from './support/fake-ledger';
import {
  OPERATOR_KEY,
  PSEUDONYM_KEY,
  RESIDENT_ID,
  RESIDENT_ID_15,
  bearer,
  buildApp,
} from './support/test-app';

const ID = '4400002611200001';
const AUTH = bearer(OPERATOR_KEY);

const body = {
  transferId: ID,
  fromCentre: '110000',
  person: { idType: '01', idNumber: RESIDENT_ID, name: ' 张三 ' },
  formerEmployer: { code: '91350100M000100Y43', name: '某某有限公司' },
  receivingAccount: 'ACC-1',
};

/** Echoes Request like the chaincode would, keeping the transient details for GetPersonalDetails. */
function requestLikeChaincode(ledger: FakeLedger): void {
  let stored: { record: string; details: string } | undefined;
  ledger.on('transfer:Get', () => {
    if (!stored) {
      throw new ApiError('NOT_FOUND', 'no such transfer');
    }
    return stored.record;
  });
  ledger.on('transfer:GetPersonalDetails', () => stored?.details ?? '');
  ledger.on('transfer:Request', ([input], options) => {
    const parsed = JSON.parse(input!) as Record<string, string>;
    const record = JSON.stringify({
      ...parsed,
      toCentre: '440000',
      status: 'REQUESTED',
      platformCode: '01',
      history: [],
    });
    stored = { record, details: options.transient?.person ?? '' };
    return record;
  });
}

function existing(
  status: string,
  extra: Record<string, unknown> = {},
  from = '440000',
  to = '110000',
): string {
  return JSON.stringify({
    transferId: '1100002611200001',
    fromCentre: from,
    toCentre: to,
    status,
    history: [],
    ...extra,
  });
}

describe('POST /v1/transfers', () => {
  it('requests a transfer: 201, subjectRef in the args, personal data only in transient, both centres endorse', async () => {
    const { app, ledger } = buildApp();
    requestLikeChaincode(ledger);
    const res = await request(app).post('/v1/transfers').set('Authorization', AUTH).send(body);
    expect(res.status).toBe(201);
    expect(res.headers['x-transaction-id']).toMatch(/^[0-9a-f]{64}$/);
    const [call] = ledger.callsOf('submit', 'transfer:Request');
    const subjectRef = subjectRefOf(PSEUDONYM_KEY, '01', RESIDENT_ID);
    expect(JSON.parse(call!.args[0]!)).toEqual({ transferId: ID, fromCentre: '110000', subjectRef });
    expect(call!.args.join()).not.toContain(RESIDENT_ID);
    expect(call!.args.join()).not.toContain('张三');
    expect(call!.options.endorsingOrganizations).toEqual(['C440000MSP', 'C110000MSP']);
    const person = JSON.parse(call!.options.transient!.person!) as Record<string, unknown>;
    expect(person).toMatchObject({
      idType: '01',
      idNumber: RESIDENT_ID,
      name: '张三',
      receivingAccount: 'ACC-1',
    });
    expect(person.salt).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(Object.keys(person)).toEqual([...Object.keys(person)].sort());
    expect(res.body).toMatchObject({ subjectRef, status: 'REQUESTED' });
  });

  it('normalises a 15-digit resident ID to the same subjectRef', async () => {
    const { app, ledger } = buildApp();
    requestLikeChaincode(ledger);
    await request(app)
      .post('/v1/transfers')
      .set('Authorization', AUTH)
      .send({ ...body, person: { ...body.person, idNumber: RESIDENT_ID_15 } })
      .expect(201);
    const args = JSON.parse(ledger.callsOf('submit')[0]!.args[0]!) as { subjectRef: string };
    expect(args.subjectRef).toBe(subjectRefOf(PSEUDONYM_KEY, '01', RESIDENT_ID));
  });

  it('is idempotent: the same body again is 200 with the record and no second submit', async () => {
    const { app, ledger } = buildApp();
    requestLikeChaincode(ledger);
    await request(app).post('/v1/transfers').set('Authorization', AUTH).send(body).expect(201);
    const again = await request(app).post('/v1/transfers').set('Authorization', AUTH).send(body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ transferId: ID });
    expect(ledger.callsOf('submit')).toHaveLength(1);
  });

  it('a different body for the same transferId is 409 CONFLICT', async () => {
    const { app, ledger } = buildApp();
    requestLikeChaincode(ledger);
    await request(app).post('/v1/transfers').set('Authorization', AUTH).send(body).expect(201);
    const other = await request(app)
      .post('/v1/transfers')
      .set('Authorization', AUTH)
      .send({ ...body, person: { ...body.person, name: '李四' } });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ code: 'CONFLICT' });
  });

  it.each([
    ['a transferId of another destination', { transferId: '1100002611200001' }, 'transferId'],
    ['its own centre as source', { fromCentre: '440000' }, 'fromCentre'],
    ['an unknown centre', { fromCentre: '120000' }, 'fromCentre'],
    [
      'a bad employer check character',
      { formerEmployer: { code: '91350100M000100Y44', name: 'x' } },
      'formerEmployer.code',
    ],
  ])('refuses %s with 400 naming the field', async (_name, change, field) => {
    const { app, ledger } = buildApp();
    requestLikeChaincode(ledger);
    const res = await request(app)
      .post('/v1/transfers')
      .set('Authorization', AUTH)
      .send({ ...body, ...change });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((res.body as { detail: string }).detail).toContain(field);
    expect(ledger.callsOf('submit')).toHaveLength(0);
  });

  it('retries MVCC read conflicts with bounded backoff', async () => {
    const { app, ledger } = buildApp();
    requestLikeChaincode(ledger);
    const conflict = (): ApiError =>
      new ApiError('UNAVAILABLE', 'busy', { retry: 'read-conflict', txId: 'a'.repeat(64) });
    ledger.sequence('transfer:Request', [conflict(), conflict(), existing('REQUESTED')]);
    const res = await request(app).post('/v1/transfers').set('Authorization', AUTH).send(body);
    expect(res.status).toBe(201);
    expect(ledger.callsOf('submit')).toHaveLength(3);
  });

  it('gives up after the retry bound with 503 UNAVAILABLE', async () => {
    const { app, ledger } = buildApp({ maxConflictRetries: 2 });
    requestLikeChaincode(ledger);
    const conflict = new ApiError('UNAVAILABLE', 'busy', { retry: 'read-conflict' });
    ledger.on('transfer:Request', () => {
      throw conflict;
    });
    const res = await request(app).post('/v1/transfers').set('Authorization', AUTH).send(body);
    expect(res.status).toBe(503);
    expect(ledger.callsOf('submit')).toHaveLength(3);
  });

  it('an unknown commit outcome is 504 COMMIT_UNKNOWN with the txId', async () => {
    const { app, ledger } = buildApp();
    requestLikeChaincode(ledger);
    ledger.on('transfer:Request', () => {
      throw new ApiError('COMMIT_UNKNOWN', 'unknown', { txId: 'b'.repeat(64) });
    });
    const res = await request(app).post('/v1/transfers').set('Authorization', AUTH).send(body);
    expect(res.status).toBe(504);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'COMMIT_UNKNOWN', txId: 'b'.repeat(64) });
  });
});

describe('transfer steps', () => {
  it('accept (source): 201, endorsed by source and destination', async () => {
    const { app, ledger } = buildApp();
    ledger.on('transfer:Get', () => existing('REQUESTED'));
    ledger.on('transfer:Accept', () => existing('ACCEPTED'));
    const res = await request(app)
      .post('/v1/transfers/1100002611200001/accept')
      .set('Authorization', AUTH)
      .send();
    expect(res.status).toBe(201);
    const [call] = ledger.callsOf('submit', 'transfer:Accept');
    expect(call!.args).toEqual(['1100002611200001']);
    expect(call!.options.endorsingOrganizations).toEqual(['C440000MSP', 'C110000MSP']);
  });

  it('accept again when already ACCEPTED is 200 without a submit', async () => {
    const { app, ledger } = buildApp();
    ledger.on('transfer:Get', () => existing('ACCEPTED'));
    const res = await request(app)
      .post('/v1/transfers/1100002611200001/accept')
      .set('Authorization', AUTH)
      .send({});
    expect(res.status).toBe(200);
    expect(ledger.callsOf('submit')).toHaveLength(0);
  });

  it('confirm-out sends the data as canonical JSON; zero interest is allowed', async () => {
    const { app, ledger } = buildApp();
    ledger.on('transfer:Get', () => existing('ACCEPTED'));
    ledger.on('transfer:ConfirmOut', () => existing('OUT_CONFIRMED'));
    const confirm = {
      principal: '12000.50',
      interest: '0',
      openedOn: '2015-03-01',
      paidUpTo: '202610',
      continuous6Months: true,
      loanCount: 0,
      unsettledLoan: false,
      fraudRecord: false,
      settlementRef: 'S-2026-1',
    };
    const res = await request(app)
      .post('/v1/transfers/1100002611200001/confirm-out')
      .set('Authorization', AUTH)
      .send(confirm);
    expect(res.status).toBe(201);
    expect(ledger.callsOf('submit')[0]!.args[1]).toBe(
      '{"continuous6Months":true,"fraudRecord":false,"interest":"0","loanCount":0,"openedOn":"2015-03-01","paidUpTo":"202610","principal":"12000.50","settlementRef":"S-2026-1","unsettledLoan":false}',
    );
  });

  it('complete repeated with the same data is 200; with other data 409 CONFLICT', async () => {
    const { app, ledger } = buildApp();
    ledger.on('transfer:Get', () =>
      existing(
        'COMPLETED',
        { completion: { receivedFen: 1200050, receivedAmount: '12000.50', receivedOn: '2026-12-01' } },
        '110000',
        '440000',
      ),
    );
    const same = await request(app)
      .post('/v1/transfers/1100002611200001/complete')
      .set('Authorization', AUTH)
      .send({ receivedAmount: '12000.5', receivedOn: '2026-12-01' });
    expect(same.status).toBe(200);
    const other = await request(app)
      .post('/v1/transfers/1100002611200001/complete')
      .set('Authorization', AUTH)
      .send({ receivedAmount: '12000.00', receivedOn: '2026-12-01' });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ code: 'CONFLICT' });
  });

  it('the chaincode refusing a step is 409 INVALID_STATE', async () => {
    const { app, ledger } = buildApp();
    ledger.on('transfer:Get', () => existing('COMPLETED', {}, '110000', '440000'));
    ledger.on('transfer:Cancel', () => {
      throw new ApiError('INVALID_STATE', 'transfer is COMPLETED; Cancel needs REQUESTED');
    });
    const res = await request(app)
      .post('/v1/transfers/1100002611200001/cancel')
      .set('Authorization', AUTH)
      .send();
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: 'INVALID_STATE',
      detail: 'transfer is COMPLETED; Cancel needs REQUESTED',
    });
  });

  it('a failed endorsement is 502 ENDORSEMENT_FAILED and is not retried with other peers', async () => {
    const { app, ledger } = buildApp();
    ledger.on('transfer:Get', () => existing('OUT_CONFIRMED', {}, '110000', '440000'));
    ledger.on('transfer:Dispute', () => {
      throw new ApiError('ENDORSEMENT_FAILED', 'not endorsed', { retry: 'endorser-unavailable' });
    });
    const res = await request(app)
      .post('/v1/transfers/1100002611200001/dispute')
      .set('Authorization', AUTH)
      .send({ message: 'interest looks wrong' });
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ code: 'ENDORSEMENT_FAILED' });
    expect(ledger.callsOf('submit')).toHaveLength(1);
  });

  it('fail works for either centre and sends a default message', async () => {
    const { app, ledger } = buildApp();
    ledger.on('transfer:Get', () => existing('ACCEPTED', {}, '110000', '440000'));
    ledger.on('transfer:Fail', () => existing('FAILED', {}, '110000', '440000'));
    const res = await request(app)
      .post('/v1/transfers/1100002611200001/fail')
      .set('Authorization', AUTH)
      .send();
    expect(res.status).toBe(201);
    expect(JSON.parse(ledger.callsOf('submit')[0]!.args[1]!)).toEqual({
      message: expect.any(String) as unknown,
    });
  });

  it('an unknown transfer is 404 NOT_FOUND', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/v1/transfers/1100002611200009').set('Authorization', AUTH);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lists the own centre by default; the page token is the bookmark in base64url', async () => {
    const { app, ledger } = buildApp();
    // A Fabric bookmark is a composite key: U+0000 separators, which no query string can carry as is.
    const next = '\u0000transfer-queue\u0000440000\u0000incoming\u0000REQUESTED\u00004400002611200003\u0000';
    ledger.on('transfer:List', () => JSON.stringify({ items: [{ transferId: '1' }], bookmark: next }));
    const first = await request(app)
      .get('/v1/transfers?direction=incoming&status=REQUESTED')
      .set('Authorization', AUTH);
    expect(first.status).toBe(200);
    const token = (first.body as { nextPageToken: string }).nextPageToken;
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    const second = await request(app)
      .get(`/v1/transfers?direction=incoming&status=REQUESTED&pageToken=${token}`)
      .set('Authorization', AUTH);
    expect(second.status).toBe(200);
    expect(JSON.parse(ledger.callsOf('evaluate', 'transfer:List')[1]!.args[0]!)).toEqual({
      bookmark: next,
      centre: '440000',
      direction: 'incoming',
      status: 'REQUESTED',
    });
  });

  it('answers the last page with nextPageToken null', async () => {
    const { app, ledger } = buildApp();
    ledger.on('transfer:List', () => '{"items":[],"bookmark":""}');
    const res = await request(app).get('/v1/transfers?direction=incoming').set('Authorization', AUTH);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], nextPageToken: null });
  });

  it('refuses a page token it could not have given with 400, before any ledger call', async () => {
    const { app, ledger } = buildApp();
    const res = await request(app)
      .get('/v1/transfers?direction=incoming&pageToken=abc')
      .set('Authorization', AUTH);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      detail: expect.stringContaining('pageToken') as unknown,
    });
    expect(ledger.callsOf('evaluate', 'transfer:List')).toHaveLength(0);
  });
});
