import { common, msp, peer } from '@hyperledger/fabric-protos';
import { blockNumberOf, decodeBlock, decodeProcessedTransaction } from '../src/fabric/qscc-decoder';

const TX = 'f'.repeat(64);

function identity(mspId: string): Uint8Array {
  const id = new msp.SerializedIdentity();
  id.setMspid(mspId);
  id.setIdBytes(new Uint8Array([1]));
  return id.serializeBinary();
}

function envelope(): Uint8Array {
  const chaincodeId = new peer.ChaincodeID();
  chaincodeId.setName('hpf');
  const extension = new peer.ChaincodeHeaderExtension();
  extension.setChaincodeId(chaincodeId);

  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(common.HeaderType.ENDORSER_TRANSACTION);
  channelHeader.setTxId(TX);
  channelHeader.setChannelId('hpf');
  channelHeader.setExtension$(extension.serializeBinary());

  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setCreator(identity('C440000MSP'));
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  header.setSignatureHeader(signatureHeader.serializeBinary());

  const endorsed = new peer.ChaincodeEndorsedAction();
  endorsed.setEndorsementsList(
    ['RegulatorMSP', 'C440000MSP'].map((m) => {
      const e = new peer.Endorsement();
      e.setEndorser(identity(m));
      return e;
    }),
  );
  const actionPayload = new peer.ChaincodeActionPayload();
  actionPayload.setAction(endorsed);
  const action = new peer.TransactionAction();
  action.setPayload(actionPayload.serializeBinary());
  const transaction = new peer.Transaction();
  transaction.setActionsList([action]);

  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(transaction.serializeBinary());
  const env = new common.Envelope();
  env.setPayload(payload.serializeBinary());
  return env.serializeBinary();
}

describe('qscc decoding', () => {
  it('decodes a processed transaction: validation code, creator, endorsers, chaincode', () => {
    const processed = new peer.ProcessedTransaction();
    processed.setTransactionenvelope(common.Envelope.deserializeBinary(envelope()));
    processed.setValidationcode(peer.TxValidationCode.VALID);
    expect(decodeProcessedTransaction(processed.serializeBinary(), 9n)).toEqual({
      txId: TX,
      blockNumber: '9',
      validationCode: 'VALID',
      valid: true,
      timestamp: '',
      creatorMspId: 'C440000MSP',
      endorsingOrgs: ['C440000MSP', 'RegulatorMSP'],
      chaincode: 'hpf',
    });
  });

  it('decodes a block with its transaction filter', () => {
    const blockHeader = new common.BlockHeader();
    blockHeader.setNumber(42);
    blockHeader.setPreviousHash(new Uint8Array([0xab]));
    blockHeader.setDataHash(new Uint8Array([0xcd]));
    const data = new common.BlockData();
    data.setDataList([envelope()]);
    const metadata = new common.BlockMetadata();
    metadata.setMetadataList([
      new Uint8Array(),
      new Uint8Array(),
      new Uint8Array([peer.TxValidationCode.MVCC_READ_CONFLICT]),
    ]);
    const block = new common.Block();
    block.setHeader(blockHeader);
    block.setData(data);
    block.setMetadata(metadata);
    const bytes = block.serializeBinary();
    expect(blockNumberOf(bytes)).toBe(42n);
    const decoded = decodeBlock(bytes);
    expect(decoded).toMatchObject({ number: '42', previousHash: 'ab', dataHash: 'cd' });
    expect(decoded.transactions[0]).toMatchObject({
      txId: TX,
      validationCode: 'MVCC_READ_CONFLICT',
      valid: false,
    });
  });
});
