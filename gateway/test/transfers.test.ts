import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { EndorseError } from '@hyperledger/fabric-gateway';
import request from 'supertest';
import { freeTextHash } from '../src/domain';
import { ApiError } from '../src/errors';
import { toApiError } from '../src/fabric/translate-error';
import type { TransferStatus } from '../../chaincode/src/domain/codes';
import { transferRecord, type StepFixture } from '../../test/support/fixtures';
import type { FakeLedger } from './support/fake-ledger';
import {
  AUDITOR_KEY,
  OPERATOR_KEY,
  SHENZHEN_OPERATOR_KEY,
  PSEUDONYM_KEY,
  subjectRefWithTestKey,
  RESIDENT_ID,
  RESIDENT_ID_15,
  bearer,
  buildApp,
} from './support/test-app';
import { confirmOutBody } from '../../test/support/fixtures';

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
    const record = JSON.stringify(transferRecord({ ...parsed, toCentre: '440000' }));
    stored = { record, details: options.transient?.person ?? '' };
    return record;
  });
}

/** The transfer the fake chaincode answers; `lastTxId`: the transaction of its last step. */
function existing(
  status: TransferStatus,
  { lastTxId }: { lastTxId?: string } = {},
  from = '440000',
  to = '110000',
): string {
  const steps: StepFixture[] =
    lastTxId === undefined
      ? [{ step: 'REQUEST' }]
      : [{ step: 'REQUEST' }, { step: 'ACCEPT', txId: lastTxId }];
  return JSON.stringify(
    transferRecord({ transferId: '1100002611200001', fromCentre: from, toCentre: to, status, steps }),
  );
}

const OLD_TX = 'f'.repeat(64);

const CONFIRM = confirmOutBody({
  principal: '12000.50',
  interest: '0.00',
  openedOn: '2015-03-01',
  loanCount: 0,
  settlementRef: 'S-2026-1',
});

/** A record as the chaincode returns it after a step this transaction took (last history txId = it). */
function written(ledger: FakeLedger, status: TransferStatus, from = '440000', to = '110000'): string {
  return existing(status, { lastTxId: ledger.currentTxId }, from, to);
}

