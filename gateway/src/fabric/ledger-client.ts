/**
 * What the services need from the ledger. Routes and services depend on this interface only; the
 * Fabric implementation is in fabric-ledger-client.ts and tests use a typed fake.
 */
export type ContractName = 'meta' | 'registry' | 'transfer' | 'withdrawal' | 'audit' | 'certificate';

export interface SubmitOptions {
  /** Private inputs; they reach the endorsing peers but are not written into the transaction. */
  readonly transient?: Readonly<Record<string, string>>;
  /** The organisations whose peers must endorse. */
  readonly endorsingOrganizations?: readonly string[];
  /**
   * Looks at the endorsed (simulated) result before anything is sent to the orderer. Returning true
   * means there is nothing to commit, as when the chaincode answers an identical resubmission with the
   * existing record: the transaction is then dropped and the result returned with `replayed: true`.
   */
  readonly skipCommit?: (result: string, txId: string) => boolean;
}

export interface EvaluateOptions {
  /**
   * Only peers of these organisations may answer. Without it, the peer's gateway may answer from
   * another organisation's peer when its own chaincode cannot (so the answer says nothing about us).
   */
  readonly endorsingOrganizations?: readonly string[];
  /** A deadline shorter than the configured evaluate deadline, e.g. for readiness checks. */
  readonly timeoutMs?: number;
  /** Private inputs for the peer (e.g. the person a Precheck names); never written anywhere. */
  readonly transient?: Readonly<Record<string, string>>;
}

export interface SubmitResult {
  /** The chaincode's result (UTF-8 JSON). */
  readonly result: string;
  readonly txId: string;
  /** The block the transaction was committed in, once known. */
  readonly blockNumber?: bigint;
  /** True when `skipCommit` dropped the transaction after endorsement: nothing was committed. */
  readonly replayed?: boolean;
}

/** A transaction as qscc reports it, decoded. */
export interface TransactionInfo {
  readonly txId: string;
  readonly blockNumber: string;
  readonly validationCode: string;
  readonly valid: boolean;
  readonly timestamp: string;
  readonly creatorMspId: string;
  readonly endorsingOrgs: readonly string[];
  readonly chaincode: string;
}

/** The keys one chaincode namespace of a transaction read and wrote (public state only). */
export interface NamespaceKeys {
  readonly namespace: string;
  readonly reads: readonly string[];
  readonly writes: readonly string[];
}

export interface BlockInfo {
  readonly number: string;
  readonly dataHash: string;
  readonly previousHash: string;
  readonly transactions: readonly Omit<TransactionInfo, 'blockNumber'>[];
}

/** One chaincode event (Fabric keeps one per transaction). */
export interface LedgerEvent {
  readonly blockNumber: bigint;
  readonly txId: string;
  readonly name: string;
  /** UTF-8 payload (canonical JSON). */
  readonly payload: string;
}

/** Where to resume: at the start of `blockNumber`, or just after transaction `txId` in it. */
export interface EventPosition {
  readonly blockNumber: bigint;
  readonly txId?: string;
}

export interface EventStream extends AsyncIterable<LedgerEvent> {
  close(): void;
}

/** The channel's height (number of blocks), as qscc GetChainInfo reports it. */
export interface ChainInfo {
  readonly height: bigint;
}

export interface LedgerClient {
  /** Runs a query on this organisation's peer. Throws ApiError. */
  evaluate(
    contract: ContractName,
    transaction: string,
    args?: readonly string[],
    options?: EvaluateOptions,
  ): Promise<string>;
  /** Endorses, submits and waits for the commit; resolves only when the commit is valid. Throws ApiError. */
  submit(
    contract: ContractName,
    transaction: string,
    args: readonly string[],
    options?: SubmitOptions,
  ): Promise<SubmitResult>;
  /** qscc GetTransactionByID + GetBlockByTxID, decoded. */
  getTransaction(txId: string): Promise<TransactionInfo>;
  /** qscc GetBlockByNumber, decoded. */
  getBlock(blockNumber: bigint): Promise<BlockInfo>;
  /** qscc GetChainInfo. */
  chainInfo(): Promise<ChainInfo>;
  /** The keys a transaction read and wrote, per chaincode namespace (qscc GetTransactionByID). */
  getTransactionKeys(txId: string): Promise<readonly NamespaceKeys[]>;
  /** The chaincode's events from `from` (or from the next block when omitted). */
  events(from?: EventPosition): Promise<EventStream>;
}
