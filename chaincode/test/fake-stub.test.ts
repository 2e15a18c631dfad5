import { FakeWorldState, FakeStub, wouldValidate } from './fake-stub';

/** The fake stub's Fabric behaviours that the two-backend scenarios found (see docs/testing.md). */

function stub(ledger = new FakeWorldState()): FakeStub {
  return new FakeStub(ledger, { txId: 'tx1', epochMillis: Date.UTC(2026, 10, 20) });
}

describe('FakeStub behaves like Fabric', () => {
  it('answers an empty page with no bookmark without metadata, as fabric-shim does', async () => {
    const response = await stub().getStateByPartialCompositeKeyWithPagination('queue', ['110000'], 10, '');
    expect(response.metadata).toBeUndefined();
    expect((await response.iterator.next()).done).toBe(true);
  });

  it('gives metadata with the next key as bookmark when a page is full', async () => {
    const ledger = new FakeWorldState();
    const writer = stub(ledger);
    for (const id of ['a', 'b', 'c']) {
      await writer.putState(writer.createCompositeKey('queue', ['110000', id]), Buffer.from('{}'));
    }
    writer.commit();
    const reader = stub(ledger);
    const page = await reader.getStateByPartialCompositeKeyWithPagination('queue', ['110000'], 2, '');
    expect(page.metadata).toEqual({
      fetchedRecordsCount: 2,
      bookmark: reader.createCompositeKey('queue', ['110000', 'c']),
    });
    const last = await reader.getStateByPartialCompositeKeyWithPagination(
      'queue',
      ['110000'],
      2,
      page.metadata.bookmark,
    );
    expect(last.metadata).toEqual({ fetchedRecordsCount: 1, bookmark: '' });
  });

  it('refuses to mix paginated queries and writes in one transaction, either way round', async () => {
    const queriedFirst = stub();
    await queriedFirst.getStateByPartialCompositeKeyWithPagination('queue', ['110000'], 10, '');
    await expect(queriedFirst.putState('k', Buffer.from('v'))).rejects.toThrow(/Writes are not allowed/);
    const wroteFirst = stub();
    await wroteFirst.putState('k', Buffer.from('v'));
    await expect(
      wroteFirst.getStateByPartialCompositeKeyWithPagination('queue', ['110000'], 10, ''),
    ).rejects.toThrow(/supported only in a read-only transaction/);
  });

  it('refuses composite keys in a simple-key range and empty composite-key parts', async () => {
    const s = stub();
    await expect(s.getStateByRange(s.createCompositeKey('queue', ['1']), '')).rejects.toThrow(
      /null character/,
    );
    expect(() => s.createCompositeKey('queue', [''])).toThrow(/non-zero length/);
  });

  it('needs the owner among the endorsers of a write to an implicit collection', async () => {
    const s = stub();
    await s.putState('k', Buffer.from('v'));
    await s.putPrivateData('_implicit_org_C110000MSP', 'k', Buffer.from('secret'));
    expect(wouldValidate(s, ['C440000MSP', 'RegulatorMSP'])).toBe(false);
    expect(wouldValidate(s, ['C110000MSP', 'RegulatorMSP'])).toBe(true);
  });

  it('keeps only the last event of a transaction', async () => {
    const ledger = new FakeWorldState();
    const s = stub(ledger);
    s.setEvent('first', Buffer.from('1'));
    s.setEvent('second', Buffer.from('2'));
    s.commit();
    expect(ledger.events.map((e) => e.name)).toEqual(['second']);
    await Promise.resolve();
  });
});
