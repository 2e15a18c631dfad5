import { transferAttestationId } from '../domain/attestation-id';
import {
  isTransferStatus,
  PLATFORM_CODE_COMPLETED_AFTER_NEGOTIATION,
  TERMINAL_TRANSFER_STATUSES,
  TRANSFER_STATUSES,
  type TransferStatus,
} from '../domain/codes';
import { invalid } from '../domain/errors';
import {
  readArray,
  readBoolean,
  readInteger,
  readObject,
  readOptionalString,
  readString,
  type UncheckedObject,
} from '../domain/json-fields';
import {
  validateCentreCode,
  formatFen,
  parseMoneyToFen,
  validateDate,
  validatePublicReference,
  validateSha256Hex,
  validateYearMonth,
} from '../domain/validators';

export type TransferStep =
  'REQUEST' | 'CANCEL' | 'ACCEPT' | 'REJECT' | 'CONFIRM_OUT' | 'DISPUTE' | 'COMPLETE' | 'FAIL';
export type Actor = 'source' | 'destination' | 'either';

export type TransferOut = {
  readonly principalFen: number;
  readonly interestFen: number;
  readonly amountFen: number;
  readonly amount: string;
  readonly openedOn: string;
  readonly paidUpTo: string;
  readonly continuous6Months: boolean;
  readonly loanCount: number;
  readonly unsettledLoan: boolean;
  readonly fraudRecord: boolean;
  readonly settlementRef: string;
};

export type Completion = {
  readonly receivedFen: number;
  readonly receivedAmount: string;
  readonly receivedOn: string;
};
/** The public part of a rejection: the code and the fingerprint of the text (kept in the two collections). */
export type Rejection = { readonly reasonCode: string; readonly messageHash: string };

export type HistoryEntry = {
  readonly step: TransferStep;
  readonly status: TransferStatus;
  readonly platformCode: string;
  /** The acting organisation's MSP ID. */
  readonly by: string;
  /** The acting centre: the destination's for its steps, the source's for the source's. */
  readonly centre: string;
  readonly at: string;
  readonly txId: string;
  /** sha256 hex of the step's free text (reject / dispute / fail); the text is private. */
  readonly messageHash?: string;
};

/** The public transfer record: centre codes, MSP IDs, subjectRef and hashes; no personal data. */
export type TransferRecord = {
  readonly transferId: string;
  /** `transfer:<transferId>` (typed attestation ID; derived, never trusted from storage). */
  readonly attestationId: string;
  readonly fromCentre: string;
  readonly toCentre: string;
  readonly fromMsp: string;
  readonly toMsp: string;
  readonly subjectRef: string;
  readonly personHash: string;
  readonly status: TransferStatus;
  readonly platformCode: string;
  readonly transferOut?: TransferOut;
  readonly completion?: Completion;
  readonly reject?: Rejection;
  readonly history: readonly HistoryEntry[];
  readonly createdAt: string;
  readonly updatedAt: string;
};

export type StepRule = {
  readonly actor: Actor;
  readonly from: readonly TransferStatus[];
  readonly to: TransferStatus;
  readonly event: string;
};

/**
 * Open transfer-out: accepted by the source and not finished. A REQUESTED transfer is not open: a
 * request blocks nothing at the source, and several destinations may ask for the same person; the
 * source's acceptance freezes the account (docs/decisions/0220-review-before-freezing.md).
 */
const OPEN: readonly TransferStatus[] = ['ACCEPTED', 'OUT_CONFIRMED', 'NEGOTIATING'];

/** The transfer state machine (API.md). Anything not listed is INVALID_STATE. */
export const STEP_RULES: Readonly<Record<Exclude<TransferStep, 'REQUEST'>, StepRule>> = {
  CANCEL: { actor: 'destination', from: ['REQUESTED'], to: 'CANCELLED', event: 'transfer.cancelled' },
  ACCEPT: { actor: 'source', from: ['REQUESTED'], to: 'ACCEPTED', event: 'transfer.accepted' },
  REJECT: { actor: 'source', from: ['REQUESTED', 'ACCEPTED'], to: 'REJECTED', event: 'transfer.rejected' },
  CONFIRM_OUT: {
    actor: 'source',
    from: ['ACCEPTED', 'NEGOTIATING'],
    to: 'OUT_CONFIRMED',
    event: 'transfer.out-confirmed',
  },
  DISPUTE: { actor: 'destination', from: ['OUT_CONFIRMED'], to: 'NEGOTIATING', event: 'transfer.disputed' },
  // From NEGOTIATING too: a negotiation that ends with the funds as sent closes as 20 (decision 0221).
  COMPLETE: {
    actor: 'destination',
    from: ['OUT_CONFIRMED', 'NEGOTIATING'],
    to: 'COMPLETED',
    event: 'transfer.completed',
  },
  FAIL: { actor: 'either', from: ['REQUESTED', ...OPEN], to: 'FAILED', event: 'transfer.failed' },
};

