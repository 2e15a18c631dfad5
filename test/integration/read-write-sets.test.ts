import { evidenceHashOf } from '../../chaincode/src/domain';
import { SHAPE_PARTS } from '../../chaincode/src/shape-parts';
import { BEIJING, hash, subjectRefFor, TestNetwork } from '../../chaincode/test/harness';
import { Network, Runtime } from '../../network';
import { testConsortium } from '../support/consortium';
import { withdrawalArgument } from '../support/fixtures';
import {
  contractOf,
  pseudonymKeyOf,
  residentId,
  subjectRefOf,
  submit,
  withdrawalTransient,
} from '../support/ledger';
import { keysOfTransaction, printableKey, type KeysOfTransaction } from '../support/rwset';

/**
 * The chaincode sends a transaction's writes to the peer in one message and a withdrawal's point
 * reads in one message (docs/decisions/0244-writes-in-one-message.md); the unit tests' fake takes
 * them one call at a time. Here the same withdrawal runs on both, and the read-write set Fabric
 * committed (qscc) must hold the same kinds of keys, key-level policies and seal as the fake's:
 * what the batching must not change. Keys differ only in their hashed parts (the network's key K is
 * not the tests' key), so they are compared by kind.
 */

const consortium = testConsortium();
const layout = new Network(consortium).layout;
const beijing = consortium.orgs.find((org) => org.mspId === BEIJING.mspId)!;
const regulator = consortium.regulator;

// People born 1973-03-13 belong to this file, so IDs never collide with another file's.
const run = Date.now() % 900;

let connection: Runtime.OrgConnection;
beforeAll(() => {
  connection = Runtime.connectOrg(layout, beijing);
});
afterAll(() => connection.close());

/** A key's kind: its composite-key type (or the plain key), `seal~` kept, hashed parts dropped. */
function kindOf(key: string): string {
  const printable = printableKey(key);
  const seal = printable.startsWith('seal~') ? 'seal~' : '';
  return seal + (printableKey(printable.slice(seal.length)).split('|')[0] ?? '');
}

const kinds = (keys: readonly string[]): string[] => keys.map(kindOf).sort();

interface Counts {
  readonly reads: number;
  readonly rangeQueries: number;
  readonly rangeQueryResults: number;
  readonly writes: number;
  readonly privateWrites: Record<string, number>;
  readonly metadataWrites: number;
}

function countsOf(keys: KeysOfTransaction): Counts {
  return {
    reads: keys.reads,
    rangeQueries: keys.rangeQueries,
    rangeQueryResults: keys.rangeQueryResults,
    writes: keys.writes,
    privateWrites: keys.privateWrites,
    metadataWrites: keys.metadataWriteKeys.length,
  };
}

async function committedKeys(txId: string): Promise<KeysOfTransaction> {
  const qscc = connection.gateway.getNetwork(consortium.channel).getContract('qscc');
  return keysOfTransaction(qscc, consortium.channel, consortium.chaincode.name, txId);
}

describe("a withdrawal's read and write sets: Fabric and the fake agree", () => {
  it('reads, range-queries and writes the same kinds of keys, with their key-level policies and the seal', async () => {
    const idNumber = residentId('19730313', run);
    const reference = `RWSET-${run}`;
    const withdrawalId = `RWSET-${run}`;
    const real = await submit(
      contractOf(connection.gateway, consortium, 'withdrawal'),
      'Record',
      [
        JSON.stringify(
          withdrawalArgument({
            withdrawalId,
            centre: BEIJING.code,
            subjectRef: subjectRefOf(layout, idNumber),
            evidenceHash: evidenceHashOf(pseudonymKeyOf(layout), reference),
          }),
        ),
      ],
      {
        transient: withdrawalTransient(idNumber, [{ kind: 'PURCHASE_CONTRACT', reference }]),
        endorsingOrganizations: [beijing.mspId, regulator.mspId],
      },
    );
    expect(real.successful).toBe(true);
    const committed = await committedKeys(real.txId);

    const net = new TestNetwork();
    net.now = Date.now(); // the fake's clock on today, as the withdrawal's date is
    await net.init();
    const { stub } = await net.submit(BEIJING.mspId, (ctx) =>
      net.withdrawal.Record(
        ctx,
        JSON.stringify(
          withdrawalArgument({
            withdrawalId,
            centre: BEIJING.code,
            subjectRef: subjectRefFor(idNumber),
            evidenceHash: hash(reference),
          }),
        ),
      ),
    );

    expect(kinds(committed.readKeys)).toEqual(kinds([...new Set(stub.reads)]));
    expect(kinds(committed.readKeys)).toEqual(['account-status', 'ban-subject', 'registry', 'withdrawal']);
    expect(committed.rangeQueries).toBe(stub.rangeQueries.length);
    expect(committed.rangeQueries).toBe(2);
    expect(kinds(committed.writeKeys)).toEqual(kinds([...stub.writes.keys()]));
    expect(kinds(committed.writeKeys)).toEqual(['evidence', 'subject', 'withdrawal']);
    expect(kinds(committed.metadataWriteKeys)).toEqual(kinds([...stub.validationWrites.keys()]));
    expect(committed.metadataWriteKeys.sort()).toEqual([...committed.writeKeys].sort());
    expect(committed.privateWrites).toEqual(
      Object.fromEntries([...stub.privateWrites].map(([collection, writes]) => [collection, writes.size])),
    );
    expect(committed.privateWrites).toEqual({ [`_implicit_org_${BEIJING.mspId}`]: 1 });
  });

  it('commits meta:Shape part by part with exactly the parts asked for', async () => {
    const meta = contractOf(connection.gateway, consortium, 'meta');
    const value = JSON.stringify({ attestationId: `withdrawal:110000:SHAPE-${run}`, amount: '1.00' });
    const seen: Record<string, Counts> = {};
    for (const part of SHAPE_PARTS) {
      const shaped = await submit(meta, 'Shape', [`rwset-${part}-${run}`, value, part], {
        endorsingOrganizations: [beijing.mspId, regulator.mspId],
      });
      expect(shaped.successful).toBe(true);
      seen[part] = countsOf(await committedKeys(shaped.txId));
    }
    expect(seen).toEqual({
      reads: {
        reads: 4,
        rangeQueries: 0,
        rangeQueryResults: 0,
        writes: 0,
        privateWrites: {},
        metadataWrites: 0,
      },
      ranges: {
        reads: 0,
        rangeQueries: 2,
        rangeQueryResults: 0,
        writes: 0,
        privateWrites: {},
        metadataWrites: 0,
      },
      writes: {
        reads: 0,
        rangeQueries: 0,
        rangeQueryResults: 0,
        writes: 3,
        privateWrites: {},
        metadataWrites: 0,
      },
      policies: {
        reads: 0,
        rangeQueries: 0,
        rangeQueryResults: 0,
        writes: 0,
        privateWrites: {},
        metadataWrites: 3,
      },
      seal: {
        reads: 0,
        rangeQueries: 0,
        rangeQueryResults: 0,
        writes: 0,
        privateWrites: { [`_implicit_org_${beijing.mspId}`]: 1 },
        metadataWrites: 0,
      },
    });
  });
});
