import { ApiError, invalidField } from '../errors';
import type { LedgerClient } from '../fabric/ledger-client';
import { parseJsonObject, stringField } from './json-record';

export interface CentreDirectory {
  /** The MSP ID of a registered centre; NOT_FOUND when the registry does not know it. */
  mspIdOf(centreCode: string): Promise<string>;
  /** Like mspIdOf, but an unknown centre is a VALIDATION_FAILED on the named field. */
  mspIdForField(centreCode: string, field: string): Promise<string>;
  /** The registered name of a centre (printed on its certificates). */
  nameOf(centreCode: string): Promise<string>;
}

export interface CentreDirectoryOptions {
  readonly ledger: LedgerClient;
  /** How long a registry answer is reused; centres join rarely. */
  readonly ttlMs: number;
  readonly now?: () => number;
}

class CentreDirectoryImpl implements CentreDirectory {
  readonly #ledger: LedgerClient;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, { mspId: string; name: string; at: number }>();

  constructor(options: Readonly<CentreDirectoryOptions>) {
    this.#ledger = options.ledger;
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  async #entry(centreCode: string): Promise<{ mspId: string; name: string }> {
    const cached = this.#cache.get(centreCode);
    if (cached && this.#now() - cached.at < this.#ttlMs) {
      return cached;
    }
    const centre = parseJsonObject(
      await this.#ledger.evaluate('registry', 'GetCentre', [centreCode]),
      'centre',
    );
    const entry = { mspId: stringField(centre, 'mspId'), name: stringField(centre, 'name') };
    this.#cache.set(centreCode, { ...entry, at: this.#now() });
    return entry;
  }

  async mspIdOf(centreCode: string): Promise<string> {
    return (await this.#entry(centreCode)).mspId;
  }

  async nameOf(centreCode: string): Promise<string> {
    return (await this.#entry(centreCode)).name;
  }

  async mspIdForField(centreCode: string, field: string): Promise<string> {
    try {
      return await this.mspIdOf(centreCode);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'NOT_FOUND') {
        throw invalidField(field, 'is not a registered centre');
      }
      throw err;
    }
  }
}

/** Centre code → MSP ID, from the ledger's registry, cached. */
export function newCentreDirectory(options: Readonly<CentreDirectoryOptions>): CentreDirectory {
  return new CentreDirectoryImpl(options);
}
