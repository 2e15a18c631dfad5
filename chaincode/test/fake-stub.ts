/**
 * A typed in-memory fake of the parts of Fabric a chaincode sees: ChaincodeStub and ClientIdentity.
 * It models what matters for correctness: reads see only committed state (no read-your-writes,
 * as in Fabric), writes are applied on commit only, range queries and paginated partial composite
 * key queries return keys in order with Fabric-style bookmarks, private data lives per collection,
 * and each transaction's events and validation parameters are recorded.
 */
import { createHash } from 'node:crypto';

import { common, msp } from '@hyperledger/fabric-protos';
import type { Context } from 'fabric-contract-api';
import type {
  ChaincodeProposal,
  Iterators,
  SerializedIdentity,
  SplitCompositekey,
  StateQueryResponse,
  Timestamp,
} from 'fabric-shim';
import Long from 'long';

type ChaincodeStub = Context['stub'];
type ClientIdentity = Context['clientIdentity'];
type KV = Iterators.KV;

const MIN_UNICODE = '\u0000';
const MAX_UNICODE = '\u{10FFFF}';

/** Committed world state shared by every transaction of a test. */
export class FakeWorldState {
  public readonly state = new Map<string, Uint8Array>();
  public readonly validationParameters = new Map<string, Uint8Array>();
  public readonly privateData = new Map<string, Map<string, Uint8Array>>();
  public readonly events: { txId: string; name: string; payload: Uint8Array }[] = [];

  public sortedKeys(): string[] {
    return [...this.state.keys()].sort();
  }

  public collection(name: string): Map<string, Uint8Array> {
    let collection = this.privateData.get(name);
    if (collection === undefined) {
      collection = new Map();
      this.privateData.set(name, collection);
    }
    return collection;
  }

  /** Every byte the public ledger holds (keys, values, events), for personal-data scans. */
  public publicText(): string {
    const parts: string[] = [];
    for (const [key, value] of this.state) {
      parts.push(key, Buffer.from(value).toString('utf8'));
    }
    for (const event of this.events) {
      parts.push(Buffer.from(event.payload).toString('utf8'));
    }
    return parts.join('\n');
  }
}

export interface FakeTx {
  readonly txId: string;
  readonly epochMillis: number;
  readonly transient?: ReadonlyMap<string, Uint8Array>;
}

class FakeIterator implements Iterators.StateQueryIterator {
  #index = 0;
  public closed = false;

  constructor(private readonly items: readonly KV[]) {}

  public next(): Promise<Iterators.NextResult<KV>> {
    const item = this.items[this.#index];
    this.#index += 1;
    if (item === undefined) {
      // As on Fabric's peer, a query that has sent its last result is closed there and then.
      this.closed = true;
      return Promise.resolve({ value: { namespace: 'hpf', key: '', value: new Uint8Array() }, done: true });
    }
    return Promise.resolve({ value: item, done: false });
  }

  public close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

function asyncIterable<T>(
  promise: Promise<T>,
  iteratorOf: () => FakeIterator,
): Promise<T> & AsyncIterable<KV> {
  return Object.assign(promise, {
    async *[Symbol.asyncIterator](): AsyncGenerator<KV> {
      await promise;
      const iterator = iteratorOf();
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        yield next.value;
      }
      await iterator.close();
    },
  });
}

function notImplemented(name: string): never {
  throw new Error(`FakeStub: ${name} is not implemented`);
}

export class FakeStub implements ChaincodeStub {
  /** Pending public writes: bytes, or null for a delete. */
  public readonly writes = new Map<string, Uint8Array | null>();
  public readonly privateWrites = new Map<string, Map<string, Uint8Array>>();
  public readonly validationWrites = new Map<string, Uint8Array>();
  public readonly events: { name: string; payload: Uint8Array }[] = [];
  public readonly reads: string[] = [];
  public readonly rangeQueries: string[] = [];
  public readonly iterators: FakeIterator[] = [];
  /** Key-level policies as committed when this transaction was simulated; validation uses these. */
  public readonly policiesBefore: ReadonlyMap<string, Uint8Array>;
  /** Fabric's transaction simulator refuses to mix paginated queries and writes in one transaction. */
  #paginatedQueryDone = false;
  #writeDone = false;

  constructor(
    private readonly ledger: FakeWorldState,
    private readonly tx: FakeTx,
  ) {
    this.policiesBefore = new Map(ledger.validationParameters);
  }

