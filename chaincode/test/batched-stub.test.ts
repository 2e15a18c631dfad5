import 'reflect-metadata';
// As in a chaincode server: fabric-shim (and its older generated protobuf classes) loads first.
import 'fabric-shim';

import { peer } from '@hyperledger/fabric-protos';

import type { Stub } from '../src/ledger';
import { contracts } from '../src';
import {
  batchWrites,
  GET_STATE_MULTIPLE,
  LedgerContext,
  LedgerContract,
  MAX_BATCH_RECORDS,
  WRITE_BATCH_STATE,
} from '../src/batched-stub';
import { FakeStub, FakeWorldState } from './fake-stub';

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

interface Sent {
  type: number;
  txId: string;
  channelId: string;
  method: string;
  records: peer.WriteRecord[];
  keys: string[];
}

/** A stub with fabric-shim's message handler: what a batch puts on the wire, decoded; a peer's answers. */
function shimStub(
  answer?: (message: peer.ChaincodeMessage) => Promise<unknown>,
  state: ReadonlyMap<string, string> = new Map(),
): { stub: Stub; sent: Sent[]; direct: string[] } {
  const sent: Sent[] = [];
  const direct: string[] = [];
  const peerAnswer = (message: peer.ChaincodeMessage): Promise<unknown> => {
    if (message.getType() !== GET_STATE_MULTIPLE) return Promise.resolve(Buffer.alloc(0));
    const result = new peer.GetStateMultipleResult();
    const keys = peer.GetStateMultiple.deserializeBinary(message.getPayload_asU8()).getKeysList();
    result.setValuesList(keys.map((key) => bytes(state.get(key) ?? '')));
    return Promise.resolve(Buffer.from(result.serializeBinary()));
  };
  const handler = {
    _askPeerAndListen(message: peer.ChaincodeMessage, method: string): Promise<unknown> {
      const batch = message.getType() === WRITE_BATCH_STATE;
      sent.push({
        type: message.getType(),
        txId: message.getTxid(),
        channelId: message.getChannelId(),
        method,
        records: batch ? peer.WriteBatchState.deserializeBinary(message.getPayload_asU8()).getRecList() : [],
        keys: batch ? [] : peer.GetStateMultiple.deserializeBinary(message.getPayload_asU8()).getKeysList(),
      });
      return (answer ?? peerAnswer)(message);
    },
  };
  const record = (name: string) => (): Promise<void> => {
    direct.push(name);
    return Promise.resolve();
  };
  const stub = {
    handler,
    channel_id: 'hpf',
    txId: 'tx-1',
    getState: (key: string) => {
      direct.push(`getState ${key}`);
      return Promise.resolve(bytes(`committed ${key}`));
    },
    getTxID: () => 'tx-1',
    putState: record('putState'),
    deleteState: record('deleteState'),
    putPrivateData: record('putPrivateData'),
    setStateValidationParameter: record('setStateValidationParameter'),
  } as unknown as Stub;
  return { stub, sent, direct };
}

