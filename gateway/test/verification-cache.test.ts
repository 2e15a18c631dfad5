import { typeAndAttestationId } from '../src/services/event-listener';
import request from 'supertest';
import { committedTx, withdrawalRecord } from '../../test/support/fixtures';
import { newVerificationCache } from '../src/services/verification-cache';
import { AUDITOR_KEY, bearer, buildApp } from './support/test-app';

const TX = '3c'.repeat(32);
const answer = { found: true, kind: 'withdrawal', record: withdrawalRecord({ txId: TX }) };

describe('verification cache', () => {
  it('keeps an answer until an event names the attestation', () => {
    const cache = newVerificationCache({ maxEntries: 10, maxAgeMs: 60_000 });
    expect(cache.lookup('W-1', 'k')).toBeUndefined();
    cache.store('W-1', 'k', answer, cache.generation('W-1'));
    expect(cache.lookup('W-1', 'k')).toEqual(answer);
    expect(cache.lookup('W-1', 'other document hash')).toBeUndefined();
    cache.invalidate('W-1');
    expect(cache.lookup('W-1', 'k')).toBeUndefined();
  });

  it('never stores an answer read before an event that arrived meanwhile', () => {
    const cache = newVerificationCache({ maxEntries: 10, maxAgeMs: 60_000 });
    const before = cache.generation('W-1');
    cache.invalidate('W-1'); // the event lands while the ledger is being asked
    cache.store('W-1', 'k', answer, before);
    expect(cache.lookup('W-1', 'k')).toBeUndefined();
    const afterClear = cache.generation('W-2');
    cache.clear(); // the event stream broke
    cache.store('W-2', 'k', answer, afterClear);
    expect(cache.lookup('W-2', 'k')).toBeUndefined();
  });

  it('expires answers after maxAgeMs whatever the events do', () => {
    let now = 1_000;
    const cache = newVerificationCache({ maxEntries: 10, maxAgeMs: 5_000, now: () => now });
    cache.store('W-1', 'k', answer, cache.generation('W-1'));
    now += 5_000;
    expect(cache.lookup('W-1', 'k')).toEqual(answer);
    now += 1;
    expect(cache.lookup('W-1', 'k')).toBeUndefined();
  });

  it('holds at most maxEntries attestations', () => {
    const cache = newVerificationCache({ maxEntries: 2, maxAgeMs: 60_000 });
    for (const id of ['A', 'B', 'C']) cache.store(id, 'k', answer, cache.generation(id));
    expect(['A', 'B', 'C'].map((id) => cache.lookup(id, 'k') !== undefined)).toEqual([false, true, true]);
  });
});

describe('POST /v1/verify with the cache', () => {
  it('asks the ledger once per attestation until its next event, and never caches a miss', async () => {
    const verifications = newVerificationCache({ maxEntries: 10, maxAgeMs: 60_000 });
    const { app, ledger } = buildApp({}, { verifications });
    ledger.on('audit:Verify', ([body]) =>
      body?.includes('withdrawal:440000:W-404') === true
        ? JSON.stringify({ found: false })
        : JSON.stringify(answer),
    );
    ledger.transactions.set(
      TX,
      committedTx(TX, {
        blockNumber: '9',
        timestamp: '2026-11-20T00:00:00.000Z',
        endorsingOrgs: ['C440000MSP', 'RegulatorMSP'],
      }),
    );
    const verify = (attestationId: string): request.Test =>
      request(app).post('/v1/verify').set('Authorization', bearer(AUDITOR_KEY)).send({ attestationId });

    expect((await verify('withdrawal:440000:W-1')).body).toMatchObject({
      valid: true,
      txId: TX,
      blockNumber: '9',
    });
    expect((await verify('withdrawal:440000:W-1')).body).toMatchObject({ valid: true, txId: TX });
    expect(ledger.callsOf('evaluate', 'audit:Verify')).toHaveLength(1);

    verifications.invalidate('withdrawal:440000:W-1');
    await verify('withdrawal:440000:W-1');
    expect(ledger.callsOf('evaluate', 'audit:Verify')).toHaveLength(2);

    await verify('withdrawal:440000:W-404');
    await verify('withdrawal:440000:W-404');
    expect(ledger.callsOf('evaluate', 'audit:Verify')).toHaveLength(4);
  });
});

describe('event listener: which attestation an event invalidates', () => {
  it('uses the typed attestationId of the payload, never the bare business id', () => {
    expect(
      typeAndAttestationId(
        '{"attestationId":"withdrawal:110000:W-1","centres":["110000"],"id":"W-1","type":"withdrawal.reversed"}',
        'hpf',
      ),
    ).toEqual({ type: 'withdrawal.reversed', attestationId: 'withdrawal:110000:W-1' });
    expect(typeAndAttestationId('{"id":"registry","type":"registry.updated"}', 'hpf')).toEqual({
      type: 'registry.updated',
      attestationId: undefined,
    });
    expect(typeAndAttestationId('not json', 'hpf')).toEqual({ type: 'hpf', attestationId: undefined });
  });
});
