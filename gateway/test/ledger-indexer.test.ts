import { LedgerIndex } from '../src/services/ledger-index';
import { startLedgerIndexer } from '../src/services/ledger-indexer';
import type { Attestation } from '../src/domain/records';
import type { JsonObject } from '../src/services/json-record';
import { FakeLedger } from './support/fake-ledger';
import { tx, withdrawalRecord } from '../../test/support/fixtures';

/**
 * The indexer against the fake ledger's event stream: records come from the events that carry them,
 * and only events without one are read back from the ledger.
 */

function event(block: number, n: number, payload: JsonObject): FakeLedger['eventLog'][number] {
  return { blockNumber: BigInt(block), txId: tx(n), name: 'hpf', payload: JSON.stringify(payload) };
}

async function indexAll(
  ledger: FakeLedger,
  current: (id: string) => Promise<Attestation | undefined>,
): Promise<{ index: LedgerIndex; read: string[]; seen: string[] }> {
  const index = new LedgerIndex({ file: ':memory:' });
  const read: string[] = [];
  const seen: string[] = [];
  const last = ledger.eventLog.at(-1)!;
  const lastPosition = `${last.blockNumber.toString()}:${last.txId}`;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const indexer = startLedgerIndexer({
    ledger,
    index,
    audit: {
      current: (id) => {
        read.push(id);
        return current(id);
      },
    },
    onError: (err) => {
      throw err;
    },
    retryDelayMs: 10,
    onIndexed: (position) => {
      if (position === lastPosition) done();
    },
    onEvent: (type, attestationId) => seen.push(`${type} ${attestationId ?? '-'}`),
  });
  await finished;
  indexer.stop();
  return { index, read, seen };
}

describe('ledger indexer', () => {
  it('stores the record each event carries, the last one of a batch, and reads nothing back', async () => {
    const ledger = new FakeLedger();
    const w = 'withdrawal:110000:W-1';
    ledger.eventLog.push(
      event(5, 1, {
        type: 'withdrawal.recorded',
        attestationId: w,
        centres: ['110000'],
        status: 'RECORDED',
        record: withdrawalRecord({ withdrawalId: 'W-1' }),
      }),
      event(6, 2, {
        type: 'withdrawal.reversed',
        attestationId: w,
        centres: ['110000'],
        status: 'REVERSED',
        record: withdrawalRecord({ withdrawalId: 'W-1', status: 'REVERSED' }),
      }),
      // A certificate's event names no transfer or withdrawal: kept as an event, never read.
      event(7, 3, { type: 'certificate.issued', attestationId: 'certificate:110000:HPF-1', centres: [] }),
    );
    const { index, read, seen } = await indexAll(ledger, () => Promise.reject(new Error('must not read')));
    expect(read).toEqual([]);
    // The same stream feeds the gateway's metrics and verification cache: every event once, in order.
    expect(seen).toEqual([
      `withdrawal.recorded ${w}`,
      `withdrawal.reversed ${w}`,
      'certificate.issued certificate:110000:HPF-1',
    ]);
    expect(index.attestation(w)).toMatchObject({
      id: w,
      kind: 'withdrawal',
      status: 'REVERSED',
      lastBlock: 6,
    });
    expect(index.allEvents()).toHaveLength(3);
    expect(index.position()).toBe(`7:${tx(3)}`);
  });

  it('reads the record from the ledger for an event that carries none (an older chaincode)', async () => {
    const ledger = new FakeLedger();
    const w = 'withdrawal:110000:W-2';
    ledger.eventLog.push(
      event(5, 1, { type: 'withdrawal.recorded', attestationId: w, centres: ['110000'], status: 'RECORDED' }),
    );
    const { index, read } = await indexAll(ledger, (id) =>
      Promise.resolve({ kind: 'withdrawal', record: withdrawalRecord({ withdrawalId: id.split(':')[2]! }) }),
    );
    expect(read).toEqual([w]);
    expect(index.attestation(w)).toMatchObject({ id: w, status: 'RECORDED', centre: '110000' });
  });
});
