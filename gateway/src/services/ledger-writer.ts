import { ApiError } from '../errors';
import type { ContractName, LedgerClient, SubmitOptions, SubmitResult } from '../fabric/ledger-client';
import type { Readiness } from './readiness';

export interface WriteRequest {
  readonly contract: ContractName;
  readonly transaction: string;
  readonly args: readonly string[];
  readonly transient?: Readonly<Record<string, string>>;
  /** Endorsement sets to try in order; the next is tried only when endorsers were unavailable. */
  readonly endorsementSets: readonly (readonly string[])[];
  /** See {@link SubmitOptions.skipCommit}. */
  readonly skipCommit?: SubmitOptions['skipCommit'];
}

export interface LedgerWriterOptions {
  readonly ledger: LedgerClient;
  /** Retries after an MVCC / phantom read conflict or endorsers that disagreed, per endorsement set. */
  readonly maxConflictRetries: number;
  readonly baseBackoffMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Writes are refused with 503 before anything is endorsed while this organisation's peer or
   * chaincode server cannot serve; a write that finds them down makes the next one check again.
   */
  readonly readiness?: Pick<Readiness, 'requireReady' | 'invalidate'>;
}

export interface LedgerWriter {
  write(request: WriteRequest): Promise<SubmitResult>;
}

const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

class LedgerWriterImpl implements LedgerWriter {
  readonly #options: Readonly<LedgerWriterOptions>;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: Readonly<LedgerWriterOptions>) {
    this.#options = options;
    this.#sleep = options.sleep ?? defaultSleep;
  }

  async #withConflictRetries(request: WriteRequest, orgs: readonly string[]): Promise<SubmitResult> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.#options.ledger.submit(request.contract, request.transaction, request.args, {
          transient: request.transient,
          endorsingOrganizations: orgs,
          skipCommit: request.skipCommit,
        });
      } catch (err) {
        // A read conflict at commit, or an endorser that had not the latest block yet: the same
        // endorsement set again, after a growing wait.
        if (
          !(err instanceof ApiError) ||
          (err.retry !== 'read-conflict' && err.retry !== 'endorser-behind') ||
          attempt >= this.#options.maxConflictRetries
        ) {
          throw err;
        }
        const backoff = this.#options.baseBackoffMs * 2 ** attempt;
        await this.#sleep(backoff + Math.floor(Math.random() * backoff));
      }
    }
  }

  async write(request: WriteRequest): Promise<SubmitResult> {
    await this.#options.readiness?.requireReady();
    try {
      return await this.#write(request);
    } catch (err) {
      if (err instanceof ApiError && err.unavailable === 'own') {
        this.#options.readiness?.invalidate();
      }
      throw err;
    }
  }

  async #write(request: WriteRequest): Promise<SubmitResult> {
    // The error is built only when needed: an Error captures a stack trace, on every write otherwise.
    let lastError: ApiError | undefined;
    for (const orgs of request.endorsementSets) {
      try {
        return await this.#withConflictRetries(request, orgs);
      } catch (err) {
        if (!(err instanceof ApiError) || err.retry !== 'endorser-unavailable') {
          throw err;
        }
        lastError = err;
      }
    }
    throw lastError ?? new ApiError('ENDORSEMENT_FAILED', 'no endorsement set was configured');
  }
}

/**
 * Submits writes with the two recoveries Fabric needs: bounded, jittered backoff after a read
 * conflict at commit, and falling back to the next endorsement set when an endorser is unavailable.
 */
export function newLedgerWriter(options: Readonly<LedgerWriterOptions>): LedgerWriter {
  return new LedgerWriterImpl(options);
}