describe('POST /v1/transfers', () => {
  it('requests a transfer: 201, subjectRef in the args, personal data only in transient, both centres endorse', async () => {
    const { app, ledger } = buildApp();
    requestLikeChaincode(ledger);
    const res = await request(app).post('/v1/transfers').set('Authorization', AUTH).send(body);
    expect(res.status).toBe(201);
    expect(res.headers['x-transaction-id']).toMatch(/^[0-9a-f]{64}$/);
    const [call] = ledger.callsOf('submit', 'transfer:Request');
    const subjectRef = subjectRefWithTestKey('01', RESIDENT_ID);
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
    expect(args.subjectRef).toBe(subjectRefWithTestKey('01', RESIDENT_ID));
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
    ['another centre of its own organisation as source', { fromCentre: '440300' }, 'fromCentre'],
    ['an unknown centre', { fromCentre: '120000' }, 'fromCentre'],
    ['a code outside the table of centres', { fromCentre: '110100' }, 'fromCentre'],
    [
      'a letter numbered for another centre of its organisation',
      { transferId: '4403002611200001' },
      'transferId',
    ],
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

  it('retries a step refused only by an endorser that was behind, with the same endorsement set', async () => {
    const { app, ledger } = buildApp();
    requestLikeChaincode(ledger);
    const behind = (): ApiError =>
      new ApiError('INVALID_STATE', 'REQUEST: not allowed', { retry: 'endorser-behind' });
    ledger.sequence('transfer:Request', [behind(), existing('REQUESTED')]);
    const res = await request(app).post('/v1/transfers').set('Authorization', AUTH).send(body);
    expect(res.status).toBe(201);
    const submits = ledger.callsOf('submit');
    expect(submits).toHaveLength(2);
    expect(submits[1]!.options.endorsingOrganizations).toEqual(submits[0]!.options.endorsingOrganizations);
  });

  it('a refusal still given after the retry bound is the chaincode answer (409)', async () => {
    const { app, ledger } = buildApp({ maxConflictRetries: 2 });
    requestLikeChaincode(ledger);
    ledger.on('transfer:Request', () => {
      throw new ApiError('INVALID_STATE', 'REQUEST: not allowed', { retry: 'endorser-behind' });
    });
    const res = await request(app).post('/v1/transfers').set('Authorization', AUTH).send(body);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'INVALID_STATE' });
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
    ledger.on('transfer:Accept', () => written(ledger, 'ACCEPTED'));
    const res = await request(app)
      .post('/v1/transfers/1100002611200001/accept')
      .set('Authorization', AUTH)
      .send();
    expect(res.status).toBe(201);
    const [call] = ledger.callsOf('submit', 'transfer:Accept');
    expect(call!.args).toEqual(['1100002611200001']);
    expect(call!.options.endorsingOrganizations).toEqual(['C440000MSP', 'C110000MSP']);
    expect(ledger.committed).toHaveLength(1);
  });

  it('a step the chaincode answers as a replay is 200 and never ordered', async () => {
    const { app, ledger } = buildApp();
    ledger.on('transfer:Get', () => existing('ACCEPTED'));
    ledger.on('transfer:Accept', () => existing('ACCEPTED', { lastTxId: OLD_TX }));
    const res = await request(app)
      .post('/v1/transfers/1100002611200001/accept')
      .set('Authorization', AUTH)
      .send({});
    expect(res.status).toBe(200);
    expect(res.headers['x-transaction-id']).toBeUndefined();
    expect(ledger.callsOf('submit')).toHaveLength(1);
    expect(ledger.committed).toHaveLength(0);
  });

  // Two concurrent identical steps: this one loses the MVCC race; on retry the chaincode sees the
  // step already taken with the same data and answers a replay. Before: 409 (or a second commit).
  it.each([
    ['accept', 'Accept', {}],
    ['confirm-out', 'ConfirmOut', CONFIRM],
    ['complete', 'Complete', { receivedAmount: '12000.50', receivedOn: '2026-12-01' }],
    ['dispute', 'Dispute', { message: '利息不符' }],
    ['fail', 'Fail', { message: '超期' }],
  ] as const)(
    '%s losing an MVCC race to an identical request is retried and answered 200',
    async (step, tx, data) => {
      const { app, ledger } = buildApp();
      const source = step === 'accept' || step === 'confirm-out';
      ledger.on('transfer:Get', () =>
        existing('REQUESTED', {}, source ? '440000' : '110000', source ? '110000' : '440000'),
      );
      ledger.sequence(`transfer:${tx}`, [
        new ApiError('UNAVAILABLE', 'mvcc', { retry: 'read-conflict', txId: 'a'.repeat(64) }),
        existing('ACCEPTED', { lastTxId: OLD_TX }),
      ]);
      const res = await request(app)
        .post(`/v1/transfers/1100002611200001/${step}`)
        .set('Authorization', AUTH)
        .send(data);
      expect(res.status).toBe(200);
      expect(ledger.callsOf('submit')).toHaveLength(2);
      expect(ledger.committed).toHaveLength(0);
    },
  );

  it('the chaincode answering CONFLICT (same step, other data) is 409', async () => {
    const { app, ledger } = buildApp();
    ledger.on('transfer:Get', () => existing('NEGOTIATING', {}, '110000', '440000'));
    ledger.on('transfer:Dispute', () => {
      throw new ApiError('CONFLICT', 'DISPUTE: already taken on this transfer with different data');
    });
    const res = await request(app)
      .post('/v1/transfers/1100002611200001/dispute')
      .set('Authorization', AUTH)
      .send({ message: '另一条' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'CONFLICT' });
  });

  it.each([[`JS-${RESIDENT_ID}`], [`JS${RESIDENT_ID_15}`], [`S-${RESIDENT_ID.replace(/0/g, 'O')}`]])(
    'confirm-out with an ID number in settlementRef (%s) is 400 naming the field, and nothing is written',
    async (settlementRef) => {
      const { app, ledger } = buildApp();
      ledger.on('transfer:Get', () => existing('ACCEPTED'));
      ledger.on('transfer:ConfirmOut', () => written(ledger, 'OUT_CONFIRMED'));
      const res = await request(app)
        .post('/v1/transfers/1100002611200001/confirm-out')
        .set('Authorization', AUTH)
        .send({ ...CONFIRM, settlementRef });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'settlementRef' }] });
      expect(ledger.callsOf('submit')).toHaveLength(0);
    },
  );

  it('confirm-out sends the data as canonical JSON; zero interest is allowed', async () => {
    const { app, ledger } = buildApp();
    ledger.on('transfer:Get', () => existing('ACCEPTED'));
    ledger.on('transfer:ConfirmOut', () => written(ledger, 'OUT_CONFIRMED'));
    const res = await request(app)
      .post('/v1/transfers/1100002611200001/confirm-out')
      .set('Authorization', AUTH)
      .send({ ...CONFIRM, interest: '0' });
    expect(res.status).toBe(201);
    expect(ledger.callsOf('submit')[0]!.args[1]).toBe(
      '{"continuous6Months":true,"fraudRecord":false,"interest":"0","loanCount":0,"openedOn":"2015-03-01","paidUpTo":"202610","principal":"12000.50","settlementRef":"S-2026-1","unsettledLoan":false}',
    );
  });

  it.each([
    ['reject', { reasonCode: '01', message: '材料不全' }, { reasonCode: '01' }, '110000'],
    ['dispute', { message: '利息不符' }, {}, '440000'],
    ['fail', { message: '超期' }, {}, '110000'],
  ] as const)(
    '%s sends only the message hash as argument and the text in the transient map',
    async (step, data, extra, to) => {
      const { app, ledger } = buildApp();
      ledger.on('transfer:Get', () =>
        existing('OUT_CONFIRMED', {}, to === '440000' ? '110000' : '440000', to),
      );
      ledger.on(`transfer:${step === 'reject' ? 'Reject' : step === 'dispute' ? 'Dispute' : 'Fail'}`, () =>
        written(ledger, 'REJECTED'),
      );
      await request(app)
        .post(`/v1/transfers/1100002611200001/${step}`)
        .set('Authorization', AUTH)
        .send(data)
        .expect(201);
      const [call] = ledger.callsOf('submit');
      expect(JSON.parse(call!.args[1]!)).toEqual({
        ...extra,
        messageHash: freeTextHash(PSEUDONYM_KEY, data.message),
      });
      expect(call!.args.join()).not.toContain(data.message);
      expect(call!.options.transient).toEqual({ message: data.message });
    },
  );

  it.each([
    ['spaced', '证件 110105 19491231 002X'],
    ['hyphenated', '证件 110105-19491231-002X'],
    ['full-width', '证件 １１０１０５１９４９１２３１００２Ｘ'],
    ['15 digits with dots', '证件 110.105.491.231.002'],
  ])('a message carrying an ID number (%s) is 400 and never reaches the ledger', async (_kind, message) => {
    const { app, ledger, logs } = buildApp();
    ledger.on('transfer:Get', () => existing('OUT_CONFIRMED', {}, '110000', '440000'));
    const res = await request(app)
      .post('/v1/transfers/1100002611200001/dispute')
      .set('Authorization', AUTH)
      .send({ message });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(JSON.stringify(res.body)).not.toContain('19491231');
    expect(ledger.callsOf('submit')).toHaveLength(0);
    expect(logs.join('')).not.toContain('19491231');
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

  /**
   * A fail right after its accept, endorsed by the source (which has the accept) and the destination's
   * peer (which has not it yet): both endorse, with different results. Fabric's words, translated by
   * the one translation, as the Fabric client does.
   */
  const payloadsDiffer = (): ApiError =>
    toApiError(
      new EndorseError({
        code: GrpcStatus.ABORTED,
        details: [
          {
            address: '127.0.0.1:22130',
            mspId: 'C440000MSP',
            message: 'ProposalResponsePayloads do not match',
          },
        ],
        cause: Object.assign(new Error('10 ABORTED'), {
          code: GrpcStatus.ABORTED,
          details: 'x',
          metadata: new Metadata(),
        }),
        transactionId: 'e'.repeat(64),
        message: '10 ABORTED: failed to collect enough transaction endorsements',
      }),
      'C110000MSP',
      ['C110000MSP', 'C440000MSP'],
    );

  it('a fail whose endorsers answered from different ledger states is retried with the same set: 201', async () => {
    const { app, ledger } = buildApp();
    ledger.on('transfer:Get', () => existing('ACCEPTED', {}, '110000', '440000'));
    let attempts = 0;
    ledger.on('transfer:Fail', () => {
      attempts += 1;
      if (attempts <= 2) {
        throw payloadsDiffer();
      }
      return written(ledger, 'FAILED', '110000', '440000');
    });
    const res = await request(app)
      .post('/v1/transfers/1100002611200001/fail')
      .set('Authorization', AUTH)
      .send({ message: '账户状态异常' });
    expect(res.status).toBe(201);
    const submits = ledger.callsOf('submit', 'transfer:Fail');
    expect(submits).toHaveLength(3);
    for (const submit of submits) {
      expect(submit.options.endorsingOrganizations).toEqual(submits[0]!.options.endorsingOrganizations);
    }
    expect(ledger.committed).toHaveLength(1);
  });

  it('endorsers still disagreeing after the retry bound give a retryable 503, never 502', async () => {
    const { app, ledger } = buildApp({ maxConflictRetries: 2 });
    ledger.on('transfer:Get', () => existing('ACCEPTED', {}, '110000', '440000'));
    ledger.on('transfer:Fail', () => {
      throw payloadsDiffer();
    });
    const res = await request(app)
      .post('/v1/transfers/1100002611200001/fail')
      .set('Authorization', AUTH)
      .send({ message: '账户状态异常' });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'UNAVAILABLE' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(ledger.callsOf('submit', 'transfer:Fail')).toHaveLength(3);
    expect(ledger.committed).toHaveLength(0);
  });

  it('fail works for either centre and sends a default message', async () => {
    const { app, ledger } = buildApp();
    ledger.on('transfer:Get', () => existing('ACCEPTED', {}, '110000', '440000'));
    ledger.on('transfer:Fail', () => written(ledger, 'FAILED', '110000', '440000'));
    const res = await request(app)
      .post('/v1/transfers/1100002611200001/fail')
      .set('Authorization', AUTH)
      .send();
    expect(res.status).toBe(201);
    const [call] = ledger.callsOf('submit');
    const text = call!.options.transient?.message;
    expect(text).toEqual(expect.any(String));
    expect(JSON.parse(call!.args[1]!)).toEqual({ messageHash: freeTextHash(PSEUDONYM_KEY, text!) });
  });

  it("an operator acts only for its key's centre: Shenzhen's key cannot cancel the 省直 centre's request", async () => {
    const { app, ledger } = buildApp();
    ledger.on('transfer:Get', () => existing('REQUESTED', {}, '110000', '440000'));
    const res = await request(app)
      .post('/v1/transfers/4400002611200001/cancel')
      .set('Authorization', bearer(SHENZHEN_OPERATOR_KEY))
      .send();
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'FORBIDDEN' });
    expect(ledger.callsOf('submit')).toHaveLength(0);
    // Its own letter (numbered 440300…) it files, and the chaincode sees 440300 as the destination.
    requestLikeChaincode(ledger);
    const filed = await request(app)
      .post('/v1/transfers')
      .set('Authorization', bearer(SHENZHEN_OPERATOR_KEY))
      .send({ ...body, transferId: '4403002611200001' });
    expect(filed.status).toBe(201);
    expect(JSON.parse(ledger.callsOf('submit', 'transfer:Request')[0]!.args[0]!)).toMatchObject({
      transferId: '4403002611200001',
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

describe('GET /v1/transfers/{id}/personal-details', () => {
  const DETAILS = JSON.stringify({
    idType: '01',
    idNumber: RESIDENT_ID,
    name: '张三',
    receivingAccount: 'ACC-1',
    salt: 'c2FsdHNhbHRzYWx0c2FsdA',
  });
  const TEXTS = JSON.stringify([
    {
      step: 'DISPUTE',
      by: 'C440000MSP',
      at: 't',
      txId: OLD_TX,
      messageHash: freeTextHash(PSEUDONYM_KEY, '利息不符'),
      message: '利息不符',
    },
  ]);

  function withTransfer(from: string, to: string) {
    const built = buildApp();
    built.ledger.on('transfer:Get', () => existing('NEGOTIATING', {}, from, to));
    built.ledger.on('transfer:GetPersonalDetails', () => DETAILS);
    built.ledger.on('transfer:GetStepTexts', () => TEXTS);
    return built;
  }

  it.each([
    ['destination', '110000', '440000'],
    ['source', '440000', '110000'],
  ])(
    'the %s operator reads the details and messages (no salt); the read is logged without the data',
    async (_side, from, to) => {
      const { app, ledger, logs } = withTransfer(from, to);
      const res = await request(app)
        .get('/v1/transfers/1100002611200001/personal-details')
        .set('Authorization', AUTH)
        .set('X-Request-Id', 'req-pd-1');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        transferId: '1100002611200001',
        fromCentre: from,
        toCentre: to,
        person: { idType: '01', idNumber: RESIDENT_ID, name: '张三' },
        receivingAccount: 'ACC-1',
        messages: JSON.parse(TEXTS) as unknown,
      });
      expect(ledger.callsOf('evaluate', 'transfer:GetPersonalDetails')[0]!.args).toEqual([
        '1100002611200001',
      ]);
      const line = logs
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.msg === 'personal details read');
      expect(line).toMatchObject({
        transferId: '1100002611200001',
        centre: '440000',
        keyId: 'ops',
        requestId: 'req-pd-1',
      });
      const text = logs.join('');
      expect(text).not.toContain(RESIDENT_ID);
      expect(text).not.toContain('张三');
      expect(text).not.toContain('利息不符');
    },
  );

  it('a third centre is 403 and never reads the collection', async () => {
    const { app, ledger } = withTransfer('110000', '310000');
    const res = await request(app)
      .get('/v1/transfers/1100002611200001/personal-details')
      .set('Authorization', AUTH);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'FORBIDDEN' });
    expect(ledger.callsOf('evaluate', 'transfer:GetPersonalDetails')).toHaveLength(0);
  });

  it('auditors are 403, here and on the regulator gateway', async () => {
    const { app, ledger } = withTransfer('110000', '440000');
    const res = await request(app)
      .get('/v1/transfers/1100002611200001/personal-details')
      .set('Authorization', bearer(AUDITOR_KEY));
    expect(res.status).toBe(403);
    expect(ledger.calls.filter((c) => c.transaction !== 'GetCentre')).toHaveLength(0);
    const regulator = buildApp({ centreCode: null });
    const atRegulator = await request(regulator.app)
      .get('/v1/transfers/1100002611200001/personal-details')
      .set('Authorization', bearer(AUDITOR_KEY));
    expect(atRegulator.status).toBe(403);
  });
});
