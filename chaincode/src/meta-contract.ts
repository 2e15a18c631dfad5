import { Context, Info, Returns, Transaction } from 'fabric-contract-api';

import { canonicalJson, encodeJson, parseJson, type Json } from './codec';
import { hpfError, invalid } from './domain/errors';
import { allOfPeersPolicy, sealKey } from './endorsement';
import { readIndex, REGISTRY_KEY, txTime } from './ledger';
import { implicitCollection } from './private-texts';
import { SHAPE_PARTS, type ShapePart } from './shape-parts';
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

function shapePartsOf(text: string): ReadonlySet<ShapePart> {
  if (text === '') return new Set(SHAPE_PARTS);
  const parts = text.split(',');
  for (const part of parts) {
    if (!(SHAPE_PARTS as readonly string[]).includes(part)) {
      throw invalid('parts', `must be empty (all) or a comma-separated list of ${SHAPE_PARTS.join(', ')}`);
    }
  }
  return new Set(parts as ShapePart[]);
}

/** The largest value Shape takes: a withdrawal record is well under 2 KiB. */
const SHAPE_VALUE_MAX_BYTES = 4096;

function shapeValueOf(valueJson: string): Uint8Array {
  if (Buffer.byteLength(valueJson, 'utf8') > SHAPE_VALUE_MAX_BYTES) {
    throw invalid('valueJson', `must be at most ${SHAPE_VALUE_MAX_BYTES} bytes`);
  }
  const value = parseJson(valueJson, 'valueJson');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('valueJson', 'must be a JSON object');
  }
  return encodeJson(value as Json);
}

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
   * Benchmark only: the Fabric work of a withdrawal with one evidence hash, without its rules, in
   * parts (`parts`: empty for all, or a comma-separated subset): `reads`, one multiple read of four
   * keys (the registry and three absent ones); `ranges`, two range queries over empty ranges;
   * `writes`, three public writes, the first of `valueJson` (a withdrawal record's JSON); `policies`,
   * the caller's key-level policy on each of the three; `seal`, the value in the caller's implicit
   * collection. No event: the gateways would index and stream it, and a withdrawal's event (its
   * record, about 1 KiB) is the one part of its shape left out. Against a withdrawal it shows what the
   * rules cost; against Ping, what each part costs in Fabric itself. Its keys hold no business data.
   */
  @Transaction()
  @Returns('string')
  public async Shape(ctx: LedgerContext, id: string, valueJson: string, parts: string): Promise<string> {
    const key = (kind: string): string => ctx.stub.createCompositeKey('shape', [kind, checkId(id)]);
    const doing = shapePartsOf(parts);
    const bytes = shapeValueOf(valueJson);
    const mspId = ctx.clientIdentity.getMSPID();
    if (doing.has('reads')) {
      const reads = [REGISTRY_KEY, key('record'), key('bans'), key('account')];
      await ctx.prefetch(reads);
      for (const read of reads) await ctx.stub.getState(read);
    }
    if (doing.has('ranges')) {
      await readIndex(ctx, 'shape-evidence', [id]);
      await readIndex(ctx, 'shape-subject', [id]);
    }
    const entry = encodeJson({ active: true, at: txTime(ctx), by: mspId });
    for (const [written, valueBytes] of [
      [key('record'), bytes],
      [key('evidence'), entry],
      [key('subject'), entry],
    ] as const) {
      if (doing.has('writes')) await ctx.stub.putState(written, valueBytes);
      if (doing.has('policies'))
        await ctx.stub.setStateValidationParameter(written, allOfPeersPolicy([mspId]));
    }
    if (doing.has('seal')) {
      await ctx.stub.putPrivateData(implicitCollection(mspId), sealKey(key('record')), bytes);
    }
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
