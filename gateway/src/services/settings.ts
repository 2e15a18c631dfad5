import type { LedgerClient } from '../fabric/ledger-client';
import type { LedgerWriter } from './ledger-writer';

/** The parts of the configuration the services need. */
export interface ServiceSettings {
  /** This gateway's centre, or null for the regulator. */
  readonly centreCode: string | null;
  readonly mspId: string;
  readonly regulatorMspId: string;
  readonly endorsingFallbackMsps: readonly string[];
  readonly pseudonymKey: Uint8Array;
}

/** What a service that writes to the ledger is given: the ledger to read, the writer, the settings. */
export interface WritingServiceOptions {
  readonly ledger: LedgerClient;
  readonly writer: LedgerWriter;
  readonly settings: ServiceSettings;
}

/** A write's answer: 201 when this request changed the ledger, 200 when it had already been done. */
export interface WriteOutcome {
  readonly status: 200 | 201;
  readonly record: Readonly<Record<string, unknown>>;
  readonly txId?: string;
}

/**
 * Who endorses a centre's own write (withdrawals, certificates): its own peer and the regulator; then
 * its own peer and each fallback centre, tried in order when an endorser is unavailable.
 */
export function independentEndorsementSets(settings: ServiceSettings): string[][] {
  const { mspId, regulatorMspId, endorsingFallbackMsps } = settings;
  const fallbacks = endorsingFallbackMsps.filter((m) => m !== mspId && m !== regulatorMspId);
  return [[mspId, regulatorMspId], ...fallbacks.map((m) => [mspId, m])];
}

/** The answer to a write: 200 with the record when it was a replay, else 201 with its transaction. */
export function writeOutcome(
  result: { readonly result: string; readonly txId: string; readonly replayed?: boolean },
  record: Readonly<Record<string, unknown>>,
): WriteOutcome {
  return result.replayed === true ? { status: 200, record } : { status: 201, record, txId: result.txId };
}
