import { common } from '@hyperledger/fabric-protos';
import { CommitError, type ChaincodeEvent, type Checkpoint, type Network } from '@hyperledger/fabric-gateway';
import { LRUCache } from 'lru-cache';
import type { Metrics } from '../metrics';
import type {
  BlockInfo,
  ChainInfo,
  ContractName,
  EvaluateOptions,
  EventPosition,
  EventStream,
  LedgerClient,
  LedgerEvent,
  NamespaceKeys,
  SubmitOptions,
  SubmitResult,
  TransactionInfo,
} from './ledger-client';
import { blockNumberOf, decodeBlock, decodeProcessedTransaction, decodeReadWriteKeys } from './qscc-decoder';
import { toApiError } from './translate-error';

export interface FabricLedgerClientOptions {
  readonly network: Network;
  readonly chaincode: string;
  readonly metrics: Metrics;
  /** This organisation's MSP ID: failures of its own peer or chaincode server are told apart. */
  readonly mspId?: string;
}

const utf8 = new TextDecoder();

function positionCheckpoint(from: EventPosition): Checkpoint {
  return { getBlockNumber: () => from.blockNumber, getTransactionId: () => from.txId };
}

function toLedgerEvent(event: ChaincodeEvent): LedgerEvent {
  return {
    blockNumber: event.blockNumber,
    txId: event.transactionId,
    name: event.eventName,
    payload: utf8.decode(event.payload),
  };
}

class FabricLedgerClientImpl implements LedgerClient {
  readonly #network: Network;
  readonly #chaincode: string;
  readonly #metrics: Metrics;
  readonly #mspId: string | undefined;
  /** Bounded: 10 000 proofs of recent attestations; older ones are asked of qscc again. */
  readonly #committed = new LRUCache<string, TransactionInfo>({ max: 10_000 });

  constructor(options: Readonly<FabricLedgerClientOptions>) {
    this.#network = options.network;
    this.#chaincode = options.chaincode;
    this.#metrics = options.metrics;
    this.#mspId = options.mspId;
  }

  /** Runs a Fabric call, timed; its error translated once (`endorsers`: the orgs a proposal named). */
  async #timed<T>(
    labels: { contract: string; transaction: string; kind: string },
    call: () => Promise<T>,
    endorsers?: readonly string[],
  ): Promise<T> {
    const end = this.#metrics.fabricDuration.startTimer(labels);
    try {
      const value = await call();
      end({ outcome: 'ok' });
      return value;
    } catch (err) {
      const apiError = toApiError(err, this.#mspId, endorsers);
      end({ outcome: apiError.code });
      throw apiError;
    }
  }

  async evaluate(
    contract: ContractName,
    transaction: string,
    args: readonly string[] = [],
    options: EvaluateOptions = {},
  ): Promise<string> {
    const bytes = await this.#timed({ contract, transaction, kind: 'evaluate' }, () =>
      this.#network
        .getContract(this.#chaincode, contract)
        .newProposal(transaction, {
          arguments: [...args],
          endorsingOrganizations: options.endorsingOrganizations
            ? [...options.endorsingOrganizations]
            : undefined,
          transientData: options.transient ? { ...options.transient } : undefined,
        })
        .evaluate(options.timeoutMs === undefined ? undefined : { deadline: Date.now() + options.timeoutMs }),
    );
    return utf8.decode(bytes);
  }

  async submit(
    contract: ContractName,
    transaction: string,
    args: readonly string[],
    options: SubmitOptions = {},
  ): Promise<SubmitResult> {
    return this.#timed(
      { contract, transaction, kind: 'submit' },
      async () => {
        const proposal = this.#network.getContract(this.#chaincode, contract).newProposal(transaction, {
          arguments: [...args],
          transientData: options.transient ? { ...options.transient } : undefined,
          endorsingOrganizations: options.endorsingOrganizations
            ? [...options.endorsingOrganizations]
            : undefined,
        });
        const endorsed = await proposal.endorse();
        const result = utf8.decode(endorsed.getResult());
        if (options.skipCommit?.(result, endorsed.getTransactionId()) === true) {
          return { result, txId: endorsed.getTransactionId(), replayed: true };
        }
        const submitted = await endorsed.submit();
        const status = await submitted.getStatus();
        if (!status.successful) {
          throw new CommitError({
            code: status.code,
            transactionId: status.transactionId,
            message: `transaction ${status.transactionId} failed to commit with status code ${status.code}`,
          });
        }
        return {
          result,
          txId: status.transactionId,
          blockNumber: status.blockNumber,
        };
      },
      options.endorsingOrganizations,
    );
  }

  async #qscc(transaction: string, args: string[]): Promise<Uint8Array> {
    return this.#timed({ contract: 'qscc', transaction, kind: 'evaluate' }, () =>
      this.#network
        .getContract('qscc')
        .evaluate(transaction, { arguments: [this.#network.getName(), ...args] }),
    );
  }

  /**
   * A committed transaction never changes (block, validation code, endorsements), so what qscc says
   * about it is cached: proofs and verifications of the same attestation then cost one evaluate.
   */
  async getTransaction(txId: string): Promise<TransactionInfo> {
    const cached = this.#committed.get(txId);
    if (cached !== undefined) {
      return cached;
    }
    const [processed, block] = await Promise.all([
      this.#qscc('GetTransactionByID', [txId]),
      this.#qscc('GetBlockByTxID', [txId]),
    ]);
    const info = decodeProcessedTransaction(processed, blockNumberOf(block));
    this.#committed.set(txId, info);
    return info;
  }

  async chainInfo(): Promise<ChainInfo> {
    const info = common.BlockchainInfo.deserializeBinary(await this.#qscc('GetChainInfo', []));
    return { height: BigInt(info.getHeight()) };
  }

  async getTransactionKeys(txId: string): Promise<readonly NamespaceKeys[]> {
    return decodeReadWriteKeys(await this.#qscc('GetTransactionByID', [txId]));
  }

  async getBlock(blockNumber: bigint): Promise<BlockInfo> {
    return decodeBlock(await this.#qscc('GetBlockByNumber', [blockNumber.toString()]));
  }

  async events(from?: EventPosition): Promise<EventStream> {
    try {
      const source = await this.#network.getChaincodeEvents(
        this.#chaincode,
        from ? { checkpoint: positionCheckpoint(from) } : {},
      );
      return {
        close: () => {
          source.close();
        },
        async *[Symbol.asyncIterator]() {
          for await (const event of source) {
            yield toLedgerEvent(event);
          }
        },
      };
    } catch (err) {
      throw toApiError(err, this.#mspId);
    }
  }
}

/** A {@link LedgerClient} over a fabric-gateway Network. Every failure leaves it as an ApiError. */
export function newFabricLedgerClient(options: Readonly<FabricLedgerClientOptions>): LedgerClient {
  return new FabricLedgerClientImpl(options);
}
