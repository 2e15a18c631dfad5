import { BEIJING, expectHpf, REGULATOR, SHANGHAI, TestNetwork } from './harness';
import { CHAINCODE_VERSION } from '../src/meta-contract';
import { contracts } from '../src';

describe('meta', () => {
  it('reports the version as canonical JSON', async () => {
    const net = new TestNetwork();
    expect(await net.evaluate(BEIJING.mspId, () => net.meta.Version())).toBe(
      `{"name":"hpf","version":"${CHAINCODE_VERSION}"}`,
    );
    expect(await net.evaluate(BEIJING.mspId, () => net.meta.Noop())).toBe('');
  });

  it('Ping writes a small record read back by GetPing', async () => {
    const net = new TestNetwork();
    const { result } = await net.submit(BEIJING.mspId, (ctx) => net.meta.Ping(ctx, 'bench-1'), {
      noEvent: true,
    });
    expect(result).toBe('{"at":"2026-11-20T02:00:01.000Z","by":"C110000MSP","id":"bench-1"}');
    expect(await net.evaluate(BEIJING.mspId, (ctx) => net.meta.GetPing(ctx, 'bench-1'))).toBe(result);
    await expectHpf(
      net.evaluate(BEIJING.mspId, (ctx) => net.meta.GetPing(ctx, 'none')),
      'NOT_FOUND',
    );
    await expectHpf(
      net.evaluate(BEIJING.mspId, (ctx) => net.meta.Ping(ctx, 'bad id')),
      'VALIDATION_FAILED',
      'id:',
    );
  });

  it("Shape does a withdrawal's Fabric work without its rules: 4 reads, 2 range queries, 3 owned writes, a seal", async () => {
    const net = new TestNetwork();
    await net.init();
    const value = JSON.stringify({ attestationId: 'withdrawal:110000:RH-1', amount: 1, status: 'RECORDED' });
    const { stub } = await net.submit(BEIJING.mspId, (ctx) => net.meta.Shape(ctx, 'bench-1', value, ''), {
      noEvent: true,
      endorsers: [BEIJING.mspId, REGULATOR.mspId],
    });
    const printable = (key: string): string => key.replaceAll('\u0000', '|');
    expect(stub.reads.map(printable)).toEqual([
      'registry',
      '|shape|record|bench-1|',
      '|shape|bans|bench-1|',
      '|shape|account|bench-1|',
    ]);
    expect(stub.rangeQueries).toHaveLength(2);
    const written = [...stub.writes.keys()].map(printable).sort();
    expect(written).toEqual([
      '|shape|evidence|bench-1|',
      '|shape|record|bench-1|',
      '|shape|subject|bench-1|',
    ]);
    expect([...stub.validationWrites.keys()].map(printable).sort()).toEqual(written);
    const recordKey = [...stub.writes.keys()].find((key) => key.includes('record'))!;
    expect(Buffer.from(stub.writes.get(recordKey)!).toString()).toBe(
      '{"amount":1,"attestationId":"withdrawal:110000:RH-1","status":"RECORDED"}',
    );
    expect([...(stub.privateWrites.get('_implicit_org_C110000MSP')?.keys() ?? [])].map(printable)).toEqual([
      'seal~|shape|record|bench-1|',
    ]);
    // Only the caller's peer may change those keys now, as with a withdrawal's.
    await expect(
      net.submit(BEIJING.mspId, (ctx) => net.meta.Shape(ctx, 'bench-1', value, ''), {
        noEvent: true,
        endorsers: [SHANGHAI.mspId, REGULATOR.mspId],
      }),
    ).rejects.toThrow('ENDORSEMENT_POLICY_FAILURE');
  });

  it('Shape does only the parts asked for', async () => {
    const net = new TestNetwork();
    await net.init();
    const { stub } = await net.submit(
      BEIJING.mspId,
      (ctx) => net.meta.Shape(ctx, 'p-1', '{"a":1}', 'ranges,writes'),
      {
        noEvent: true,
      },
    );
    expect(stub.reads).toEqual([]);
    expect(stub.rangeQueries).toHaveLength(2);
    expect(stub.writes.size).toBe(3);
    expect(stub.validationWrites.size).toBe(0);
    expect(stub.privateWrites.size).toBe(0);
  });

  it('Shape refuses a bad id, a value that is no JSON object or over 4 KiB, and unknown parts, writing nothing', async () => {
    const net = new TestNetwork();
    await net.init();
    const refused: [string, string, string, string][] = [
      ['bad id', '{}', '', 'id:'],
      ['ok', '[1]', '', 'valueJson:'],
      ['ok', 'not json', '', 'valueJson'],
      ['ok', JSON.stringify({ filler: 'x'.repeat(4100) }), '', 'valueJson:'],
      ['ok', '{}', 'reads,events', 'parts:'],
      ['ok', '{}', 'reads,', 'parts:'],
    ];
    for (const [id, value, parts, field] of refused) {
      await expectHpf(
        net.submit(BEIJING.mspId, (ctx) => net.meta.Shape(ctx, id, value, parts), { noEvent: true }),
        'VALIDATION_FAILED',
        field,
      );
    }
    expect([...net.ledger.state.keys()].filter((key) => key.includes('shape'))).toEqual([]);
  });

  it('exports the seven contracts, meta first (the default)', () => {
    expect(contracts.map((contract) => new contract().getName())).toEqual([
      'meta',
      'registry',
      'transfer',
      'withdrawal',
      'audit',
      'certificate',
      'ban',
    ]);
  });
});
