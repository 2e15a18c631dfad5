import type { Contract } from '@hyperledger/fabric-gateway';
import { common, ledger, peer } from '@hyperledger/fabric-protos';

/** What one committed transaction read and wrote in one chaincode's namespace, from its block (qscc). */
export interface KeysOfTransaction {
  readonly txId: string;
  readonly reads: number;
  readonly rangeQueries: number;
  /** Keys the range queries returned (each re-read at validation). */
  readonly rangeQueryResults: number;
  readonly writes: number;
  /** Keys read and written, composite keys' U+0000 shown as `|`. */
  readonly readKeys: string[];
  readonly writeKeys: string[];
  /** Keys whose metadata (a key-level endorsement policy) the transaction wrote. */
  readonly metadataWriteKeys: string[];
  /** Hashed private writes by collection (the values stay off the block). */
  readonly privateWrites: Record<string, number>;
}

interface NamespaceSets {
  readonly kv: ledger.rwset.kvrwset.KVRWSet;
  readonly collections: ledger.rwset.CollectionHashedReadWriteSet[];
}

/** The read-write sets of a committed transaction (qscc GetTransactionByID's bytes) in one namespace. */
function setsOf(bytes: Uint8Array, namespace: string): NamespaceSets[] {
  const processed = peer.ProcessedTransaction.deserializeBinary(bytes);
  const payload = common.Payload.deserializeBinary(
    processed.getTransactionenvelope()?.getPayload_asU8() ?? new Uint8Array(),
  );
  const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
  return transaction.getActionsList().flatMap((action) => {
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
    const response = peer.ProposalResponsePayload.deserializeBinary(
      actionPayload.getAction()?.getProposalResponsePayload_asU8() ?? new Uint8Array(),
    );
    const chaincodeAction = peer.ChaincodeAction.deserializeBinary(response.getExtension_asU8());
    return ledger.rwset.TxReadWriteSet.deserializeBinary(chaincodeAction.getResults_asU8())
      .getNsRwsetList()
      .filter((ns) => ns.getNamespace() === namespace)
      .map((ns) => ({
        kv: ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8()),
        collections: ns.getCollectionHashedRwsetList(),
      }));
  });
}

/** A key as printed: a composite key's U+0000 separators shown as `|`, without the leading one. */
export function printableKey(key: string): string {
  return key.replaceAll('\u0000', '|').replace(/^\|/, '');
}

/** Reads a committed transaction through qscc GetTransactionByID and lists its keys in `namespace`. */
export async function keysOfTransaction(
  qscc: Contract,
  channel: string,
  namespace: string,
  txId: string,
): Promise<KeysOfTransaction> {
  const sets = setsOf(await qscc.evaluateTransaction('GetTransactionByID', channel, txId), namespace);
  const ranges = sets.flatMap(({ kv }) => kv.getRangeQueriesInfoList());
  const readKeys = sets.flatMap(({ kv }) => kv.getReadsList().map((r) => printableKey(r.getKey())));
  const writeKeys = sets.flatMap(({ kv }) => kv.getWritesList().map((w) => printableKey(w.getKey())));
  const privateWrites: Record<string, number> = {};
  for (const collection of sets.flatMap(({ collections }) => collections)) {
    const hashed = ledger.rwset.kvrwset.HashedRWSet.deserializeBinary(collection.getHashedRwset_asU8());
    const name = collection.getCollectionName();
    privateWrites[name] = (privateWrites[name] ?? 0) + hashed.getHashedWritesList().length;
  }
  return {
    txId,
    reads: readKeys.length,
    rangeQueries: ranges.length,
    rangeQueryResults: ranges.reduce((n, info) => n + (info.getRawReads()?.getKvReadsList().length ?? 0), 0),
    writes: writeKeys.length,
    readKeys,
    writeKeys,
    metadataWriteKeys: sets.flatMap(({ kv }) =>
      kv.getMetadataWritesList().map((m) => printableKey(m.getKey())),
    ),
    privateWrites,
  };
}
