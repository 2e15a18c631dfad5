import request from 'supertest';
import { committedTx, transferRecord, withdrawalRecord } from '../../test/support/fixtures';
import type { LedgerEvent } from '../src/fabric/ledger-client';
import {
  AUDITOR_KEY,
  OPERATOR_KEY,
  RESIDENT_ID,
  bearer,
  buildApp,
  subjectRefWithTestKey,
} from './support/test-app';

const TX1 = '1a'.repeat(32);
const TX2 = '2b'.repeat(32);

const transfer = transferRecord({
  transferId: '4400002611200001',
  steps: [
    { step: 'REQUEST', txId: TX1 },
    { step: 'ACCEPT', txId: TX2 },
  ],
});

describe('subjects and verification', () => {
  it('lookup computes the subjectRef from the normalised person', async () => {
    const { app, ledger } = buildApp();
    const res = await request(app)
      .post('/v1/subjects/lookup')
      .set('Authorization', bearer(AUDITOR_KEY))
      .send({ person: { idType: '01', idNumber: RESIDENT_ID.toLowerCase(), name: '张三' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ subjectRef: subjectRefWithTestKey('01', RESIDENT_ID) });
    expect(ledger.calls).toHaveLength(0);
  });

  it('timeline asks audit:Timeline', async () => {
    const { app, ledger } = buildApp();
    const ref = subjectRefWithTestKey('01', RESIDENT_ID);
    ledger.on('audit:Timeline', ([s]) => JSON.stringify({ subjectRef: s, attestations: [] }));
    const res = await request(app)
      .get(`/v1/subjects/${ref}/timeline`)
      .set('Authorization', bearer(AUDITOR_KEY));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ subjectRef: ref, attestations: [] });
  });

  it('proof: record + txId of the latest step + block + validation code + timestamp + endorsers', async () => {
    const { app, ledger } = buildApp();
    ledger.on('audit:Verify', () => JSON.stringify({ found: true, kind: 'transfer', record: transfer }));
    ledger.transactions.set(TX2, committedTx(TX2));
    const res = await request(app)
      .get('/v1/attestations/transfer:4400002611200001/proof')
      .set('Authorization', bearer(AUDITOR_KEY));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      attestationId: 'transfer:4400002611200001',
      kind: 'transfer',
      record: transfer,
      txId: TX2,
      blockNumber: '12',
      validationCode: 'VALID',
      timestamp: '2026-11-20T08:00:00.000Z',
      endorsingOrgs: ['C110000MSP', 'C440000MSP'],
      forged: false,
    });
  });

  it('a record the ledger calls forged (not sealed by its centre) is forged in the proof and never valid', async () => {
    const { app, ledger } = buildApp();
    ledger.on('audit:Verify', () =>
      JSON.stringify({
        found: true,
        kind: 'withdrawal',
        record: withdrawalRecord({ centre: '440300', withdrawalId: 'W-F', txId: TX1 }),
        forged: true,
      }),
    );
    ledger.transactions.set(TX1, committedTx(TX1));
    const verified = await request(app)
      .post('/v1/verify')
      .set('Authorization', bearer(AUDITOR_KEY))
      .send({ attestationId: 'withdrawal:440300:W-F' });
    expect(verified.body).toMatchObject({ valid: false, found: true, forged: true, validationCode: 'VALID' });
    const proof = await request(app)
      .get('/v1/attestations/withdrawal:440300:W-F/proof')
      .set('Authorization', bearer(AUDITOR_KEY));
    expect(proof.body).toMatchObject({ forged: true, validationCode: 'VALID' });
  });

  it('proof of an unknown attestation is 404', async () => {
    const { app, ledger } = buildApp();
    ledger.on('audit:Verify', () => '{"found":false}');
    const res = await request(app)
      .get('/v1/attestations/withdrawal:440000:W-9/proof')
      .set('Authorization', bearer(AUDITOR_KEY));
    expect(res.status).toBe(404);
  });

  it('verify: a withdrawal whose document does not match is not valid', async () => {
    const { app, ledger } = buildApp();
    ledger.on('audit:Verify', ([input]) => {
      expect(JSON.parse(input!)).toEqual({
        attestationId: 'withdrawal:440000:W-1',
        documentHash: 'e'.repeat(64),
      });
      return JSON.stringify({
        found: true,
        kind: 'withdrawal',
        record: withdrawalRecord({ centre: '440000', withdrawalId: 'W-1', txId: TX1 }),
        documentMatches: false,
      });
    });
    ledger.transactions.set(TX1, committedTx(TX1));
    const res = await request(app)
      .post('/v1/verify')
      .set('Authorization', bearer(AUDITOR_KEY))
      .send({ attestationId: 'withdrawal:440000:W-1', documentHash: 'e'.repeat(64) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      valid: false,
      found: true,
      documentMatches: false,
      txId: TX1,
      blockNumber: '12',
    });
  });

  it('verify: a valid attestation', async () => {
    const { app, ledger } = buildApp();
    ledger.on('audit:Verify', () =>
      JSON.stringify({ found: true, kind: 'withdrawal', record: withdrawalRecord({ txId: TX1 }) }),
    );
    ledger.transactions.set(TX1, committedTx(TX1));
    const res = await request(app)
      .post('/v1/verify')
      .set('Authorization', bearer(OPERATOR_KEY))
      .send({ attestationId: 'withdrawal:440000:W-1' });
    expect(res.body).toMatchObject({
      valid: true,
      validationCode: 'VALID',
      endorsingOrgs: ['C110000MSP', 'C440000MSP'],
    });
  });

  it.each([
    ['/v1/attestations/4400002611200001/proof', 'GET'],
    ['/v1/attestations/W-1/proof', 'GET'],
    ['/v1/attestations/withdrawal:W-1/proof', 'GET'],
    ['/v1/verify', 'POST'],
  ])(
    'a bare or malformed attestation ID (%s) is 400 naming the field and the typed forms, with no ledger call',
    async (path, method) => {
      const { app, ledger } = buildApp();
      const res =
        method === 'GET'
          ? await request(app).get(path).set('Authorization', bearer(AUDITOR_KEY))
          : await request(app)
              .post(path)
              .set('Authorization', bearer(AUDITOR_KEY))
              .send({ attestationId: '4400002611200001' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        // The contract's AttestationId pattern states the typed forms; the validator names the field.
        detail: expect.stringMatching(
          /^(params\.id|body\.attestationId|request\/body\/attestationId)[: ].*withdrawal:/,
        ) as unknown,
      });
      expect(ledger.callsOf('evaluate', 'audit:Verify')).toHaveLength(0);
    },
  );

  it('transactions and blocks come from qscc', async () => {
    const { app, ledger } = buildApp();
    ledger.transactions.set(TX1, committedTx(TX1));
    ledger.blocks.set('12', { number: '12', dataHash: 'aa', previousHash: 'bb', transactions: [] });
    const tx = await request(app).get(`/v1/transactions/${TX1}`).set('Authorization', bearer(AUDITOR_KEY));
    expect(tx.status).toBe(200);
    expect(tx.body).toMatchObject({ txId: TX1, validationCode: 'VALID' });
    const block = await request(app).get('/v1/blocks/12').set('Authorization', bearer(AUDITOR_KEY));
    expect(block.body).toMatchObject({ number: '12', previousHash: 'bb' });
    const missing = await request(app)
      .get(`/v1/transactions/${TX2}`)
      .set('Authorization', bearer(AUDITOR_KEY));
    expect(missing.status).toBe(404);
  });
});

