import { peer } from '@hyperledger/fabric-protos';
import { Context, Contract } from 'fabric-contract-api';

import type { Stub } from './ledger';

/**
 * Fewer round trips between the chaincode server and its peer: a transaction's writes go in one
 * message when the transaction function has returned, and the point reads it knows in advance in one
 * message at its start.
 *
 * fabric-shim sends every `putState`, `deleteState`, `putPrivateData` and key-level policy to the
 * peer as its own message and waits for the answer before the next one (its queue is per
 * transaction). A withdrawal makes seven such writes on each endorser. Fabric's peer (v3.1 and
 * later) also takes them as one `WRITE_BATCH_STATE` message, which it applies in order, record by
 * record, exactly as it applies the single messages: the read-write set is the same. fabric-shim
 * 2.5 has no API for it, so the batch is sent through the stub's own message handler
 * (docs/decisions/0244-writes-in-one-message.md).
 *
 * Reads are unaffected: Fabric's simulator never lets a transaction read its own writes, so holding
 * the writes back until the end changes no value a read returns. Likewise `GET_STATE_MULTIPLE` reads
 * several keys in one message and puts each in the read set with its version, as `GET_STATE` does;
 * a later `getState` of a prefetched key answers from what the peer sent.
 */

/** One buffered write, in the order the contract made it. */
export type Write =
  | { readonly kind: 'put'; readonly collection: string; readonly key: string; readonly value: Uint8Array }
  | { readonly kind: 'delete'; readonly collection: string; readonly key: string }
  | { readonly kind: 'purge'; readonly collection: string; readonly key: string }
  | {
      readonly kind: 'policy';
      readonly collection: string;
      readonly key: string;
      readonly policy: Uint8Array;
    };

/** The peer's default limit on the keys of one multiple read (`chaincode.runtimeParams.maxSizeGetMultipleKeys`). */
export const MAX_MULTIPLE_KEYS = 1000;

/**
 * The two message types of Fabric's chaincode protocol this module sends (`ChaincodeMessage.Type` in
 * fabric-protos' peer/chaincode_shim.proto), by number: generated protobuf classes share one global
 * namespace, and fabric-shim's older copy of them, loaded first in a chaincode server, keeps its
 * `ChaincodeMessage` class, whose enum has neither name.
 */
export const WRITE_BATCH_STATE = 24;
export const GET_STATE_MULTIPLE = 25;

/** The metadata key Fabric stores a key-level endorsement policy under (as fabric-shim names it). */
const VALIDATION_PARAMETER = 'VALIDATION_PARAMETER';

/** The peer's default limit on the records of one batch (`chaincode.runtimeParams.maxSizeWriteBatch`). */
export const MAX_BATCH_RECORDS = 1000;

/** The part of fabric-shim's message handler the batch uses (present on a real stub, not on a fake). */
interface ShimHandler {
  _askPeerAndListen(message: peer.ChaincodeMessage, method: string): Promise<unknown>;
}

interface ShimStub {
  readonly handler?: unknown;
  readonly channel_id?: unknown;
  readonly txId?: unknown;
}

function shimHandlerOf(stub: Stub): { handler: ShimHandler; channelId: string; txId: string } | undefined {
  const { handler, channel_id: channelId, txId } = stub as unknown as ShimStub;
  if (
    typeof handler === 'object' &&
    handler !== null &&
    typeof (handler as Partial<ShimHandler>)._askPeerAndListen === 'function' &&
    typeof channelId === 'string' &&
    typeof txId === 'string'
  ) {
    return { handler: handler as ShimHandler, channelId, txId };
  }
  return undefined;
}

type Shim = NonNullable<ReturnType<typeof shimHandlerOf>>;

/** Sends one message of the transaction to the peer through fabric-shim's queue; its answer's payload. */
function ask(shim: Shim, type: number, payload: Uint8Array, method: string): Promise<unknown> {
  const message = new peer.ChaincodeMessage();
  message.setType(type as peer.ChaincodeMessage.TypeMap[keyof peer.ChaincodeMessage.TypeMap]);
  message.setPayload(payload);
  message.setTxid(shim.txId);
  message.setChannelId(shim.channelId);
  return shim.handler._askPeerAndListen(message, method);
}

