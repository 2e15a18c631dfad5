import { ApiError } from '../../src/errors';
import type {
  BlockInfo,
  ChainInfo,
  ContractName,
  EventPosition,
  EvaluateOptions,
  EventStream,
  LedgerClient,
  LedgerEvent,
  SubmitOptions,
  SubmitResult,
  TransactionInfo,
} from '../../src/fabric/ledger-client';
import type { NamespaceKeys } from '../../src/fabric/ledger-client';

export type Handler = (args: readonly string[], options: SubmitOptions) => string;

export interface LedgerCall {
  readonly kind: 'evaluate' | 'submit';
  readonly contract: ContractName;
  readonly transaction: string;
  readonly args: readonly string[];
  readonly options: SubmitOptions;
}

export const CENTRES: Readonly<Record<string, string>> = {
  '110000': 'C110000MSP',
  '310000': 'C310000MSP',
  '440000': 'C440000MSP',
};

/** A typed, programmable LedgerClient: handlers per `contract:Transaction`, every call recorded. */
export class FakeLedger implements LedgerClient {
  readonly calls: LedgerCall[] = [];
  readonly handlers = new Map<string, Handler>();
  readonly transactions = new Map<string, TransactionInfo>();
  readonly blocks = new Map<string, BlockInfo>();
  readonly eventLog: LedgerEvent[] = [];
  txCounter = 0;
  /** Transactions that reached the (fake) orderer, i.e. were not dropped by `skipCommit`. */
  readonly committed: LedgerCall[] = [];

  /** The txId the next (or current) submit gets, so handlers can stamp records as the chaincode does. */
  get currentTxId(): string {
    return (this.txCounter + 1).toString(16).padStart(64, '0');
  }

  constructor() {
    this.on('registry:GetCentre', ([code]) => {
      const mspId = CENTRES[code ?? ''];
      if (mspId === undefined) {
        throw new ApiError('NOT_FOUND', `centre ${code ?? ''} is not registered`);
      }
      return JSON.stringify({ code, mspId, name: `centre ${code ?? ''}` });
    });
    this.on('meta:Version', () => '{"name":"hpf","version":"0.1.0"}');
  }

  on(key: string, handler: Handler): this {
    this.handlers.set(key, handler);
    return this;
  }

  /** Makes `key` answer with a queue of outcomes: a string result, or an error to throw. */
  sequence(key: string, outcomes: readonly (string | Error)[]): this {
    const queue = [...outcomes];
    return this.on(key, () => {
      const next = queue.shift();
      if (next === undefined) {
        throw new Error(`no more outcomes for ${key}`);
      }
      if (next instanceof Error) {
        throw next;
      }
      return next;
    });
  }

  callsOf(kind: 'evaluate' | 'submit', key?: string): LedgerCall[] {
    return this.calls.filter(
      (c) => c.kind === kind && (key === undefined || `${c.contract}:${c.transaction}` === key),
    );
  }

  #run(
    kind: 'evaluate' | 'submit',
    contract: ContractName,
    transaction: string,
    args: readonly string[],
    options: SubmitOptions,
  ): string {
    this.calls.push({ kind, contract, transaction, args, options });
    const handler = this.handlers.get(`${contract}:${transaction}`);
    if (!handler) {
      throw new ApiError('NOT_FOUND', `${contract}:${transaction}: nothing here`);
    }
    return handler(args, options);
  }

  evaluate(
    contract: ContractName,
    transaction: string,
    args: readonly string[] = [],
    options: EvaluateOptions = {},
  ): Promise<string> {
    try {
      return Promise.resolve(this.#run('evaluate', contract, transaction, args, options));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  submit(
    contract: ContractName,
    transaction: string,
    args: readonly string[],
    options: SubmitOptions = {},
  ): Promise<SubmitResult> {
    try {
      const txId = this.currentTxId;
      const result = this.#run('submit', contract, transaction, args, options);
      if (options.skipCommit?.(result, txId) === true) {
        return Promise.resolve({ result, txId, replayed: true });
      }
      this.txCounter += 1;
      this.committed.push({ kind: 'submit', contract, transaction, args, options });
      return Promise.resolve({ result, txId, blockNumber: 7n });
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  getTransaction(txId: string): Promise<TransactionInfo> {
    const info = this.transactions.get(txId);
    return info ? Promise.resolve(info) : Promise.reject(new ApiError('NOT_FOUND', 'no such transaction'));
  }

  chainInfo(): Promise<ChainInfo> {
    return Promise.resolve({ height: BigInt(this.blocks.size) });
  }

  getTransactionKeys(txId: string): Promise<readonly NamespaceKeys[]> {
    return this.transactions.has(txId)
      ? Promise.resolve([])
      : Promise.reject(new ApiError('NOT_FOUND', 'no such transaction'));
  }

  getBlock(blockNumber: bigint): Promise<BlockInfo> {
    const block = this.blocks.get(blockNumber.toString());
    return block ? Promise.resolve(block) : Promise.reject(new ApiError('NOT_FOUND', 'no such block'));
  }

  events(from?: EventPosition): Promise<EventStream> {
    const log = this.eventLog;
    const start = from === undefined ? log.length : startIndex(log, from);
    let closed = false;
    return Promise.resolve({
      close: () => {
        closed = true;
      },
      async *[Symbol.asyncIterator]() {
        for (const event of log.slice(start)) {
          if (closed) {
            return;
          }
          await Promise.resolve();
          yield event;
        }
      },
    });
  }
}

function startIndex(log: readonly LedgerEvent[], from: EventPosition): number {
  const first = log.findIndex((e) => e.blockNumber >= from.blockNumber);
  if (first < 0) {
    return log.length;
  }
  if (from.txId === undefined) {
    return first;
  }
  const at = log.findIndex((e) => e.blockNumber === from.blockNumber && e.txId === from.txId);
  return at < 0 ? first : at + 1;
}
