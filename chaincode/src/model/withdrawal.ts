import { withdrawalAttestationId } from '../domain/attestation-id';
import {
  EVIDENCE_KINDS,
  HOME_EVIDENCE_KINDS,
  isEvidenceKind,
  isWithdrawalReasonCode,
  WITHDRAWAL_REASONS,
  type EvidenceKind,
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
  formatFen,
  parseMoneyToFen,
  validateCentreCode,
  validateDate,
  validateSha256Hex,
  validateSubjectRef,
  validateWithdrawalId,
} from '../domain/validators';
import type { AlertJson } from '../ledger';

export type Evidence = { readonly kind: EvidenceKind; readonly hash: string };

/** A validated withdrawal input; `amount` is re-formatted from fen so equal inputs compare equal. */
export type WithdrawalInput = {
  readonly withdrawalId: string;
  readonly centre: string;
  readonly subjectRef: string;
  readonly reasonCode: string;
  readonly amountFen: number;
  readonly amount: string;
  readonly closesAccount: boolean;
  readonly evidence: readonly Evidence[];
  readonly withdrawnOn: string;
};

/** The public part of a reversal: the reason's fingerprint; the text is in the centre's collection. */
export type Reversal = { readonly reasonHash: string; readonly at: string; readonly txId: string };

export type WithdrawalRecord = WithdrawalInput & {
  /** `withdrawal:<centre>:<withdrawalId>` (typed attestation ID; derived, never trusted from storage). */
  readonly attestationId: string;
  readonly status: 'RECORDED' | 'REVERSED';
  readonly alerts: readonly AlertJson[];
  readonly recordedAt: string;
  readonly txId: string;
  readonly reversal?: Reversal;
};

/** Reasons about a home: they need at least one piece of home evidence, or the duplicate rule is moot. */
const HOME_REASONS: readonly string[] = ['01', '02', '10'];
const MAX_EVIDENCE = 20;

function evidenceFromJson(value: unknown, path: string): Evidence {
  const object = readObject(value, path, ['kind', 'hash']);
  const kind = readString(object, 'kind', path);
  if (!isEvidenceKind(kind)) {
    throw invalid(`${path}.kind`, `must be one of ${EVIDENCE_KINDS.join(', ')}`);
  }
  return { kind, hash: validateSha256Hex(readString(object, 'hash', path), `${path}.hash`) };
}

function evidenceListFromJson(object: UncheckedObject, reasonCode: string): Evidence[] {
  const evidence = readArray(object, 'evidence', MAX_EVIDENCE)
    .map((item, index) => evidenceFromJson(item, `evidence[${index}]`))
    .sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  if (new Set(evidence.map((item) => item.hash)).size !== evidence.length) {
    throw invalid('evidence', 'each hash may appear once');
  }
  if (
    HOME_REASONS.includes(reasonCode) &&
    !evidence.some((item) => HOME_EVIDENCE_KINDS.includes(item.kind))
  ) {
    throw invalid('evidence', `reason ${reasonCode} needs a ${HOME_EVIDENCE_KINDS.join(' / ')}`);
  }
  return evidence;
}

/**
 * The reason and `closesAccount`: optional, defaulting to the reason's entry in the table (true for
 * retirement, incapacity, settling abroad and death); the caller may choose either for any reason.
 */
function reasonFromJson(object: UncheckedObject): { reasonCode: string; closesAccount: boolean } {
  const reasonCode = readString(object, 'reasonCode');
  if (!isWithdrawalReasonCode(reasonCode)) {
    throw invalid('reasonCode', `must be one of ${Object.keys(WITHDRAWAL_REASONS).join(', ')}`);
  }
  const closesAccount =
    object.closesAccount === undefined
      ? WITHDRAWAL_REASONS[reasonCode].closesAccount
      : readBoolean(object, 'closesAccount');
  return { reasonCode, closesAccount };
}

const INPUT_KEYS = [
  'withdrawalId',
  'centre',
  'subjectRef',
  'reasonCode',
  'amount',
  'closesAccount',
  'evidence',
  'withdrawnOn',
];

/** Validates a Record / Precheck argument. */
export function withdrawalInputFromJson(value: unknown): WithdrawalInput {
  const object = readObject(value, 'withdrawal', INPUT_KEYS);
  const { reasonCode, closesAccount } = reasonFromJson(object);
  const amountFen = parseMoneyToFen(readString(object, 'amount'), 'amount');
  return {
    withdrawalId: validateWithdrawalId(readString(object, 'withdrawalId')),
    centre: validateCentreCode(readString(object, 'centre'), 'centre'),
    subjectRef: validateSubjectRef(readString(object, 'subjectRef')),
    reasonCode,
    amountFen,
    amount: formatFen(amountFen),
    closesAccount,
    evidence: evidenceListFromJson(object, reasonCode),
    withdrawnOn: validateDate(readString(object, 'withdrawnOn'), 'withdrawnOn'),
  };
}

/** The input part of a record, for idempotency comparisons. */
export function inputOf(record: WithdrawalInput): WithdrawalInput {
  return {
    withdrawalId: record.withdrawalId,
    centre: record.centre,
    subjectRef: record.subjectRef,
    reasonCode: record.reasonCode,
    amountFen: record.amountFen,
    amount: record.amount,
    closesAccount: record.closesAccount,
    evidence: record.evidence,
    withdrawnOn: record.withdrawnOn,
  };
}

export function alertFromJson(value: unknown, path: string): AlertJson {
  const object = readObject(value, path);
  const centres = object.centres === undefined ? undefined : readArray(object, 'centres', 100, path);
  return {
    code: readString(object, 'code', path),
    message: readString(object, 'message', path),
    evidenceHash: readOptionalString(object, 'evidenceHash', path),
    count:
      object.count === undefined ? undefined : readInteger(object, 'count', 0, Number.MAX_SAFE_INTEGER, path),
    centres: centres?.map((centre, index) => {
      if (typeof centre !== 'string') {
        throw invalid(`${path}.centres[${index}]`, 'must be a string');
      }
      return centre;
    }),
  };
}

function reversalFromJson(value: unknown): Reversal | undefined {
  if (value === undefined) {
    return undefined;
  }
  const object = readObject(value, 'reversal');
  return {
    reasonHash: readString(object, 'reasonHash', 'reversal'),
    at: readString(object, 'at', 'reversal'),
    txId: readString(object, 'txId', 'reversal'),
  };
}

function storedStatus(object: UncheckedObject): WithdrawalRecord['status'] {
  const status = readString(object, 'status');
  if (status !== 'RECORDED' && status !== 'REVERSED') {
    throw invalid('status', 'unknown withdrawal status');
  }
  return status;
}

/** Rebuilds a withdrawal record from stored state (never a cast). */
export function withdrawalFromJson(value: unknown): WithdrawalRecord {
  const object = readObject(value, 'withdrawal');
  const input = withdrawalInputFromJson({
    withdrawalId: object.withdrawalId,
    centre: object.centre,
    subjectRef: object.subjectRef,
    reasonCode: object.reasonCode,
    amount: object.amount,
    closesAccount: object.closesAccount,
    evidence: object.evidence,
    withdrawnOn: object.withdrawnOn,
  });
  return {
    ...input,
    attestationId: withdrawalAttestationId(input.centre, input.withdrawalId),
    status: storedStatus(object),
    alerts: readArray(object, 'alerts', 100).map((alert, index) => alertFromJson(alert, `alerts[${index}]`)),
    recordedAt: readString(object, 'recordedAt'),
    txId: readString(object, 'txId'),
    reversal: reversalFromJson(object.reversal),
  };
}