function validCollection(collection: unknown): string {
  if (typeof collection !== 'string' || collection === '')
    throw new Error('collection must be a valid string');
  return collection;
}

function validKey(key: unknown): string {
  if (typeof key !== 'string' || key === '') throw new Error('key must be a valid string');
  return key;
}

function bytesOf(value: Uint8Array | string): Uint8Array {
  return typeof value === 'string' ? Buffer.from(value) : value;
}

/** The records of one WRITE_BATCH_STATE message, as the peer's handler reads them. */
export function writeRecordOf(write: Write): peer.WriteRecord {
  const record = new peer.WriteRecord();
  record.setKey(write.key);
  record.setCollection(write.collection);
  switch (write.kind) {
    case 'put':
      record.setType(peer.WriteRecord.Type.PUT_STATE);
      record.setValue(write.value);
      break;
    case 'delete':
      record.setType(peer.WriteRecord.Type.DEL_STATE);
      break;
    case 'purge':
      record.setType(peer.WriteRecord.Type.PURGE_PRIVATE_DATA);
      break;
    case 'policy': {
      const metadata = new peer.StateMetadata();
      metadata.setMetakey(VALIDATION_PARAMETER);
      metadata.setValue(write.policy);
      record.setType(peer.WriteRecord.Type.PUT_STATE_METADATA);
      record.setMetadata(metadata);
      break;
    }
  }
  return record;
}

/** Applies writes one call each, as a stub without a batch (the unit tests' fake) takes them. */
async function applyOneByOne(stub: Stub, writes: readonly Write[]): Promise<void> {
  for (const write of writes) {
    switch (write.kind) {
      case 'put':
        if (write.collection === '') await stub.putState(write.key, write.value);
        else await stub.putPrivateData(write.collection, write.key, write.value);
        break;
      case 'delete':
        if (write.collection === '') await stub.deleteState(write.key);
        else await stub.deletePrivateData(write.collection, write.key);
        break;
      case 'purge':
        await stub.purgePrivateData(write.collection, write.key);
        break;
      case 'policy':
        if (write.collection === '') await stub.setStateValidationParameter(write.key, write.policy);
        else await stub.setPrivateDataValidationParameter(write.collection, write.key, write.policy);
        break;
    }
  }
}

/** Reads keys in messages of at most MAX_MULTIPLE_KEYS keys; a stub without a handler, one by one. */
async function readMultiple(stub: Stub, keys: readonly string[]): Promise<Uint8Array[]> {
  const shim = shimHandlerOf(stub);
  if (shim === undefined) {
    const values: Uint8Array[] = [];
    for (const key of keys) values.push(await stub.getState(key));
    return values;
  }
  const values: Uint8Array[] = [];
  for (let start = 0; start < keys.length; start += MAX_MULTIPLE_KEYS) {
    const chunk = keys.slice(start, start + MAX_MULTIPLE_KEYS);
    const request = new peer.GetStateMultiple();
    request.setKeysList([...chunk]);
    request.setCollection('');
    const answer = await ask(shim, GET_STATE_MULTIPLE, request.serializeBinary(), 'GetStateMultiple');
    const result = peer.GetStateMultipleResult.deserializeBinary(answer as Uint8Array).getValuesList_asU8();
    // Fabric answers a failed database read with no values at all: never take that for "absent".
    if (result.length !== chunk.length) {
      throw new Error(`GetStateMultiple: the peer answered ${result.length} values for ${chunk.length} keys`);
    }
    values.push(...result);
  }
  return values;
}

/** A stub that batches: see `batchWrites`. */
export interface BatchedStub {
  readonly stub: Stub;
  /** Sends the held writes; the number of messages sent (calls, on a stub without a handler). */
  readonly flush: () => Promise<number>;
  /** Reads these keys now, in one message; a later `getState` of one of them answers from memory. */
  readonly prefetch: (keys: readonly string[]) => Promise<void>;
}

/**
 * A stub whose write calls are held back, and the functions that send them and prefetch reads.
 * Every other member is the stub's own.
 */
