import { canonicalJson, type Json } from './codec';
import { hpfError } from './domain/errors';
import type { HistoryEntry, TransferRecord, TransferStep } from './model/transfer';

/**
 * Idempotent transfer steps (docs/decisions/0022-idempotent-steps.md). A step not allowed from the current
 * status is a replay when the latest entry of that step in the history was taken by the same centre
 * with the same data; then the chaincode answers with the record as it is, writes nothing and the
 * gateway drops the transaction before ordering (the record's last history txId is not the new one).
 * So of two concurrent identical steps one commits and the other, after its MVCC retry, is a replay.
 */

/** The data of a step as comparable JSON: what the request carried, after validation. */
export type StepData = Json;

/** The data the record holds for `entry`, the latest entry of its step. */
function storedStepData(record: TransferRecord, entry: HistoryEntry): StepData {
  switch (entry.step) {
    case 'REJECT':
      return record.reject === undefined ? null : { ...record.reject };
    case 'CONFIRM_OUT':
      return record.transferOut === undefined ? null : { ...record.transferOut };
    case 'COMPLETE':
      return record.completion === undefined
        ? null
        : { receivedFen: record.completion.receivedFen, receivedOn: record.completion.receivedOn };
    case 'DISPUTE':
    case 'FAIL':
      return { messageHash: entry.messageHash ?? null };
    default:
      return {};
  }
}

/**
 * For a step the current status does not allow: true when it repeats the latest entry of the same
 * step (same centre, same data); CONFLICT when that step was taken with other data or by the other
 * centre; false when it was never taken (the caller answers INVALID_STATE).
 */
export function isStepReplay(
  record: TransferRecord,
  step: Exclude<TransferStep, 'REQUEST'>,
  callerMsp: string,
  data: StepData,
): boolean {
  const latest = [...record.history].reverse().find((entry) => entry.step === step);
  if (latest === undefined) {
    return false;
  }
  if (latest.by === callerMsp && canonicalJson(storedStepData(record, latest)) === canonicalJson(data)) {
    return true;
  }
  throw hpfError(
    'CONFLICT',
    `${step}: already taken on this transfer with different data (the transfer is ${record.status})`,
  );
}
