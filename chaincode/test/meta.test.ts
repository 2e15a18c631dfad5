import { BEIJING, expectHpf, TestNetwork } from './harness';
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
