import { testConsortium } from '../support/consortium';
import { call, gatewayOf } from '../support/http';
import { residentId, transferIdFor } from '../support/ledger';
import { evidenceOf, withdrawalBody, type WithdrawalBodyFixture } from '../support/fixtures';

/** Batch submission end to end: each item its own transaction on the real network, answered in order. */

const consortium = testConsortium();
// People born 1981-03-13 and transfer IDs dated 2001-01-13 belong to this file, so IDs never collide.
const run = Date.now() % 900;
const today = new Date().toISOString().slice(0, 10);
const beijing = gatewayOf('C110000MSP');
const shanghai = gatewayOf('C310000MSP');
const guangdong = gatewayOf('C440000MSP');

interface ItemResult {
  readonly status: number;
  readonly code?: string;
  readonly txId?: string;
  readonly record?: Record<string, unknown>;
  readonly problem?: { readonly code: string; readonly detail: string };
}

function person(seq: number): { idType: string; idNumber: string; name: string } {
  return { idType: '01', idNumber: residentId('19810313', (seq % 999) + 1), name: '批量' };
}

function withdrawal(id: string, seq: number, reference: string): WithdrawalBodyFixture {
  return withdrawalBody(id, person(seq), {
    reasonCode: '07',
    amount: '1500.00',
    evidence: evidenceOf('RENT_CONTRACT', reference),
    withdrawnOn: today,
  });
}

function resultsOf(body: Record<string, unknown>): ItemResult[] {
  return body.results as ItemResult[];
}

describe('batch endpoints against the real network', () => {
  it('records withdrawals item by item: good, malformed, repeated, duplicate evidence across centres; replay is 200', async () => {
    const tag = `B${run}`;
    // Shanghai records a withdrawal first; the same person and document at Beijing is a duplicate.
    const shanghaiFirst = await call(
      shanghai,
      'operator',
      'POST',
      '/v1/withdrawals',
      withdrawal(`${tag}-SH`, run + 3, `RENT-${tag}-SHARED`),
    );
    expect(shanghaiFirst.status).toBe(201);
    const items = [
      withdrawal(`${tag}-1`, run, `RENT-${tag}-1`),
      { ...withdrawal(`${tag}-2`, run + 1, `RENT-${tag}-2`), amount: '-5' },
      withdrawal(`${tag}-3`, run + 3, `RENT-${tag}-SHARED`),
      withdrawal(`${tag}-4`, run + 2, `RENT-${tag}-4`),
      withdrawal(`${tag}-1`, run, `RENT-${tag}-1`),
    ];
    const first = await call(beijing, 'operator', 'POST', '/v1/withdrawals/batch', { items });
    expect(first.status).toBe(200);
    const results = resultsOf(first.body);
    expect(results).toHaveLength(items.length);
    expect(results[1]).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(results[1]!.problem!.detail).toContain('body.items.1.amount');
    expect(results[2]).toMatchObject({ status: 409, code: 'DUPLICATE_EVIDENCE' });
    expect(results[3]).toMatchObject({ status: 201, record: { withdrawalId: `${tag}-4`, centre: '110000' } });
    // Item 0 and its repeat (item 4) ran concurrently: one wrote it, the other got the same record.
    expect([results[0]!.status, results[4]!.status].sort()).toEqual([200, 201]);
    expect(results[4]!.record!.txId).toBe(results[0]!.record!.txId);

    const replay = resultsOf(
      (await call(beijing, 'operator', 'POST', '/v1/withdrawals/batch', { items })).body,
    );
    expect(replay.map((r) => r.status)).toEqual([200, 400, 409, 200, 200]);
    expect(replay[3]!.record!.txId).toBe(results[3]!.record!.txId);
    expect(replay[0]!.record!.txId).toBe(results[0]!.record!.txId);
    const stored = await call(beijing, 'operator', 'GET', `/v1/withdrawals/${tag}-4`);
    expect(stored.body).toMatchObject({ withdrawalId: `${tag}-4`, txId: results[3]!.record!.txId });
  });

  it('requests transfers item by item; an item naming another centre is refused alone; replay is 200', async () => {
    const date = new Date(Date.UTC(2001, 0, 13));
    const centre = (code: string) => consortium.centres.find((c) => c.code === code)!;
    const own = (n: number): string => transferIdFor(centre('440000'), run * 10 + n, date);
    const items = [
      { transferId: own(1), fromCentre: '110000', person: person(run + 10) },
      { transferId: own(2), fromCentre: '310000', person: person(run + 11) },
      // Another centre's contact letter number: only that centre may request it.
      {
        transferId: transferIdFor(centre('110000'), run * 10 + 3, date),
        fromCentre: '310000',
        person: person(run + 12),
      },
      { transferId: own(4), fromCentre: '440000', person: person(run + 13) },
    ];
    const first = await call(guangdong, 'operator', 'POST', '/v1/transfers/batch', { items });
    expect(first.status).toBe(200);
    const results = resultsOf(first.body);
    expect(results.map((r) => r.status)).toEqual([201, 201, 400, 400]);
    expect(results[0]!.record).toMatchObject({ transferId: own(1), status: 'REQUESTED', toCentre: '440000' });
    expect(results[2]!.problem!.detail).toContain('transferId');
    expect(results[3]!.problem!.detail).toContain('fromCentre');
    const replay = resultsOf(
      (await call(guangdong, 'operator', 'POST', '/v1/transfers/batch', { items })).body,
    );
    expect(replay.map((r) => r.status)).toEqual([200, 200, 400, 400]);
    expect(replay[1]!.record).toMatchObject({ transferId: own(2), status: 'REQUESTED' });
    // The source centre sees the request: it is on the ledger, not only in the answer.
    const seen = await call(beijing, 'auditor', 'GET', `/v1/transfers/${own(1)}`);
    expect(seen.body).toMatchObject({ transferId: own(1), fromCentre: '110000' });
  });

  it('refuses a batch of more than 50 items as a whole, naming the field', async () => {
    const items = Array.from({ length: 51 }, (_, i) => withdrawal(`X-${i}`, i, `R-${i}`));
    const refused = await call(beijing, 'operator', 'POST', '/v1/withdrawals/batch', { items });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('body.items');
  });
});