export function batchWrites(stub: Stub): BatchedStub {
  const writes: Write[] = [];
  const prefetched = new Map<string, Uint8Array>();
  const hold = (write: Write): Promise<void> => {
    writes.push(write);
    return Promise.resolve();
  };
  const held: Partial<Record<keyof Stub, unknown>> = {
    getState: (key: string): Promise<Uint8Array> => {
      const value = prefetched.get(key);
      return value === undefined ? stub.getState(key) : Promise.resolve(value);
    },
    putState: (key: string, value: Uint8Array) =>
      hold({ kind: 'put', collection: '', key, value: bytesOf(value) }),
    deleteState: (key: string) => hold({ kind: 'delete', collection: '', key }),
    setStateValidationParameter: (key: string, policy: Uint8Array) =>
      hold({ kind: 'policy', collection: '', key, policy }),
    putPrivateData: (collection: string, key: string, value: Uint8Array) => {
      const coll = validCollection(collection);
      const k = validKey(key);
      if (!(value as unknown)) throw new Error('value must be valid');
      return hold({ kind: 'put', collection: coll, key: k, value: bytesOf(value) });
    },
    deletePrivateData: (collection: string, key: string) =>
      hold({ kind: 'delete', collection: validCollection(collection), key: validKey(key) }),
    purgePrivateData: (collection: string, key: string) =>
      hold({ kind: 'purge', collection: validCollection(collection), key: validKey(key) }),
    setPrivateDataValidationParameter: (collection: string, key: string, policy: Uint8Array) =>
      hold({ kind: 'policy', collection, key, policy }),
  };
  const proxy = new Proxy(stub, {
    get(target, property, receiver) {
      if (typeof property === 'string' && property in held) return held[property as keyof Stub];
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });

  const flush = async (): Promise<number> => {
    const pending = writes.splice(0, writes.length);
    if (pending.length === 0) return 0;
    const shim = shimHandlerOf(stub);
    if (shim === undefined) {
      await applyOneByOne(stub, pending);
      return pending.length;
    }
    let messages = 0;
    for (let start = 0; start < pending.length; start += MAX_BATCH_RECORDS) {
      const batch = new peer.WriteBatchState();
      batch.setRecList(pending.slice(start, start + MAX_BATCH_RECORDS).map(writeRecordOf));
      await ask(shim, WRITE_BATCH_STATE, batch.serializeBinary(), 'WriteBatchState');
      messages += 1;
    }
    return messages;
  };
  const prefetch = async (keys: readonly string[]): Promise<void> => {
    const wanted = [...new Set(keys)].filter((key) => !prefetched.has(key));
    if (wanted.length === 0) return;
    const values = await readMultiple(stub, wanted);
    wanted.forEach((key, index) => prefetched.set(key, values[index] ?? new Uint8Array()));
  };
  return { stub: proxy, flush, prefetch };
}

/** The context every contract of this chaincode creates: its stub holds writes back until `flushWrites`. */
export class LedgerContext extends Context {
  #batched: BatchedStub | undefined;

  /** fabric-shim's contract dispatcher calls this with the transaction's stub (untyped in its API). */
  public setChaincodeStub(stub: Stub): void {
    this.#batched = batchWrites(stub);
    this.stub = this.#batched.stub;
  }

  /** Sends the held writes; returns the number of messages sent (0 when there were none). */
  public async flushWrites(): Promise<number> {
    return this.#batched === undefined ? 0 : this.#batched.flush();
  }

  /** Reads these public keys in one message now; see `BatchedStub.prefetch`. */
  public async prefetch(keys: readonly string[]): Promise<void> {
    if (this.#batched !== undefined) await this.#batched.prefetch(keys);
  }
}

/**
 * Reads, in one round trip, point keys the transaction is about to read one by one. The keys must
 * be ones the transaction reads anyway on its main path: each lands in the read set, so a key read
 * only here would make the transaction fail on a concurrent change it does not depend on.
 */
export async function prefetchStates(ctx: Context, keys: readonly string[]): Promise<void> {
  if (ctx instanceof LedgerContext) await ctx.prefetch(keys);
}

/**
 * The base of every contract here: fabric-contract-api creates a `LedgerContext` for each
 * transaction and calls `afterTransaction` once the function has returned without error (a function
 * that throws fails the proposal, and its held writes are dropped with it).
 */
export class LedgerContract extends Contract {
  public override createContext(): LedgerContext {
    return new LedgerContext();
  }

  public override async afterTransaction(ctx: Context, _result: unknown): Promise<void> {
    if (ctx instanceof LedgerContext) await ctx.flushWrites();
  }
}