  /** The peer's refusal (a rejected call, as through fabric-shim) of a write after a paginated query. */
  #writeRefusal(): Error | undefined {
    if (this.#paginatedQueryDone) {
      return new Error(
        `txid [${this.tx.txId}]: unsuppored transaction. Transaction has already performed a paginated query. Writes are not allowed`,
      );
    }
    this.#writeDone = true;
    return undefined;
  }

  #paginatedQueryRefusal(): Error | undefined {
    if (this.#writeDone) {
      return new Error(
        `txid [${this.tx.txId}]: unsuppored transaction. Paginated queries are supported only in a read-only transaction`,
      );
    }
    this.#paginatedQueryDone = true;
    return undefined;
  }

  /** Applies the write set to the ledger, as a valid commit would. */
  public commit(): void {
    for (const [key, value] of this.writes) {
      if (value === null) {
        this.ledger.state.delete(key);
      } else {
        this.ledger.state.set(key, value);
      }
    }
    for (const [key, policy] of this.validationWrites) {
      this.ledger.validationParameters.set(key, policy);
    }
    for (const [collection, writes] of this.privateWrites) {
      for (const [key, value] of writes) {
        this.ledger.collection(collection).set(key, value);
      }
    }
    // Fabric keeps only the last event a transaction set.
    const event = this.events.at(-1);
    if (event !== undefined) {
      this.ledger.events.push({ txId: this.tx.txId, ...event });
    }
  }

  public getTxID(): string {
    return this.tx.txId;
  }

  public getChannelID(): string {
    return 'hpf';
  }

  public getTxTimestamp(): Timestamp {
    const seconds = Math.floor(this.tx.epochMillis / 1000);
    return { seconds: Long.fromNumber(seconds, true), nanos: (this.tx.epochMillis % 1000) * 1_000_000 };
  }

  public getDateTimestamp(): Date {
    return new Date(this.tx.epochMillis);
  }

  public getTransient(): Map<string, Uint8Array> {
    return new Map(this.tx.transient ?? []);
  }

  public getState(key: string): Promise<Uint8Array> {
    this.reads.push(key);
    return Promise.resolve(this.ledger.state.get(key) ?? new Uint8Array());
  }

  public putState(key: string, value: Uint8Array): Promise<void> {
    if (value.length === 0) {
      throw new Error('FakeStub: putState with an empty value is a delete in Fabric; use deleteState');
    }
    const refusal = this.#writeRefusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    this.writes.set(key, Buffer.from(value));
    return Promise.resolve();
  }

  public deleteState(key: string): Promise<void> {
    const refusal = this.#writeRefusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    this.writes.set(key, null);
    return Promise.resolve();
  }

  public setStateValidationParameter(key: string, ep: Uint8Array): Promise<void> {
    const refusal = this.#writeRefusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    this.validationWrites.set(key, ep);
    return Promise.resolve();
  }

  public getStateValidationParameter(key: string): Promise<Uint8Array> {
    return Promise.resolve(this.ledger.validationParameters.get(key) ?? new Uint8Array());
  }

  #range(startKey: string, endKey: string): KV[] {
    return this.ledger
      .sortedKeys()
      .filter((key) => key >= startKey && key < endKey)
      .map((key) => ({ namespace: 'hpf', key, value: this.ledger.state.get(key) ?? new Uint8Array() }));
  }

  #iterator(items: readonly KV[]): FakeIterator {
    const iterator = new FakeIterator(items);
    this.iterators.push(iterator);
    return iterator;
  }

  /** As fabric-shim: a simple-key range may not reach into the composite-key namespace (U+0000). */
  public getStateByRange(
    startKey: string,
    endKey: string,
  ): Promise<Iterators.StateQueryIterator> & AsyncIterable<KV> {
    for (const key of [startKey, endKey]) {
      if (key.startsWith(MIN_UNICODE)) {
        const error = new Error(
          `first character of the key [${key}] contains a null character which is not allowed`,
        );
        return asyncIterable(Promise.reject(error), () => this.#iterator([]));
      }
    }
    return this.#rangeQuery(startKey === '' ? '\u0001' : startKey, endKey);
  }

  #rangeQuery(startKey: string, endKey: string): Promise<Iterators.StateQueryIterator> & AsyncIterable<KV> {
    this.rangeQueries.push(startKey);
    const iterator = this.#iterator(this.#range(startKey, endKey));
    return asyncIterable(Promise.resolve(iterator), () => iterator);
  }

  public getStateByPartialCompositeKey(
    objectType: string,
    attributes: string[],
  ): Promise<Iterators.StateQueryIterator> & AsyncIterable<KV> {
    const start = this.createCompositeKey(objectType, attributes);
    return this.#rangeQuery(start, start + MAX_UNICODE);
  }

  public getStateByPartialCompositeKeyWithPagination(
    objectType: string,
    attributes: string[],
    pageSize: number,
    bookmark?: string,
  ): Promise<StateQueryResponse<Iterators.StateQueryIterator>> & AsyncIterable<KV> {
    const start = this.createCompositeKey(objectType, attributes);
    const refusal = this.#paginatedQueryRefusal();
    if (refusal !== undefined) {
      return asyncIterable(Promise.reject(refusal), () => this.#iterator([]));
    }
    this.rangeQueries.push(start);
    const all = this.#range(
      bookmark !== undefined && bookmark !== '' ? bookmark : start,
      start + MAX_UNICODE,
    );
    const page = all.slice(0, pageSize);
    const iterator = this.#iterator(page);
    const metadata = { fetchedRecordsCount: page.length, bookmark: all[pageSize]?.key ?? '' };
    // The peer sends QueryResponseMetadata as bytes; an empty page with no bookmark serialises to zero
    // bytes, and fabric-shim then leaves `metadata` out of the response altogether (the typings say
    // otherwise). A chaincode that reads `metadata.bookmark` unguarded crashes on Fabric here.
    const response = (
      metadata.fetchedRecordsCount === 0 && metadata.bookmark === '' ? { iterator } : { iterator, metadata }
    ) as StateQueryResponse<Iterators.StateQueryIterator>;
    return asyncIterable(Promise.resolve(response), () => iterator);
  }

  public setEvent(name: string, payload: Uint8Array): void {
    if (name === '') {
      throw new Error('Event name must be a non-empty string');
    }
    this.events.push({ name, payload: Buffer.from(payload) });
  }

  /** As fabric-shim: the object type and every attribute must be non-empty strings. */
  public createCompositeKey(objectType: string, attributes: string[]): string {
    for (const part of [objectType, ...attributes]) {
      if (typeof part !== 'string' || part.length === 0) {
        throw new Error('object type or attribute not a non-zero length string');
      }
    }
    return [
      MIN_UNICODE,
      objectType,
      MIN_UNICODE,
      ...attributes.map((attribute) => attribute + MIN_UNICODE),
    ].join('');
  }

  public splitCompositeKey(compositeKey: string): SplitCompositekey {
    const parts = compositeKey.split(MIN_UNICODE).slice(1, -1);
    return { objectType: parts[0] ?? '', attributes: parts.slice(1) };
  }

  public getPrivateData(collection: string, key: string): Promise<Uint8Array> {
    return Promise.resolve(this.ledger.collection(collection).get(key) ?? new Uint8Array());
  }

  /** The SHA-256 of the committed private value, as every peer holds it (members or not); empty when none. */
  public getPrivateDataHash(collection: string, key: string): Promise<Uint8Array> {
    const value = this.ledger.collection(collection).get(key);
    return Promise.resolve(
      value === undefined ? new Uint8Array() : createHash('sha256').update(value).digest(),
    );
  }

  public putPrivateData(collection: string, key: string, value: Uint8Array): Promise<void> {
    let writes = this.privateWrites.get(collection);
    if (writes === undefined) {
      writes = new Map();
      this.privateWrites.set(collection, writes);
    }
    const refusal = this.#writeRefusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    writes.set(key, Buffer.from(value));
    return Promise.resolve();
  }

  /** The keys this transaction writes (puts and deletes), for the endorsement simulation. */
  public writtenKeys(): string[] {
    return [...this.writes.keys()];
  }

  public getArgs(): string[] {
    return notImplemented('getArgs');
  }
  public getStringArgs(): string[] {
    return notImplemented('getStringArgs');
  }
  public getFunctionAndParameters(): { params: string[]; fcn: string } {
    return notImplemented('getFunctionAndParameters');
  }
  public getCreator(): SerializedIdentity {
    return notImplemented('getCreator');
  }
  public getMspID(): string {
    return notImplemented('getMspID');
  }
  public getSignedProposal(): ChaincodeProposal.SignedProposal {
    return notImplemented('getSignedProposal');
  }
  public getBinding(): string {
    return notImplemented('getBinding');
  }
  public getStateByRangeWithPagination(): never {
    return notImplemented('getStateByRangeWithPagination');
  }
  public getQueryResult(): never {
    return notImplemented('getQueryResult (CouchDB rich queries are not used)');
  }
  public getQueryResultWithPagination(): never {
    return notImplemented('getQueryResultWithPagination');
  }
  public getHistoryForKey(): never {
    return notImplemented('getHistoryForKey');
  }
  public invokeChaincode(): never {
    return notImplemented('invokeChaincode');
  }
  public deletePrivateData(): never {
    return notImplemented('deletePrivateData');
  }
  public purgePrivateData(): never {
    return notImplemented('purgePrivateData');
  }
  public setPrivateDataValidationParameter(): never {
    return notImplemented('setPrivateDataValidationParameter');
  }
  public getPrivateDataValidationParameter(): never {
    return notImplemented('getPrivateDataValidationParameter');
  }
  public getPrivateDataByRange(): never {
    return notImplemented('getPrivateDataByRange');
  }
  public getPrivateDataByPartialCompositeKey(): never {
    return notImplemented('getPrivateDataByPartialCompositeKey');
  }
  public getPrivateDataQueryResult(): never {
    return notImplemented('getPrivateDataQueryResult');
  }
}

