import { LRUCache } from 'lru-cache';
import type { JsonObject } from './json-record';

/**
 * Answers of `audit:Verify`, kept until the attestation's next chaincode event.
 *
 * Every transaction that changes an attestation emits exactly one chaincode event naming it (API.md),
 * and the gateway's checkpointed event listener reads them all in ledger order. So an answer can be
 * reused until an event for its attestation arrives. The generation check closes the race where an
 * event lands while the answer is being read: an answer read before an event is never stored after it.
 *
 * Staleness is bounded twice: normally by event delivery (milliseconds after the peer commits), and
 * by `maxAgeMs` whatever happens, for instance while the listener reconnects. It then resumes from its
 * checkpoint, so missed events still invalidate what they must.
 */
export interface VerificationCache {
  /** The generation to pass to {@link store}; read it before asking the ledger. */
  generation(attestationId: string): number;
  lookup(attestationId: string, key: string): JsonObject | undefined;
  /** Stores the answer unless an event for the attestation arrived since `generation` was read. */
  store(attestationId: string, key: string, answer: JsonObject, generation: number): void;
  /** An event named the attestation: forget its answers. */
  invalidate(attestationId: string): void;
  /** The event stream broke: forget everything. */
  clear(): void;
}

export interface VerificationCacheOptions {
  readonly maxEntries: number;
  readonly maxAgeMs: number;
  readonly now?: () => number;
}

interface Entry {
  readonly answers: Map<string, { readonly answer: JsonObject; readonly at: number }>;
}

class VerificationCacheImpl implements VerificationCache {
  readonly #entries: LRUCache<string, Entry>;
  readonly #generations = new Map<string, number>();
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #epoch = 0;

  constructor(options: Readonly<VerificationCacheOptions>) {
    this.#entries = new LRUCache<string, Entry>({ max: options.maxEntries });
    this.#maxAgeMs = options.maxAgeMs;
    this.#now = options.now ?? Date.now;
  }

  generation(attestationId: string): number {
    return this.#epoch + (this.#generations.get(attestationId) ?? 0);
  }

  lookup(attestationId: string, key: string): JsonObject | undefined {
    const hit = this.#entries.get(attestationId)?.answers.get(key);
    return hit !== undefined && this.#now() - hit.at <= this.#maxAgeMs ? hit.answer : undefined;
  }

  store(attestationId: string, key: string, answer: JsonObject, generation: number): void {
    if (generation !== this.generation(attestationId)) {
      return;
    }
    const entry = this.#entries.get(attestationId) ?? { answers: new Map() };
    entry.answers.set(key, { answer, at: this.#now() });
    this.#entries.set(attestationId, entry);
  }

  invalidate(attestationId: string): void {
    this.#entries.delete(attestationId);
    // Only ids that have answers (or are being read) need a generation; keep the map bounded anyway.
    if (this.#generations.size > 100_000) {
      this.#generations.clear();
      this.#epoch += 1_000_000;
    }
    this.#generations.set(attestationId, (this.#generations.get(attestationId) ?? 0) + 1);
  }

  clear(): void {
    this.#entries.clear();
    this.#generations.clear();
    this.#epoch += 1_000_000;
  }
}

export function newVerificationCache(options: Readonly<VerificationCacheOptions>): VerificationCache {
  return new VerificationCacheImpl(options);
}