function event(block: bigint, txId: string, centres: string[], type = 'transfer.requested'): LedgerEvent {
  return {
    blockNumber: block,
    txId,
    name: 'hpf',
    payload: JSON.stringify({ type, id: txId.slice(0, 4), centres }),
  };
}

interface Sse {
  id: string;
  event: string;
  data: Record<string, unknown>;
}

function parseSse(text: string): Sse[] {
  return text
    .split('\n\n')
    .filter((chunk) => chunk.startsWith('id: '))
    .map((chunk) => {
      const fields = Object.fromEntries(
        chunk
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
      );
      return {
        id: fields.id!,
        event: fields.event!,
        data: JSON.parse(fields.data!) as Record<string, unknown>,
      };
    });
}

describe('GET /v1/events', () => {
  const TXA = 'a'.repeat(64);
  const TXB = 'b'.repeat(64);
  const TXC = 'c'.repeat(64);
  const TXD = 'd'.repeat(64);

  function withLog(): ReturnType<typeof buildApp> {
    const built = buildApp();
    built.ledger.eventLog.push(
      event(3n, TXA, ['110000', '440000']),
      event(3n, TXB, ['110000', '310000']),
      event(4n, TXC, ['440000'], 'withdrawal.recorded'),
      event(5n, TXD, ['310000']),
    );
    return built;
  }

  it('an auditor replaying from block 0 sees every event with <block>:<txId> ids', async () => {
    const { app } = withLog();
    const res = await request(app)
      .get('/v1/events')
      .set('Authorization', bearer(AUDITOR_KEY))
      .set('Last-Event-ID', '0');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    const events = parseSse(res.text);
    expect(events.map((e) => e.id)).toEqual([`3:${TXA}`, `3:${TXB}`, `4:${TXC}`, `5:${TXD}`]);
    expect(events[2]).toMatchObject({ event: 'withdrawal.recorded', data: { blockNumber: '4', txId: TXC } });
  });

  it("an operator sees only its centre's events", async () => {
    const { app } = withLog();
    const res = await request(app)
      .get('/v1/events')
      .set('Authorization', bearer(OPERATOR_KEY))
      .set('Last-Event-ID', '0');
    expect(parseSse(res.text).map((e) => e.id)).toEqual([`3:${TXA}`, `4:${TXC}`]);
  });

  it('resumes just after Last-Event-ID: nothing lost, nothing repeated', async () => {
    const { app } = withLog();
    const res = await request(app)
      .get('/v1/events')
      .set('Authorization', bearer(AUDITOR_KEY))
      .set('Last-Event-ID', `3:${TXA}`);
    expect(parseSse(res.text).map((e) => e.id)).toEqual([`3:${TXB}`, `4:${TXC}`, `5:${TXD}`]);
  });

  it('a malformed Last-Event-ID is 400', async () => {
    const { app } = withLog();
    const res = await request(app)
      .get('/v1/events')
      .set('Authorization', bearer(AUDITOR_KEY))
      .set('Last-Event-ID', 'yesterday');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