export class FakeClientIdentity implements ClientIdentity {
  constructor(private readonly mspId: string) {}

  public getMSPID(): string {
    return this.mspId;
  }
  public getID(): string {
    return `x509::CN=operator,OU=client::CN=ca.${this.mspId.toLowerCase()}`;
  }
  public getIDBytes(): Uint8Array {
    return Buffer.from(this.getID());
  }
  public getAttributeValue(): string | null {
    return null;
  }
  public assertAttributeValue(): boolean {
    return false;
  }
}

// ---- endorsement policy evaluation ---------------------------------------------------------------

function ruleSatisfied(
  rule: common.SignaturePolicy,
  identities: readonly string[],
  endorsers: ReadonlySet<string>,
): boolean {
  if (rule.hasSignedBy()) {
    const mspId = identities[rule.getSignedBy()];
    return mspId !== undefined && endorsers.has(mspId);
  }
  const nOutOf = rule.getNOutOf();
  if (nOutOf === undefined) {
    return false;
  }
  const satisfied = nOutOf.getRulesList().filter((sub) => ruleSatisfied(sub, identities, endorsers)).length;
  return satisfied >= nOutOf.getN();
}

/** Decodes a SignaturePolicyEnvelope: its PEER-role MSP IDs and N of the top-level NOutOf. */
export function describePolicy(bytes: Uint8Array): { mspIds: string[]; n: number; roles: number[] } {
  const envelope = common.SignaturePolicyEnvelope.deserializeBinary(bytes);
  const roles = envelope
    .getIdentitiesList()
    .map((principal) => msp.MSPRole.deserializeBinary(principal.getPrincipal_asU8()));
  return {
    mspIds: roles.map((role) => role.getMspIdentifier()),
    n: envelope.getRule()?.getNOutOf()?.getN() ?? 0,
    roles: roles.map((role) => role.getRole()),
  };
}

