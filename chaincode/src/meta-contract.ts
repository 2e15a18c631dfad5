import { Context, Info, Returns, Transaction } from 'fabric-contract-api';

import { canonicalJson, encodeJson, parseJson, type Json } from './codec';
import { hpfError, invalid } from './domain/errors';
import { allOfPeersPolicy, sealKey } from './endorsement';
import { readIndex, REGISTRY_KEY, txTime } from './ledger';
import { implicitCollection } from './private-texts';
import { LedgerContext, LedgerContract } from './batched-stub';

/** Name and version the chaincode reports; bumped with the package version. */
export const CHAINCODE_VERSION = '0.1.0';

function checkId(id: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    throw invalid('id', 'must be 1-64 characters of [A-Za-z0-9_-]');
  }
  return id;
}

function pingKey(ctx: Context, id: string): string {
  return ctx.stub.createCompositeKey('ping', [checkId(id)]);
}

/** The largest value Shape takes: a withdrawal record is well under 2 KiB. */
const SHAPE_VALUE_MAX_BYTES = 4096;

/**
 * Operational transactions: a version query for readiness checks, a no-op evaluate and a trivial
 * put for benchmarks. They hold no business data, and Ping deliberately emits no event so that it
 * stays the cheapest possible write.
 */
@Info({ title: 'meta', description: 'Version and liveness transactions' })
export class MetaContract extends LedgerContract {
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
  public async Ping(ctx: LedgerContext, id: string): Promise<string> {
    const key = pingKey(ctx, id);
    const bytes = encodeJson({ at: txTime(ctx), by: ctx.clientIdentity.getMSPID(), id });
    await ctx.stub.putState(key, bytes);
    return Buffer.from(bytes).toString('utf8');
  }

  /**
   * Benchmark only: the Fabric work of a withdrawal with one evidence hash, without its rules. One
   * multiple read of four keys (the registry and three absent ones), two range queries over empty
   * ranges, three public writes each with the caller's key-level policy, the first (`valueJson`, a
   * withdrawal record's JSON) sealed in the caller's implicit collection. No event: the gateways would
   * index and stream it, and a withdrawal's event (its record, about 1 KiB) is the one part of its
   * shape left out. Against a withdrawal it shows what the rules cost; against Ping, what the shape
   * costs in Fabric itself. Its keys hold no business data.
   */
  @Transaction()
  @Returns('string')
  public async Shape(ctx: LedgerContext, id: string, valueJson: string): Promise<string> {
    const key = (kind: string): string => ctx.stub.createCompositeKey('shape', [kind, checkId(id)]);
    if (Buffer.byteLength(valueJson, 'utf8') > SHAPE_VALUE_MAX_BYTES) {
      throw invalid('valueJson', `must be at most ${SHAPE_VALUE_MAX_BYTES} bytes`);
    }
    const value = parseJson(valueJson, 'valueJson');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw invalid('valueJson', 'must be a JSON object');
    }
    const bytes = encodeJson(value as Json);
    const mspId = ctx.clientIdentity.getMSPID();
    const reads = [REGISTRY_KEY, key('record'), key('bans'), key('account')];
    await ctx.prefetch(reads);
    for (const read of reads) await ctx.stub.getState(read);
    await readIndex(ctx, 'shape-evidence', [id]);
    await readIndex(ctx, 'shape-subject', [id]);
    const entry = encodeJson({ active: true, at: txTime(ctx), by: mspId });
    for (const [written, valueBytes] of [
      [key('record'), bytes],
      [key('evidence'), entry],
      [key('subject'), entry],
    ] as const) {
      await ctx.stub.putState(written, valueBytes);
      await ctx.stub.setStateValidationParameter(written, allOfPeersPolicy([mspId]));
    }
    await ctx.stub.putPrivateData(implicitCollection(mspId), sealKey(key('record')), bytes);
    return '';
  }

  @Transaction(false)
  @Returns('string')
  public async GetPing(ctx: LedgerContext, id: string): Promise<string> {
    const bytes = await ctx.stub.getState(pingKey(ctx, id));
    if (bytes.length === 0) {
      throw hpfError('NOT_FOUND', `id: no ping ${id}`);
    }
    return Buffer.from(bytes).toString('utf8');
  }
}