/** While open (accepted, not finished), the person's account at the source is "in transfer-out". */
export function isOpenTransfer(status: TransferStatus): boolean {
  return OPEN.includes(status);
}

export function isTerminalTransfer(status: TransferStatus): boolean {
  return TERMINAL_TRANSFER_STATUSES.includes(status);
}

/** The platform code of a status; a completion after any negotiation is 20 rather than 00. */
export function platformCodeFor(status: TransferStatus, history: readonly HistoryEntry[]): string {
  if (status === 'COMPLETED' && history.some((entry) => entry.status === 'NEGOTIATING')) {
    return PLATFORM_CODE_COMPLETED_AFTER_NEGOTIATION;
  }
  return TRANSFER_STATUSES[status];
}

// ---- arguments ----------------------------------------------------------------------------------

/** `{"messageHash"}` of Dispute / Fail: the fingerprint of the text sent in the transient map. */
export function messageHashFromJson(value: unknown, what: string): string {
  const object = readObject(value, what, ['messageHash']);
  return validateSha256Hex(readString(object, 'messageHash', what), `${what}.messageHash`);
}

/** `{"reasonCode","messageHash"}` of Reject. */
export function rejectionFromJson(value: unknown): Rejection {
  const object = readObject(value, 'reject', ['reasonCode', 'messageHash']);
  const reasonCode = readString(object, 'reasonCode', 'reject');
  if (!/^[0-9]{2}$/.test(reasonCode)) {
    throw invalid('reject.reasonCode', 'must be a 2-digit code');
  }
  return {
    reasonCode,
    messageHash: validateSha256Hex(readString(object, 'messageHash', 'reject'), 'reject.messageHash'),
  };
}

const TRANSFER_OUT_KEYS = [
  'principal',
  'interest',
  'openedOn',
  'paidUpTo',
  'continuous6Months',
  'loanCount',
  'unsettledLoan',
  'fraudRecord',
  'settlementRef',
];

function transferOutFlags(
  object: UncheckedObject,
): Pick<TransferOut, 'continuous6Months' | 'loanCount' | 'unsettledLoan' | 'fraudRecord' | 'settlementRef'> {
  return {
    continuous6Months: readBoolean(object, 'continuous6Months', 'transferOut'),
    loanCount: readInteger(object, 'loanCount', 0, 99, 'transferOut'),
    unsettledLoan: readBoolean(object, 'unsettledLoan', 'transferOut'),
    fraudRecord: readBoolean(object, 'fraudRecord', 'transferOut'),
    settlementRef: validatePublicReference(
      readString(object, 'settlementRef', 'transferOut'),
      'transferOut.settlementRef',
      64,
    ),
  };
}

/**
 * The transfer-out data of ConfirmOut. Interest may be 0.00 (an account settled on 30 June has
 * accrued none); the principal and so the amount must be > 0.
 */
export function transferOutFromJson(value: unknown): TransferOut {
  const object = readObject(value, 'transferOut', TRANSFER_OUT_KEYS);
  const principalFen = parseMoneyToFen(
    readString(object, 'principal', 'transferOut'),
    'transferOut.principal',
  );
  const interestFen = parseMoneyToFen(
    readString(object, 'interest', 'transferOut'),
    'transferOut.interest',
    true,
  );
  const amountFen = principalFen + interestFen;
  const openedOn = validateDate(readString(object, 'openedOn', 'transferOut'), 'transferOut.openedOn');
  const paidUpTo = validateYearMonth(readString(object, 'paidUpTo', 'transferOut'), 'transferOut.paidUpTo');
  if (paidUpTo < openedOn.slice(0, 7).replace('-', '')) {
    throw invalid('transferOut.paidUpTo', 'must not be before the month the account was opened');
  }
  return {
    principalFen,
    interestFen,
    amountFen,
    amount: formatFen(amountFen),
    openedOn,
    paidUpTo,
    ...transferOutFlags(object),
  };
}

