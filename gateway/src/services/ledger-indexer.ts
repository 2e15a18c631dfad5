import type { LedgerClient } from '../fabric/ledger-client';
import type { AuditService } from './audit-service';
import { startEventListener, type EventListener } from './event-listener';
import { isJsonObject } from './json-record';
import type { LedgerIndex } from './ledger-index';

export interface LedgerIndexerOptions {
  readonly ledger: LedgerClient;
  readonly index: LedgerIndex;
  /** Reads each attestation's current record (an audit service without a verification cache). */
  readonly audit: Pick<AuditService, 'current'>;
  readonly onError: (err: unknown) => void;
  readonly retryDelayMs: number;
  /** Called after each event is indexed (e.g. progress in tests and benchmarks). */
  readonly onIndexed?: (position: string) => void;
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
 * Feeds the index from the chaincode event stream with its own checkpoint, kept in the index: it
 * resumes where it stopped, and an empty (or deleted) index is rebuilt from block 0. Each event that
 * names an attestation stores that attestation's current public state as the ledger reports it, so a
 * rebuild ends with the same content as an index fed event by event.
 */
export function startLedgerIndexer(options: Readonly<LedgerIndexerOptions>): EventListener {
  const { index } = options;
  return startEventListener({
    ledger: options.ledger,
    checkpoint: index.checkpoint(),
    retryDelayMs: options.retryDelayMs,
    onError: options.onError,
    onEvent: async (type, attestationId, event) => {
      const current = attestationId === undefined ? undefined : await options.audit.current(attestationId);
      const kind = current?.kind;
      index.apply(
        event,
        type,
        statusOf(event.payload),
        current && (kind === 'transfer' || kind === 'withdrawal')
          ? { kind, record: current.record }
          : undefined,
      );
      options.onIndexed?.(index.position() ?? '');
    },
  });
}