export function policySatisfied(bytes: Uint8Array, endorsers: readonly string[]): boolean {
  const envelope = common.SignaturePolicyEnvelope.deserializeBinary(bytes);
  const identities = envelope
    .getIdentitiesList()
    .map((principal) => msp.MSPRole.deserializeBinary(principal.getPrincipal_asU8()).getMspIdentifier());
  const rule = envelope.getRule();
  return rule !== undefined && ruleSatisfied(rule, identities, new Set(endorsers));
}

/**
 * Would a transaction with this write set and these endorsing orgs pass validation? Keys with a
 * committed key-level policy need it; every other key needs the chaincode-level policy, which the
 * network sets to OutOf(2, every org's peer); a write to an org's implicit collection needs that org.
 */
export function wouldValidate(stub: FakeStub, endorsers: readonly string[]): boolean {
  // A key-level policy change is a write of the key's metadata: it needs the key's current policy too.
  const keys = new Set([...stub.writtenKeys(), ...stub.validationWrites.keys()]);
  const publicValid = [...keys].every((key) => {
    const policy = stub.policiesBefore.get(key);
    return policy === undefined ? new Set(endorsers).size >= 2 : policySatisfied(policy, endorsers);
  });
  // Fabric gives each org's implicit collection that org's own Endorsement policy, so a write to
  // `_implicit_org_<MSP>` validates only when <MSP>'s peer endorsed (found on the real network: a transfer
  // Request endorsed by the destination and the regulator is invalidated, ENDORSEMENT_POLICY_FAILURE).
  const privateValid = [...stub.privateWrites.keys()].every((collection) => {
    const owner = /^_implicit_org_(.+)$/.exec(collection)?.[1];
    return owner === undefined || endorsers.includes(owner);
  });
  return publicValid && privateValid;
}
