import { parseAttestationId } from '../domain/shared';
import type { LedgerClient, LedgerEvent } from '../fabric/ledger-client';
import type { AuditService } from './audit-service';
import { startEventListener, type EventListener } from './event-listener';
import { decodeAttestation } from '../domain/records';
import { isJsonObject } from './json-record';
import type { IndexedRecord, LedgerIndex } from './ledger-index';

export interface LedgerIndexerOptions {
  readonly ledger: LedgerClient;
  readonly index: LedgerIndex;
  /** Reads each attestation's current record (an audit service without a verification cache). */
  readonly audit: Pick<AuditService, 'current'>;
  readonly onError: (err: unknown) => void;
  readonly retryDelayMs: number;
  /** Called after each event is indexed (e.g. progress in tests and benchmarks). */
  readonly onIndexed?: (position: string) => void;
  /**
   * Called once for every event as it arrives, before it is indexed: the gateway's metrics and its
   * verification cache ride on the index's event stream (one stream per gateway, not two).
   */
  readonly onEvent?: (type: string, attestationId: string | undefined) => void;
}

function statusOf(payload: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(payload);
    return isJsonObject(parsed) && typeof parsed.status === 'string' ? parsed.status : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The kind of an event's attestation when the index keeps a record of it (a transfer or a withdrawal).
 * Other events (certificates, certificate requests) are kept as events only: their IDs are not
 * attestation IDs, and reading them as such failed on every retry, which held the index back forever.
 */
function recordKindOf(id: string): IndexedRecord['kind'] | undefined {
  try {
    return parseAttestationId(id).kind;
  } catch {
    return undefined;
  }
}

/**
 * The public record the event's transaction wrote, which the chaincode puts in its transfer and
 * withdrawal events (`record`), decoded; undefined for events written before it did, or with a record
 * that does not decode (then the record is read from the ledger, like an old event's).
 */
function recordOf(kind: IndexedRecord['kind'], payload: string): IndexedRecord | undefined {
  try {
    const parsed: unknown = JSON.parse(payload);
    return isJsonObject(parsed) && isJsonObject(parsed.record)
      ? decodeAttestation(kind, parsed.record)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The most events one SQLite transaction holds during a catch-up. */
const MAX_BATCH = 500;
/** A batch is applied when no event arrived for this long (the end of a block on a live ledger). */
const IDLE_MS = 20;
/** Attestation records read at once from the ledger. */
const READ_CONCURRENCY = 8;

interface Pending {
  readonly type: string;
  readonly attestationId: string | undefined;
  readonly event: LedgerEvent;
}

/**
 * Feeds the index from the chaincode event stream with its own checkpoint, kept in the index: it
 * resumes where it stopped, and an empty (or deleted) index is rebuilt from block 0. Each event that
 * names an attestation stores that attestation's public record as its transaction wrote it (carried
 * in the event), so a rebuild ends with the same content as an index fed event by event. An event
 * without a record (from a chaincode before it carried one) has the record read from the ledger.
 *
 * Events are applied in batches (one block or more, up to {@link MAX_BATCH} events) in one SQLite
 * transaction; an attestation named by several events of a batch gets the record of the last of
 * them. A batch that fails is retried (the checkpoint only moves when it is applied); events the
 * listener delivers again after a reconnection are already in the batch or the index and change
 * nothing.
 */
export function startLedgerIndexer(options: Readonly<LedgerIndexerOptions>): EventListener {
  const { index } = options;
  let pending: Pending[] = [];
  let timer: NodeJS.Timeout | undefined;
  let applying: Promise<void> = Promise.resolve();
  let stopped = false;

  const read = async (ids: readonly string[]): Promise<Map<string, IndexedRecord>> => {
    const records = new Map<string, IndexedRecord>();
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(READ_CONCURRENCY, ids.length) }, async () => {
        while (next < ids.length) {
          const id = ids[next++] ?? '';
          const current = await options.audit.current(id);
          if (current) records.set(id, current);
        }
      }),
    );
    return records;
  };
  /**
   * Each attestation's record after the batch: the record its last event in the batch carries (what
   * that transaction wrote, so the ledger's state after the batch), or, for an event without one, the
   * record read from the ledger.
   */
  const recordsAfter = async (batch: readonly Pending[]): Promise<Map<string, IndexedRecord>> => {
    const carried = new Map<string, IndexedRecord | undefined>();
    for (const p of batch) {
      const kind = p.attestationId === undefined ? undefined : recordKindOf(p.attestationId);
      if (p.attestationId === undefined || kind === undefined) continue;
      carried.set(p.attestationId, recordOf(kind, p.event.payload));
    }
    const missing = [...carried].filter(([, r]) => r === undefined).map(([id]) => id);
    const records = await read(missing);
    for (const [id, indexed] of carried) if (indexed !== undefined) records.set(id, indexed);
    return records;
  };
  const applyBatch = async (batch: readonly Pending[]): Promise<void> => {
    const records = await recordsAfter(batch);
    index.applyAll(
      batch.map((p) => ({
        event: p.event,
        type: p.type,
        status: statusOf(p.event.payload),
        indexed: p.attestationId === undefined ? undefined : records.get(p.attestationId),
      })),
    );
    options.onIndexed?.(index.position() ?? '');
  };
  /** Applies what is pending, after the batch before it; a failure is retried after retryDelayMs. */
  const flush = (): Promise<void> => {
    clearTimeout(timer);
    const batch = pending;
    pending = [];
    if (batch.length === 0) return applying;
    applying = applying.then(async () => {
      for (;;) {
        try {
          await applyBatch(batch);
          return;
        } catch (err) {
          if (stopped) return;
          options.onError(err);
          await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs));
        }
      }
    });
    return applying;
  };

  const listener = startEventListener({
    ledger: options.ledger,
    checkpoint: index.checkpoint(),
    retryDelayMs: options.retryDelayMs,
    onError: options.onError,
    onEvent: async (type, attestationId, event) => {
      const last = pending.at(-1)?.event;
      const seen = pending.some(
        (p) => p.event.txId === event.txId && p.event.blockNumber === event.blockNumber,
      );
      if (seen) return;
      options.onEvent?.(type, attestationId);
      // A full batch, at a block boundary, is applied before more events are taken (back-pressure).
      if (pending.length >= MAX_BATCH && last !== undefined && last.blockNumber !== event.blockNumber) {
        await flush();
      }
      pending.push({ type, attestationId, event });
      clearTimeout(timer);
      timer = setTimeout(() => void flush(), IDLE_MS);
    },
  });
  return {
    position: () => index.position(),
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      listener.stop();
    },
  };
}
