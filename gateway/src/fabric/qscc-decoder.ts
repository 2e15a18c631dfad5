import { common, ledger, msp, peer } from '@hyperledger/fabric-protos';
import type { BlockInfo, NamespaceKeys, TransactionInfo } from './ledger-client';

const VALIDATION_CODE_NAMES = new Map<number, string>(
  Object.entries(peer.TxValidationCode).map(([name, code]) => [code, name]),
);

/** The name of a transaction validation code, e.g. 0 → VALID. */
export function validationCodeName(code: number): string {
  return VALIDATION_CODE_NAMES.get(code) ?? `UNKNOWN_${code}`;
}

function mspIdOf(serializedIdentity: Uint8Array): string {
  return msp.SerializedIdentity.deserializeBinary(serializedIdentity).getMspid();
}

function endorsingOrgsOf(payload: common.Payload): string[] {
  const orgs = new Set<string>();
  const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
  for (const action of transaction.getActionsList()) {
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
    for (const endorsement of actionPayload.getAction()?.getEndorsementsList() ?? []) {
      orgs.add(mspIdOf(endorsement.getEndorser_asU8()));
    }
  }
  return [...orgs].sort();
}

/** google.protobuf.Timestamp, whose typings are not installed. */
interface TimestampLike {
  getSeconds(): number;
  getNanos(): number;
}

function isoTimestamp(header: common.ChannelHeader): string {
  const ts = (header as unknown as { getTimestamp(): TimestampLike | undefined }).getTimestamp();
  if (!ts) {
    return '';
  }
  return new Date(ts.getSeconds() * 1000 + Math.floor(ts.getNanos() / 1e6)).toISOString();
}

function creatorMspId(header: common.Header | undefined): string {
  const creator = common.SignatureHeader.deserializeBinary(
    header?.getSignatureHeader_asU8() ?? new Uint8Array(),
  ).getCreator_asU8();
  return creator.length > 0 ? mspIdOf(creator) : '';
}

/** Decodes one transaction envelope; endorsers only for endorser transactions. */
export function decodeEnvelope(
  envelopeBytes: Uint8Array,
  validationCode: number,
): Omit<TransactionInfo, 'blockNumber'> {
  const payload = common.Payload.deserializeBinary(
    common.Envelope.deserializeBinary(envelopeBytes).getPayload_asU8(),
  );
  const header = payload.getHeader();
  const channelHeader = common.ChannelHeader.deserializeBinary(
    header?.getChannelHeader_asU8() ?? new Uint8Array(),
  );
  const isEndorserTx = channelHeader.getType() === common.HeaderType.ENDORSER_TRANSACTION;
  const extension = isEndorserTx
    ? peer.ChaincodeHeaderExtension.deserializeBinary(channelHeader.getExtension_asU8())
    : undefined;
  return {
    txId: channelHeader.getTxId(),
    validationCode: validationCodeName(validationCode),
    valid: validationCode === peer.TxValidationCode.VALID,
    timestamp: isoTimestamp(channelHeader),
    creatorMspId: creatorMspId(header),
    endorsingOrgs: isEndorserTx ? endorsingOrgsOf(payload) : [],
    chaincode: extension?.getChaincodeId()?.getName() ?? '',
  };
}

/** Decodes qscc GetTransactionByID's ProcessedTransaction, given the block number from GetBlockByTxID. */
export function decodeProcessedTransaction(bytes: Uint8Array, blockNumber: bigint): TransactionInfo {
  const processed = peer.ProcessedTransaction.deserializeBinary(bytes);
  const envelope = processed.getTransactionenvelope() ?? new common.Envelope();
  return {
    ...decodeEnvelope(envelope.serializeBinary(), processed.getValidationcode()),
    blockNumber: blockNumber.toString(),
  };
}

/** The number of a block returned by qscc GetBlockByTxID / GetBlockByNumber. */
export function blockNumberOf(bytes: Uint8Array): bigint {
  return BigInt(common.Block.deserializeBinary(bytes).getHeader()?.getNumber() ?? 0);
}

/** Decodes a whole block: header hashes and every transaction with its validation code. */
export function decodeBlock(bytes: Uint8Array): BlockInfo {
  const block = common.Block.deserializeBinary(bytes);
  const header = block.getHeader();
  const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER];
  const transactions = (block.getData()?.getDataList_asU8() ?? []).map((envelope, index) =>
    decodeEnvelope(envelope, filter?.[index] ?? peer.TxValidationCode.NOT_VALIDATED),
  );
  return {
    number: String(header?.getNumber() ?? 0),
    dataHash: Buffer.from(header?.getDataHash_asU8() ?? new Uint8Array()).toString('hex'),
    previousHash: Buffer.from(header?.getPreviousHash_asU8() ?? new Uint8Array()).toString('hex'),
    transactions,
  };
}

/** Printable form of a state key: composite keys' U+0000 separators become `|`. */
function printableKey(key: string): string {
  return key.replaceAll('\u0000', '|');
}

/**
 * The read and write keys of an endorser transaction (qscc GetTransactionByID's ProcessedTransaction),
 * from its read/write set. Private data appears only as hashes in the set, so it is not listed.
 */
export function decodeReadWriteKeys(bytes: Uint8Array): NamespaceKeys[] {
  const processed = peer.ProcessedTransaction.deserializeBinary(bytes);
  const envelope = processed.getTransactionenvelope() ?? new common.Envelope();
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const channelHeader = common.ChannelHeader.deserializeBinary(
    payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(),
  );
  if (channelHeader.getType() !== common.HeaderType.ENDORSER_TRANSACTION) {
    return [];
  }
  const keys: NamespaceKeys[] = [];
  const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
  for (const action of transaction.getActionsList()) {
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
    const responsePayload = peer.ProposalResponsePayload.deserializeBinary(
      actionPayload.getAction()?.getProposalResponsePayload_asU8() ?? new Uint8Array(),
    );
    const chaincodeAction = peer.ChaincodeAction.deserializeBinary(responsePayload.getExtension_asU8());
    const rwset = ledger.rwset.TxReadWriteSet.deserializeBinary(chaincodeAction.getResults_asU8());
    for (const ns of rwset.getNsRwsetList()) {
      const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
      keys.push({
        namespace: ns.getNamespace(),
        reads: kv.getReadsList().map((r) => printableKey(r.getKey())),
        writes: kv.getWritesList().map((w) => printableKey(w.getKey())),
      });
    }
  }
  return keys;
}