export type CompletionInput = { readonly receivedFen: number; readonly receivedOn: string };

export function completionFromJson(value: unknown): CompletionInput {
  const object = readObject(value, 'completion', ['receivedAmount', 'receivedOn']);
  return {
    receivedFen: parseMoneyToFen(
      readString(object, 'receivedAmount', 'completion'),
      'completion.receivedAmount',
    ),
    receivedOn: validateDate(readString(object, 'receivedOn', 'completion'), 'completion.receivedOn'),
  };
}

// ---- stored state -------------------------------------------------------------------------------

function statusOf(object: UncheckedObject, path: string): TransferStatus {
  const status = readString(object, 'status', path);
  if (!isTransferStatus(status)) {
    throw invalid(`${path}.status`, 'unknown transfer status');
  }
  return status;
}

const STEPS: readonly TransferStep[] = [
  'REQUEST',
  'CANCEL',
  'ACCEPT',
  'REJECT',
  'CONFIRM_OUT',
  'DISPUTE',
  'COMPLETE',
  'FAIL',
];

function historyEntryFromJson(value: unknown, path: string): HistoryEntry {
  const object = readObject(value, path);
  const step = readString(object, 'step', path);
  const known = STEPS.find((candidate) => candidate === step);
  if (known === undefined) {
    throw invalid(`${path}.step`, 'unknown step');
  }
  return {
    step: known,
    status: statusOf(object, path),
    platformCode: readString(object, 'platformCode', path),
    by: readString(object, 'by', path),
    centre: validateCentreCode(readString(object, 'centre', path), `${path}.centre`),
    at: readString(object, 'at', path),
    txId: readString(object, 'txId', path),
    messageHash: readOptionalString(object, 'messageHash', path),
  };
}

function storedTransferOut(value: unknown): TransferOut | undefined {
  if (value === undefined) {
    return undefined;
  }
  const object = readObject(value, 'transferOut');
  const path = 'transferOut';
  return {
    principalFen: readInteger(object, 'principalFen', 0, Number.MAX_SAFE_INTEGER, path),
    interestFen: readInteger(object, 'interestFen', 0, Number.MAX_SAFE_INTEGER, path),
    amountFen: readInteger(object, 'amountFen', 0, Number.MAX_SAFE_INTEGER, path),
    amount: readString(object, 'amount', path),
    openedOn: readString(object, 'openedOn', path),
    paidUpTo: readString(object, 'paidUpTo', path),
    ...transferOutFlags(object),
  };
}

function storedCompletion(value: unknown): Completion | undefined {
  if (value === undefined) {
    return undefined;
  }
  const object = readObject(value, 'completion');
  return {
    receivedFen: readInteger(object, 'receivedFen', 0, Number.MAX_SAFE_INTEGER, 'completion'),
    receivedAmount: readString(object, 'receivedAmount', 'completion'),
    receivedOn: readString(object, 'receivedOn', 'completion'),
  };
}

function storedRejection(value: unknown): Rejection | undefined {
  if (value === undefined) {
    return undefined;
  }
  const object = readObject(value, 'reject');
  return {
    reasonCode: readString(object, 'reasonCode', 'reject'),
    messageHash: readString(object, 'messageHash', 'reject'),
  };
}

/** Rebuilds a transfer record from stored state (never a cast). */
export function transferFromJson(value: unknown): TransferRecord {
  const object = readObject(value, 'transfer');
  const transferId = readString(object, 'transferId');
  return {
    transferId,
    attestationId: transferAttestationId(transferId),
    fromCentre: readString(object, 'fromCentre'),
    toCentre: readString(object, 'toCentre'),
    fromMsp: readString(object, 'fromMsp'),
    toMsp: readString(object, 'toMsp'),
    subjectRef: readString(object, 'subjectRef'),
    personHash: readString(object, 'personHash'),
    status: statusOf(object, 'transfer'),
    platformCode: readString(object, 'platformCode'),
    transferOut: storedTransferOut(object.transferOut),
    completion: storedCompletion(object.completion),
    reject: storedRejection(object.reject),
    history: readArray(object, 'history', 1000).map((entry, index) =>
      historyEntryFromJson(entry, `history[${index}]`),
    ),
    createdAt: readString(object, 'createdAt'),
    updatedAt: readString(object, 'updatedAt'),
  };
}
