import { freeTextHash } from '../src/domain';
import {
  ALICE,
  ALICE_ID,
  ALICE_NAME,
  BEIJING,
  BOB,
  BOB_ID,
  expectHpf,
  GUANGDONG,
  hash,
  parse,
  REGULATOR,
  SHANGHAI,
  TestNetwork,
  homeCentreOf,
  PSEUDONYM_KEY,
} from './harness';
import { request, step, T1 } from './transfer-fixtures';
import { withdrawalArgument } from '../../test/support/fixtures';

const HOUSE = hash('house');

function withdrawal(id: string, centre: string, subjectRef = ALICE): string {
  return JSON.stringify(
    withdrawalArgument(
      { withdrawalId: id, centre, subjectRef, evidenceHash: HOUSE },
      { withdrawnOn: '2026-11-20' },
    ),
  );
}

/** A fixed scenario touching every contract; returns every result and event in order. */
async function scenario(net: TestNetwork): Promise<string[]> {
  const outputs: string[] = [];
  const keep = (invocation: { result: string; event: unknown }): void => {
    outputs.push(invocation.result, JSON.stringify(invocation.event));
  };
  await net.init();
  keep(
    await net.submit(SHANGHAI.mspId, (ctx) => net.withdrawal.Record(ctx, withdrawal('W-1', SHANGHAI.code))),
  );
  keep(await request(net));
  keep(await step(net, 'ACCEPT'));
  keep(await step(net, 'CONFIRM_OUT'));
  keep(await step(net, 'COMPLETE'));
  keep(
    await net.submit(GUANGDONG.mspId, (ctx) =>
      net.withdrawal.Record(ctx, withdrawal('W-2', GUANGDONG.code, BOB)),
    ),
  );
  keep(
    await net.submit(
      GUANGDONG.mspId,
      (ctx) =>
        net.withdrawal.Reverse(
          ctx,
          homeCentreOf(ctx.clientIdentity.getMSPID()),
          'W-2',
          JSON.stringify({ reasonHash: freeTextHash(PSEUDONYM_KEY, '重复录入') }),
        ),
      { transient: { reason: '重复录入' } },
    ),
  );
  return outputs;
}

describe('audit', () => {
  let net: TestNetwork;

  beforeEach(() => {
    net = new TestNetwork();
  });

  it('Timeline lists every attestation about a subject across centres, oldest first', async () => {
    await scenario(net);
    const timeline = parse(await net.evaluate(REGULATOR.mspId, (ctx) => net.audit.Timeline(ctx, ALICE)));
    expect(timeline.subjectRef).toBe(ALICE);
    expect(timeline.attestations).toEqual([
      {
        kind: 'withdrawal',
        id: 'W-1',
        attestationId: 'withdrawal:310000:W-1',
        centres: ['310000'],
        status: 'RECORDED',
        at: '2026-11-20T02:00:02.000Z',
        txId: 'tx0002',
      },
      {
        kind: 'transfer',
        id: T1,
        attestationId: `transfer:${T1}`,
        centres: ['110000', '440000'],
        status: 'COMPLETED',
        at: '2026-11-20T02:00:03.000Z',
        txId: 'tx0003',
      },
    ]);
    const bob = parse(await net.evaluate(BEIJING.mspId, (ctx) => net.audit.Timeline(ctx, BOB)));
    expect(bob.attestations).toMatchObject([{ id: 'W-2', status: 'REVERSED' }]);
    await expectHpf(
      net.evaluate(BEIJING.mspId, (ctx) => net.audit.Timeline(ctx, 'x')),
      'VALIDATION_FAILED',
    );
  });

  it('Verify finds transfers and withdrawals and checks a document hash', async () => {
    await scenario(net);
    const verify = async (body: Record<string, unknown>): Promise<Record<string, unknown>> =>
      parse(await net.evaluate(REGULATOR.mspId, (ctx) => net.audit.Verify(ctx, JSON.stringify(body))));
    const w = await verify({ attestationId: 'withdrawal:310000:W-1', documentHash: HOUSE });
    expect(w).toMatchObject({
      found: true,
      attestationId: 'withdrawal:310000:W-1',
      kind: 'withdrawal',
      documentMatches: true,
      record: { withdrawalId: 'W-1' },
    });
    // The record and the registry are read once each (one prefetch on Fabric), though the seal check reads both again.
    const reads = net.lastStub?.reads.map((key) => key.replaceAll('\u0000', '|')) ?? [];
    expect(reads.filter((key) => key === '|withdrawal|310000|W-1|')).toHaveLength(1);
    expect(reads.filter((key) => key === 'registry')).toHaveLength(1);
    expect(
      await verify({ attestationId: 'withdrawal:310000:W-1', documentHash: hash('other') }),
    ).toMatchObject({
      documentMatches: false,
    });
    const t = await verify({ attestationId: `transfer:${T1}` });
    expect(t).toMatchObject({
      found: true,
      attestationId: `transfer:${T1}`,
      kind: 'transfer',
      record: { transferId: T1, attestationId: `transfer:${T1}` },
    });
    expect(t).not.toHaveProperty('documentMatches');
    const personHash = (t.record as { personHash: string }).personHash;
    expect(await verify({ attestationId: `transfer:${T1}`, documentHash: personHash })).toMatchObject({
      documentMatches: true,
    });
    expect(await verify({ attestationId: 'withdrawal:110000:W-1' })).toEqual({
      found: false,
      attestationId: 'withdrawal:110000:W-1',
      kind: null,
      record: null,
    });
    await expectHpf(
      net.evaluate(REGULATOR.mspId, (ctx) =>
        net.audit.Verify(ctx, JSON.stringify({ attestationId: 'withdrawal:310000:W-1', documentHash: 'x' })),
      ),
      'VALIDATION_FAILED',
      'documentHash',
    );
  });
});

