import request from 'supertest';
import { ApiError } from '../src/errors';
import { AUDITOR_KEY, OPERATOR_KEY, RESIDENT_ID, bearer, buildApp } from './support/test-app';
import { rentWithdrawal } from '../../test/support/fixtures';

const AUTH = bearer(OPERATOR_KEY);

function withdrawal(id: string): Record<string, unknown> {
  return {
    ...rentWithdrawal(id, { idType: '01', idNumber: RESIDENT_ID, name: '张三' }),
    withdrawnOn: '2026-11-20',
  };
}

function recordOf(input: string, txId: string): string {
  return JSON.stringify({ ...(JSON.parse(input) as object), status: 'RECORDED', alerts: [], txId });
}

interface BatchBody {
  results: {
    status: number;
    code?: string;
    record?: Record<string, unknown>;
    problem?: { code: string; errors?: { path: string }[] };
  }[];
}

describe('POST /v1/withdrawals/batch', () => {
  it('answers each item in input order; a malformed or refused item never stops the others', async () => {
    const { app, ledger } = buildApp();
    ledger.on('withdrawal:Record', ([input]) => {
      if (input!.includes('W-BAD-LEDGER')) throw new ApiError('DUPLICATE_EVIDENCE', 'evidence used');
      return recordOf(input!, ledger.currentTxId);
    });
    const items = [
      withdrawal('W-1'),
      { ...withdrawal('W-2'), amount: '-1' },
      withdrawal('W-BAD-LEDGER'),
      withdrawal('W-3'),
      'not an object',
    ];
    const res = await request(app).post('/v1/withdrawals/batch').set('Authorization', AUTH).send({ items });
    expect(res.status).toBe(200);
    const { results } = res.body as BatchBody;
    expect(results.map((r) => r.status)).toEqual([201, 400, 409, 201, 400]);
    expect(results[0]!.record).toMatchObject({ withdrawalId: 'W-1' });
    expect(results[1]!.problem!.errors![0]!.path).toBe('body.items.1.amount');
    expect(results[2]!.code).toBe('DUPLICATE_EVIDENCE');
    expect(results[3]!.record).toMatchObject({ withdrawalId: 'W-3' });
    expect(ledger.callsOf('submit', 'withdrawal:Record')).toHaveLength(3);
  });

  it('hides 5xx details of an item as the one error handler does', async () => {
    const { app, ledger } = buildApp();
    ledger.on('withdrawal:Record', () => {
      throw new Error('secret internals');
    });
    const res = await request(app)
      .post('/v1/withdrawals/batch')
      .set('Authorization', AUTH)
      .send({ items: [withdrawal('W-1')] });
    expect(res.status).toBe(200);
    const [result] = (res.body as BatchBody).results;
    expect(result).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(JSON.stringify(result)).not.toContain('secret');
  });

  it('refuses more than 50 items, an empty batch, and an auditor, as a whole', async () => {
    const { app } = buildApp();
    const many = Array.from({ length: 51 }, (_, i) => withdrawal(`W-${i}`));
    const tooMany = await request(app)
      .post('/v1/withdrawals/batch')
      .set('Authorization', AUTH)
      .send({ items: many });
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(tooMany.body)).toContain('body.items');
    const empty = await request(app)
      .post('/v1/withdrawals/batch')
      .set('Authorization', AUTH)
      .send({ items: [] });
    expect(empty.status).toBe(400);
    const auditor = await request(app)
      .post('/v1/withdrawals/batch')
      .set('Authorization', bearer(AUDITOR_KEY))
      .send({ items: [withdrawal('W-1')] });
    expect(auditor.status).toBe(403);
  });
});

describe('POST /v1/transfers/batch', () => {
  it('applies the single endpoint rules per item: a transfer ID of another centre is refused alone', async () => {
    const { app, ledger } = buildApp();
    ledger.on('transfer:Get', () => {
      throw new ApiError('NOT_FOUND', 'no such transfer');
    });
    ledger.on('transfer:Request', ([input]) =>
      JSON.stringify({ ...(JSON.parse(input!) as object), toCentre: '440000', status: 'REQUESTED' }),
    );
    const person = { idType: '01', idNumber: RESIDENT_ID, name: '张三' };
    const items = [
      { transferId: '4400002611230001', fromCentre: '110000', person },
      { transferId: '1100002611230002', fromCentre: '310000', person },
    ];
    const res = await request(app).post('/v1/transfers/batch').set('Authorization', AUTH).send({ items });
    expect(res.status).toBe(200);
    const { results } = res.body as BatchBody;
    expect(results.map((r) => r.status)).toEqual([201, 400]);
    expect(results[1]!.problem!.code).toBe('VALIDATION_FAILED');
  });
});
