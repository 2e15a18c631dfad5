import { ApiError } from '../errors';
import type { LedgerClient } from '../fabric/ledger-client';

/** What /readyz says, and what gates writes. */
export interface ReadinessReport {
  readonly ready: boolean;
  /** Why not, in words fit for an operator (no cause's message). */
  readonly reason?: string;
  /** meta:Version as this organisation's chaincode answered it. */
  readonly chaincode?: unknown;
  /** When the check behind this report ran (ISO-8601). */
  readonly checkedAt: string;
}

export interface Readiness {
  /** The last report if younger than the cache time, else a new check (one at a time). */
  check(): Promise<ReadinessReport>;
  /** Throws 503 UNAVAILABLE (with Retry-After) when the last or a new check says not ready. */
  requireReady(): Promise<void>;
  /** Forgets the cached report, e.g. after a write found the own chaincode server down. */
  invalidate(): void;
  /** From now on, not ready: the gateway is shutting down. */
  shutDown(): void;
}

export interface ReadinessOptions {
  readonly ledger: LedgerClient;
  /** This organisation's MSP ID: the check is answered by its own peer and chaincode server only. */
  readonly mspId: string;
  /** Deadline of the check: a hung chaincode server or peer counts as not ready after this. */
  readonly timeoutMs: number;
  /** How long a report is reused, so that /readyz and writes do not each cost an evaluate. */
  readonly cacheMs: number;
  readonly now?: () => number;
}

/** The Retry-After of a 503 for "not ready": the cache time rounded up, at least 1 s. */
function retryAfterSeconds(cacheMs: number): number {
  return Math.max(1, Math.ceil(cacheMs / 1000));
}

class ReadinessImpl implements Readiness {
  readonly #options: Readonly<ReadinessOptions>;
  readonly #now: () => number;
  #last: { report: ReadinessReport; at: number } | undefined;
  #inFlight: Promise<ReadinessReport> | undefined;
  #shutDown = false;

  constructor(options: Readonly<ReadinessOptions>) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  async #probe(): Promise<ReadinessReport> {
    const checkedAt = new Date(this.#now()).toISOString();
    try {
      const answer = await this.#options.ledger.evaluate('meta', 'Version', [], {
        endorsingOrganizations: [this.#options.mspId],
        timeoutMs: this.#options.timeoutMs,
      });
      return { ready: true, chaincode: JSON.parse(answer) as unknown, checkedAt };
    } catch (err) {
      return { ready: false, reason: reasonOf(err, this.#options.timeoutMs), checkedAt };
    }
  }

  check(): Promise<ReadinessReport> {
    if (this.#shutDown) {
      return Promise.resolve({
        ready: false,
        reason: 'the gateway is shutting down',
        checkedAt: new Date(this.#now()).toISOString(),
      });
    }
    const last = this.#last;
    if (last !== undefined && this.#now() - last.at < this.#options.cacheMs) {
      return Promise.resolve(last.report);
    }
    this.#inFlight ??= this.#probe().then((report) => {
      this.#last = { report, at: this.#now() };
      this.#inFlight = undefined;
      return report;
    });
    return this.#inFlight;
  }

  async requireReady(): Promise<void> {
    const report = await this.check();
    if (!report.ready) {
      throw new ApiError('UNAVAILABLE', report.reason ?? 'not ready', {
        unavailable: 'own',
        retryAfterSeconds: retryAfterSeconds(this.#options.cacheMs),
      });
    }
  }

  invalidate(): void {
    this.#last = undefined;
  }

  shutDown(): void {
    this.#shutDown = true;
  }
}

function reasonOf(err: unknown, timeoutMs: number): string {
  if (err instanceof ApiError) {
    if (err.code === 'UNAVAILABLE' && err.message.includes('did not answer in time')) {
      return `this organisation's peer or chaincode server did not answer meta:Version within ${timeoutMs} ms`;
    }
    if (err.code === 'UNAVAILABLE') {
      return err.message;
    }
    return `meta:Version failed on this organisation's peer (${err.code})`;
  }
  return "meta:Version failed on this organisation's peer";
}

/**
 * Readiness = this organisation's own peer answers and its own chaincode server serves: a cheap
 * evaluate of meta:Version sent to the own organisation's peer only (another organisation's peer
 * answering says nothing about ours), with a short deadline, cached for a short time.
 */
export function newReadiness(options: Readonly<ReadinessOptions>): Readiness {
  return new ReadinessImpl(options);
}