describe('determinism and personal data', () => {
  it('the same inputs give the same bytes: results, events and every state value', async () => {
    const first = new TestNetwork();
    const second = new TestNetwork();
    const a = await scenario(first);
    const b = await scenario(second);
    expect(b).toEqual(a);
    expect(
      [...second.ledger.state.entries()].map(([key, value]) => [key, Buffer.from(value).toString('hex')]),
    ).toEqual(
      [...first.ledger.state.entries()].map(([key, value]) => [key, Buffer.from(value).toString('hex')]),
    );
    expect(second.ledger.events.map((event) => Buffer.from(event.payload).toString('hex'))).toEqual(
      first.ledger.events.map((event) => Buffer.from(event.payload).toString('hex')),
    );
  });

  it('every state value and event is canonical JSON (sorted keys, no whitespace)', async () => {
    const net = new TestNetwork();
    await scenario(net);
    const values = [
      ...[...net.ledger.state.values()].map((value) => Buffer.from(value).toString('utf8')),
      ...net.ledger.events.map((event) => Buffer.from(event.payload).toString('utf8')),
    ];
    for (const text of values) {
      const reordered = JSON.stringify(sortDeep(JSON.parse(text)));
      expect(text).toBe(reordered);
    }
  });

  it('no name, ID number, employer or account appears in public state or events', async () => {
    const net = new TestNetwork();
    await scenario(net);
    const text = net.ledger.publicText();
    for (const secret of [
      ALICE_ID,
      BOB_ID,
      ALICE_NAME,
      '某某科技有限公司',
      '91350100M000100Y43',
      '110000123456789',
    ]) {
      expect(text).not.toContain(secret);
    }
    // Shanghai's collection holds only the seals of its own public records (copies of public values).
    const shanghai = [...net.ledger.collection(`_implicit_org_${SHANGHAI.mspId}`)];
    expect(shanghai.length).toBeGreaterThan(0);
    for (const [key, value] of shanghai) {
      expect(key.startsWith('seal~')).toBe(true);
      expect(
        Buffer.from(value).equals(net.ledger.state.get(key.slice('seal~'.length)) ?? Buffer.alloc(0)),
      ).toBe(true);
    }
    expect(net.ledger.collection(`_implicit_org_${REGULATOR.mspId}`).size).toBe(0);
  });

  it('keeps every range-query iterator closed', async () => {
    const net = new TestNetwork();
    await net.init();
    const { stub } = await net.submit(SHANGHAI.mspId, (ctx) =>
      net.withdrawal.Record(ctx, withdrawal('W-1', SHANGHAI.code)),
    );
    expect(stub.iterators.length).toBeGreaterThan(0);
    expect(stub.iterators.every((iterator) => iterator.closed)).toBe(true);
  });
});

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortDeep);
  }
  if (typeof value === 'object' && value !== null) {
    const object = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(object)
        .sort()
        .map((key) => [key, sortDeep(object[key])]),
    );
  }
  return value;
}

describe('round trips (documented in docs/rules.md)', () => {
  function counts(stub: { reads: string[]; rangeQueries: string[]; writes: Map<string, unknown> }): number[] {
    return [stub.reads.length, stub.rangeQueries.length, stub.writes.size];
  }

  it('Record withdrawal with one evidence item: 4 reads, 2 range queries, 3 writes', async () => {
    const net = new TestNetwork();
    await net.init();
    const { stub } = await net.submit(SHANGHAI.mspId, (ctx) =>
      net.withdrawal.Record(ctx, withdrawal('W-1', SHANGHAI.code)),
    );
    // Reads: the registry, the record (a replay?), the ban key, the account status (closures and
    // open transfer-outs in one key); ranges: the evidence hash's uses, the subject's withdrawals.
    expect(counts(stub)).toEqual([4, 2, 3]);
    const reversed = await net.submit(
      SHANGHAI.mspId,
      (ctx) =>
        net.withdrawal.Reverse(
          ctx,
          homeCentreOf(ctx.clientIdentity.getMSPID()),
          'W-1',
          JSON.stringify({ reasonHash: freeTextHash(PSEUDONYM_KEY, '重复录入') }),
        ),
      { transient: { reason: '重复录入' } },
    );
    expect(counts(reversed.stub)).toEqual([2, 0, 3]);
  });

  it('transfer steps read only the transfer; Accept and the steps that close or open an account also read its status', async () => {
    const net = new TestNetwork();
    await net.init();
    const requested = await request(net);
    expect(counts(requested.stub)).toEqual([2, 0, 4]);
    expect(requested.stub.privateWrites.size).toBe(2);
    expect(counts((await step(net, 'ACCEPT')).stub)).toEqual([2, 0, 6]);
    // Funds sent close the account: its history gets the event, its status the closure.
    expect(counts((await step(net, 'CONFIRM_OUT')).stub)).toEqual([2, 0, 7]);
    expect(counts((await step(net, 'DISPUTE')).stub)).toEqual([1, 0, 5]);
    expect(counts((await step(net, 'CONFIRM_OUT')).stub)).toEqual([1, 0, 5]);
    // Completion ends the transfer-out at the source and continues the account at the destination.
    expect(counts((await step(net, 'COMPLETE')).stub)).toEqual([3, 0, 7]);
  });
});
