import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';

import { canonicalJson, encodeJson } from './codec';
import { hpfError, invalid } from './domain/errors';
import { txTime } from './ledger';

/** Name and version the chaincode reports; bumped with the package version. */
export const CHAINCODE_VERSION = '0.1.0';

function pingKey(ctx: Context, id: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    throw invalid('id', 'must be 1-64 characters of [A-Za-z0-9_-]');
  }
  return ctx.stub.createCompositeKey('ping', [id]);
}

/**
 * Operational transactions: a version query for readiness checks, a no-op evaluate and a trivial
 * put for benchmarks. They hold no business data, and Ping deliberately emits no event so that it
 * stays the cheapest possible write.
 */
@Info({ title: 'meta', description: 'Version and liveness transactions' })
export class MetaContract extends Contract {
  constructor() {
    super('meta');
  }

  @Transaction(false)
  @Returns('string')
  public Version(): Promise<string> {
    return Promise.resolve(canonicalJson({ name: 'hpf', version: CHAINCODE_VERSION }));
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
    const key = pingKey(ctx, id);
    const bytes = encodeJson({ at: txTime(ctx), by: ctx.clientIdentity.getMSPID(), id });
    await ctx.stub.putState(key, bytes);
    return Buffer.from(bytes).toString('utf8');
  }

  @Transaction(false)
  @Returns('string')
  public async GetPing(ctx: Context, id: string): Promise<string> {
    const bytes = await ctx.stub.getState(pingKey(ctx, id));
    if (bytes.length === 0) {
      throw hpfError('NOT_FOUND', `id: no ping ${id}`);
    }
    return Buffer.from(bytes).toString('utf8');
  }
}