describe('writes held back and sent in one message (WRITE_BATCH_STATE)', () => {
  it("uses the protocol's numbers for the two message types (fabric-shim's protos, loaded first, lack their names)", () => {
    expect([WRITE_BATCH_STATE, GET_STATE_MULTIPLE]).toEqual([24, 25]);
    expect(peer.ChaincodeMessage.Type.PUT_STATE).toBe(9);
  });

  it('sends every write of a transaction, in order, as one batch the peer applies record by record', async () => {
    const { stub, sent, direct } = shimStub();
    const batched = batchWrites(stub);
    await batched.stub.putState('withdrawal|110000|W-1|', bytes('{"a":1}'));
    await batched.stub.setStateValidationParameter('withdrawal|110000|W-1|', bytes('policy'));
    await batched.stub.putPrivateData(
      '_implicit_org_C110000MSP',
      'seal~withdrawal|110000|W-1|',
      bytes('{"a":1}'),
    );
    await batched.stub.deleteState('evidence|old|');
    await batched.stub.purgePrivateData('_implicit_org_C110000MSP', 'old');
    await batched.stub.setPrivateDataValidationParameter('_implicit_org_C110000MSP', 'k', bytes('p2'));
    expect(sent).toEqual([]);

    expect(await batched.flush()).toBe(1);
    expect(direct).toEqual([]);
    expect(sent).toHaveLength(1);
    const [message] = sent;
    expect(message).toMatchObject({
      type: WRITE_BATCH_STATE,
      txId: 'tx-1',
      channelId: 'hpf',
      method: 'WriteBatchState',
    });
    const records = message!.records.map((record) => ({
      type: record.getType(),
      collection: record.getCollection(),
      key: record.getKey(),
      value: Buffer.from(record.getValue_asU8()).toString('utf8'),
      metakey: record.getMetadata()?.getMetakey(),
      metavalue: record.hasMetadata()
        ? Buffer.from(record.getMetadata()!.getValue_asU8()).toString('utf8')
        : undefined,
    }));
    const T = peer.WriteRecord.Type;
    expect(records).toEqual([
      {
        type: T.PUT_STATE,
        collection: '',
        key: 'withdrawal|110000|W-1|',
        value: '{"a":1}',
        metakey: undefined,
        metavalue: undefined,
      },
      {
        type: T.PUT_STATE_METADATA,
        collection: '',
        key: 'withdrawal|110000|W-1|',
        value: '',
        metakey: 'VALIDATION_PARAMETER',
        metavalue: 'policy',
      },
      {
        type: T.PUT_STATE,
        collection: '_implicit_org_C110000MSP',
        key: 'seal~withdrawal|110000|W-1|',
        value: '{"a":1}',
        metakey: undefined,
        metavalue: undefined,
      },
      {
        type: T.DEL_STATE,
        collection: '',
        key: 'evidence|old|',
        value: '',
        metakey: undefined,
        metavalue: undefined,
      },
      {
        type: T.PURGE_PRIVATE_DATA,
        collection: '_implicit_org_C110000MSP',
        key: 'old',
        value: '',
        metakey: undefined,
        metavalue: undefined,
      },
      {
        type: T.PUT_STATE_METADATA,
        collection: '_implicit_org_C110000MSP',
        key: 'k',
        value: '',
        metakey: 'VALIDATION_PARAMETER',
        metavalue: 'p2',
      },
    ]);

    // Nothing is held any more: a second flush sends nothing.
    expect(await batched.flush()).toBe(0);
    expect(sent).toHaveLength(1);
  });

  it('leaves reads alone: they reach the stub at once and return committed values, as on Fabric', async () => {
    const { stub } = shimStub();
    const batched = batchWrites(stub);
    await batched.stub.putState('k', bytes('new'));
    expect(Buffer.from(await batched.stub.getState('k')).toString('utf8')).toBe('committed k');
    expect(batched.stub.getTxID()).toBe('tx-1');
  });

  it(`splits more than ${MAX_BATCH_RECORDS} writes into messages of at most ${MAX_BATCH_RECORDS} records`, async () => {
    const { stub, sent } = shimStub();
    const batched = batchWrites(stub);
    const count = MAX_BATCH_RECORDS * 2 + 1;
    for (let index = 0; index < count; index += 1) await batched.stub.putState(`k${index}`, bytes('v'));
    expect(await batched.flush()).toBe(3);
    expect(sent.map((message) => message.records.length)).toEqual([MAX_BATCH_RECORDS, MAX_BATCH_RECORDS, 1]);
    expect(sent.flatMap((message) => message.records.map((record) => record.getKey()))).toEqual(
      Array.from({ length: count }, (_, index) => `k${index}`),
    );
  });

  it("fails the transaction with the peer's error when the peer refuses the batch", async () => {
    const { stub } = shimStub(() =>
      Promise.reject(new Error('collection _implicit_org_X could not be found')),
    );
    const batched = batchWrites(stub);
    await batched.stub.putPrivateData('_implicit_org_X', 'k', bytes('v'));
    await expect(batched.flush()).rejects.toThrow('collection _implicit_org_X could not be found');
  });

  it("refuses a private write without a collection or key at once, as fabric-shim's stub does", () => {
    const { stub } = shimStub();
    const batched = batchWrites(stub);
    expect(() => batched.stub.putPrivateData('', 'k', bytes('v'))).toThrow(
      'collection must be a valid string',
    );
    expect(() => batched.stub.putPrivateData('c', '', bytes('v'))).toThrow('key must be a valid string');
    expect(() => batched.stub.deletePrivateData('c', '')).toThrow('key must be a valid string');
    expect(() => batched.stub.purgePrivateData('', 'k')).toThrow('collection must be a valid string');
  });

  it('applies the writes one call each, in order, to a stub without a message handler (the fake)', async () => {
    const ledger = new FakeWorldState();
    const fake = new FakeStub(ledger, { txId: 'tx-2', epochMillis: Date.UTC(2026, 0, 1) });
    const batched = batchWrites(fake);
    await batched.stub.putState('a', bytes('1'));
    await batched.stub.putState('b', bytes('2'));
    await batched.stub.deleteState('a');
    expect(fake.writes.size).toBe(0);
    expect(await batched.flush()).toBe(3);
    expect(
      [...fake.writes.entries()].map(([key, value]) => [key, value && Buffer.from(value).toString()]),
    ).toEqual([
      ['a', null],
      ['b', '2'],
    ]);
  });
});

