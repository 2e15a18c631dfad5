import { HpfError } from '@hpf/chaincode/dist/domain';
import * as records from '@hpf/chaincode/dist/records';
import { ApiError } from '../errors';

/**
 * The chaincode's records, decoded by the chaincode's own factories (chaincode/src/records.ts): the
 * gateway reads a transfer or a withdrawal as the typed record the contracts use, never field by field.
 * A record that does not decode is the chaincode's fault: INTERNAL, naming the field.
 */

export type TransferRecord = records.TransferRecord;
export type HistoryEntry = records.HistoryEntry;
export type TransferOut = records.TransferOut;
export type WithdrawalRecord = records.WithdrawalRecord;
export type AlertJson = records.AlertJson;
export type ChaincodeStep = records.TransferStep;

/** The transfer state machine: who may take each step (the chaincode enforces it again). */
export const STEP_RULES = records.STEP_RULES;

/** A decoded attestation: a transfer or a withdrawal with its record. */
export type Attestation =
  | { readonly kind: 'transfer'; readonly record: TransferRecord }
  | { readonly kind: 'withdrawal'; readonly record: WithdrawalRecord };

function decoded<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof HpfError) {
      throw new ApiError('INTERNAL', `the chaincode returned a malformed ${what} (${err.text})`, {
        cause: err,
      });
    }
    throw err;
  }
}

export function decodeTransfer(value: unknown): TransferRecord {
  return decoded('transfer', () => records.transferFromJson(value));
}

export function decodeWithdrawal(value: unknown): WithdrawalRecord {
  return decoded('withdrawal', () => records.withdrawalFromJson(value));
}

/** The record of an attestation of `kind` (as the chaincode names it: `transfer` or `withdrawal`). */
export function decodeAttestation(kind: string, value: unknown): Attestation {
  if (kind === 'transfer') return { kind, record: decodeTransfer(value) };
  if (kind === 'withdrawal') return { kind, record: decodeWithdrawal(value) };
  throw new ApiError(
    'INTERNAL',
    `the chaincode returned an attestation of unknown kind "${kind.slice(0, 20)}"`,
  );
}

/**
 * The transactions that wrote an attestation, oldest first: a transfer's steps, or a withdrawal's
 * recording and its reversal.
 */
export function stepsOf(
  attestation: Attestation,
): { step: string; status: string; platformCode?: string; txId: string }[] {
  if (attestation.kind === 'transfer') {
    return attestation.record.history.map((h) => ({
      step: h.step,
      status: h.status,
      platformCode: h.platformCode,
      txId: h.txId,
    }));
  }
  const { record } = attestation;
  return [
    { step: 'RECORD', status: 'RECORDED', txId: record.txId },
    ...(record.reversal ? [{ step: 'REVERSE', status: 'REVERSED', txId: record.reversal.txId }] : []),
  ];
}

/** The transaction that wrote the attestation as it now is. */
export function latestTxIdOf(attestation: Attestation): string {
  return stepsOf(attestation).at(-1)?.txId ?? '';
}
