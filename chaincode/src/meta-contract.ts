import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';

/** Name and version the chaincode reports; bumped with the package version. */
export const CHAINCODE_VERSION = '0.1.0';

/**
 * Operational transactions: a version query for readiness checks, a no-op evaluate and a trivial
 * put for benchmarks. They hold no business data.
 */
@Info({ title: 'meta', description: 'Version and liveness transactions' })
export class MetaContract extends Contract {
  constructor() {
    super('meta');
  }

  @Transaction(false)
  @Returns('string')
  public Version(): Promise<string> {
    return Promise.resolve(JSON.stringify({ name: 'hpf', version: CHAINCODE_VERSION }));
  }

  @Transaction(false)
  @Returns('string')
  public Noop(): Promise<string> {
    return Promise.resolve('');
  }

  /** Writes one small record keyed by the caller-chosen id; used to prove a commit and as the benchmark's trivial put. */
  @Transaction()
  @Returns('string')
  public async Ping(ctx: Context, id: string): Promise<string> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
      throw new Error('HPF:VALIDATION_FAILED: id must be 1-64 characters of [A-Za-z0-9_-]');
    }
    const seconds = ctx.stub.getTxTimestamp().seconds;
    const record = { at: new Date(Number(seconds) * 1000).toISOString(), by: ctx.clientIdentity.getMSPID(), id };
    const bytes = Buffer.from(JSON.stringify(record));
    await ctx.stub.putState(ctx.stub.createCompositeKey('ping', [id]), bytes);
    return bytes.toString('utf8');
  }

  @Transaction(false)
  @Returns('string')
  public async GetPing(ctx: Context, id: string): Promise<string> {
    const bytes = await ctx.stub.getState(ctx.stub.createCompositeKey('ping', [id]));
    if (bytes.length === 0) {
      throw new Error(`HPF:NOT_FOUND: no ping ${id}`);
    }
    return Buffer.from(bytes).toString('utf8');
  }
}