describe('point reads prefetched in one message (GET_STATE_MULTIPLE)', () => {
  it('reads the keys once, in one message, and answers later reads of them from it', async () => {
    const state = new Map([
      ['registry', '{"r":1}'],
      ['account-status|110000|S|', '{"closed":false}'],
    ]);
    const { stub, sent, direct } = shimStub(undefined, state);
    const batched = batchWrites(stub);
    await batched.prefetch(['registry', 'withdrawal|110000|W-1|', 'registry', 'account-status|110000|S|']);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      type: GET_STATE_MULTIPLE,
      method: 'GetStateMultiple',
      txId: 'tx-1',
      channelId: 'hpf',
      keys: ['registry', 'withdrawal|110000|W-1|', 'account-status|110000|S|'],
    });
    const text = async (key: string): Promise<string> =>
      Buffer.from(await batched.stub.getState(key)).toString('utf8');
    expect(await text('registry')).toBe('{"r":1}');
    expect(await text('withdrawal|110000|W-1|')).toBe(''); // absent: empty, as GET_STATE answers
    expect(await text('account-status|110000|S|')).toBe('{"closed":false}');
    expect(direct).toEqual([]);
    // A key not prefetched goes to the peer as before; prefetching known keys again sends nothing.
    expect(await text('other')).toBe('committed other');
    expect(direct).toEqual(['getState other']);
    await batched.prefetch(['registry']);
    expect(sent).toHaveLength(1);
  });

  it('fails rather than take a short answer (Fabric answers a failed database read with no values) for absent keys', async () => {
    const empty = new peer.GetStateMultipleResult();
    const { stub } = shimStub(() => Promise.resolve(Buffer.from(empty.serializeBinary())));
    const batched = batchWrites(stub);
    await expect(batched.prefetch(['a', 'b'])).rejects.toThrow('the peer answered 0 values for 2 keys');
  });

  it('reads one by one through a stub without a message handler (the fake), recording each read', async () => {
    const ledger = new FakeWorldState();
    ledger.state.set('a', bytes('1'));
    const fake = new FakeStub(ledger, { txId: 'tx-3', epochMillis: Date.UTC(2026, 0, 1) });
    const batched = batchWrites(fake);
    await batched.prefetch(['a', 'b']);
    expect(fake.reads).toEqual(['a', 'b']);
    expect(Buffer.from(await batched.stub.getState('a')).toString()).toBe('1');
    expect(fake.reads).toEqual(['a', 'b']);
  });
});

describe('LedgerContract', () => {
  it('creates a LedgerContext for each transaction and flushes its writes after the function', async () => {
    const contract = new LedgerContract();
    const ctx = contract.createContext();
    expect(ctx).toBeInstanceOf(LedgerContext);
    const { stub, sent } = shimStub();
    ctx.setChaincodeStub(stub);
    await ctx.stub.putState('k', bytes('v'));
    expect(sent).toHaveLength(0);
    await contract.afterTransaction(ctx, undefined);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.records.map((record) => record.getKey())).toEqual(['k']);
  });

  it("is the context type of every transaction, so fabric-contract-api leaves it out of the transaction's parameters", () => {
    // fabric-contract-api drops a parameter from the metadata only when its declared type is the class
    // that createContext() returns; a `Context` left anywhere would make that transaction expect one
    // argument more than clients send ("Expected 2 parameters, but 1 have been supplied").
    const names = contracts.flatMap((contract) => {
      const transactions = (Reflect.getMetadata('fabric:transactions', contract.prototype) ?? []) as {
        name: string;
        parameters?: { name: string }[];
      }[];
      expect(transactions.length).toBeGreaterThan(0);
      return transactions.map((transaction) => ({
        transaction: `${new contract().getName()}:${transaction.name}`,
        parameters: (transaction.parameters ?? []).map((parameter) => parameter.name),
      }));
    });
    expect(names.filter(({ parameters }) => parameters.includes('ctx'))).toEqual([]);
    expect(names.find(({ transaction }) => transaction === 'meta:Ping')?.parameters).toEqual(['id']);
    expect(names.find(({ transaction }) => transaction === 'withdrawal:Record')?.parameters).toEqual([
      'inputJson',
    ]);
  });
});
