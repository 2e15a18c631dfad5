import type { Schemas } from '../../gateway/src/api-types';
import type { TransactionInfo } from '../../gateway/src/fabric/ledger-client';
import { TRANSFER_STATUSES, type TransferStatus } from '../../chaincode/src/domain/codes';
import {
  STEP_RULES,
  type HistoryEntry,
  type TransferRecord,
  type TransferStep,
  type WithdrawalRecord,
} from '../../chaincode/src/records';

/**
 * Fixture builders shared by chaincode/test, gateway/test and test/: the bodies and records the chaincode
 * takes and writes, valid by default (each decodes through the chaincode's own factories), with the
 * fields a test cares about given as overrides.
 */

/** What qscc tells a gateway of a committed, valid transaction (block 12 unless overridden). */
export function committedTx(txId: string, overrides: Partial<TransactionInfo> = {}): TransactionInfo {
  return {
    txId,
    blockNumber: '12',
    validationCode: 'VALID',
    valid: true,
    timestamp: '2026-11-20T08:00:00.000Z',
    creatorMspId: 'C440000MSP',
    endorsingOrgs: ['C110000MSP', 'C440000MSP'],
    chaincode: 'hpf',
    ...overrides,
  };
}

/** A 64-hex transaction ID from a number. */
export const tx = (n: number): string => n.toString(16).padStart(64, '0');

/** A subjectRef-shaped pseudonym (43 base64url characters, the last one of an HMAC-SHA256's). */
export function subjectRefFixture(seed = 'A'): string {
  return `${seed
    .replace(/[^A-Za-z0-9_-]/g, '')
    .padEnd(42, 'x')
    .slice(0, 42)}A`;
}

/** The ConfirmOut body (API and chaincode argument): the source's transfer-out data, as the OpenAPI document defines it. */
export type ConfirmOutBody = Schemas['ConfirmOut'];

/** A valid ConfirmOut body: 52000.00 + 345.67 (52345.67 sent), opened 2015-07, paid up to 2026-10. */
export function confirmOutBody(overrides: Partial<ConfirmOutBody> = {}): ConfirmOutBody {
  return {
    principal: '52000.00',
    interest: '345.67',
    openedOn: '2015-07-01',
    paidUpTo: '202610',
    continuous6Months: true,
    loanCount: 1,
    unsettledLoan: false,
    fraudRecord: false,
    settlementRef: 'JS-20261120-001',
    ...overrides,
  };
}

/** The sum of {@link confirmOutBody}'s principal and interest. */
export const CONFIRM_OUT_AMOUNT = '52345.67';

/** One history entry: the step, the status it led to, who, when and which transaction. */
export type StepFixture = Partial<HistoryEntry> & { readonly step: TransferStep };

function statusAfter(step: TransferStep): TransferStatus {
  return step === 'REQUEST' ? 'REQUESTED' : STEP_RULES[step].to;
}

const TRANSFER_PARTIES = { transferId: '4400002611230001', fromCentre: '110000', toCentre: '440000' };
const FIRST_DAY = '2026-11-02T08:00:00.000Z';

/**
 * A transfer record as the chaincode writes it. `steps` (default: the REQUEST alone) make its history,
 * one a day from 2026-11-02 with txIds 1, 2, …; the status is the last step's.
 */
export function transferRecord(
  overrides: Partial<Omit<TransferRecord, 'history'>> & { readonly steps?: readonly StepFixture[] } = {},
): TransferRecord {
  const { steps, ...fields } = { steps: [{ step: 'REQUEST' }] as const, ...overrides };
  const { transferId, fromCentre, toCentre } = { ...TRANSFER_PARTIES, ...fields };
  const history = historyOf(steps, fromCentre, toCentre);
  const first = history[0]?.at ?? FIRST_DAY;
  const status = fields.status ?? history.at(-1)?.status ?? 'REQUESTED';
  return {
    transferId,
    attestationId: `transfer:${transferId}`,
    fromCentre,
    toCentre,
    fromMsp: `C${fromCentre}MSP`,
    toMsp: `C${toCentre}MSP`,
    subjectRef: subjectRefFixture('transfer'),
    personHash: 'd'.repeat(64),
    platformCode: TRANSFER_STATUSES[status],
    createdAt: first,
    updatedAt: history.at(-1)?.at ?? first,
    ...fields,
    status,
    history,
  };
}

/** A history, one step a day from 2026-11-02, txIds 1, 2, …; the destination requests, the source answers. */
function historyOf(steps: readonly StepFixture[], fromCentre: string, toCentre: string): HistoryEntry[] {
  return steps.map((s, i): HistoryEntry => {
    const status = s.status ?? statusAfter(s.step);
    return {
      platformCode: TRANSFER_STATUSES[status],
      by: `C${s.step === 'REQUEST' ? toCentre : fromCentre}MSP`,
      at: `2026-11-${String(i + 2).padStart(2, '0')}T08:00:00.000Z`,
      txId: tx(i + 1),
      ...s,
      centre: s.centre ?? (s.step === 'REQUEST' ? toCentre : fromCentre),
      status,
    };
  });
}

/**
 * A withdrawal record as the chaincode writes it: centre 110000, reason 01 (purchase) with one purchase
 * contract, recorded 2026-11-02, txId 100; `alerts` MULTI_CENTRE alerts unless given.
 */
export function withdrawalRecord(
  overrides: Partial<WithdrawalRecord> & { readonly alertCount?: number } = {},
): WithdrawalRecord {
  const { alertCount = 0, ...fields } = overrides;
  const centre = fields.centre ?? '110000';
  const withdrawalId = fields.withdrawalId ?? 'W-1';
  return {
    withdrawalId,
    centre,
    attestationId: `withdrawal:${centre}:${withdrawalId}`,
    subjectRef: subjectRefFixture('withdrawal'),
    reasonCode: '01',
    amountFen: 5_000_000,
    amount: '50000.00',
    closesAccount: false,
    evidence: [{ kind: 'PURCHASE_CONTRACT', hash: 'e'.repeat(64) }],
    withdrawnOn: '2026-11-02',
    status: 'RECORDED',
    alerts: Array.from({ length: alertCount }, () => ({
      code: 'MULTI_CENTRE',
      message: 'subject: 3 withdrawals at 2 centres',
    })),
    recordedAt: '2026-11-02T09:00:00.000Z',
    txId: tx(100),
    ...fields,
  };
}

/** The facts of a DEPOSIT_USE certificate (缴存使用证明): a normal account since 2015, paid up to 2026-10. */
export function depositUseFacts(
  overrides: Partial<Schemas['DepositUseFacts']> = {},
): Schemas['DepositUseFacts'] {
  return {
    accountNo: '110001234567',
    employerName: '北京某某科技有限公司',
    openedOn: '2015-03-01',
    accountStatus: '01',
    depositBase: '10000.00',
    employerRate: '12.00',
    personalRate: '12.00',
    monthlyDeposit: '2400.00',
    paidUpTo: '202610',
    continuousFrom: '201503',
    continuousTo: '202610',
    balance: '86500.25',
    loansUsed: 1,
    loanOutstanding: false,
    ...overrides,
  };
}

/** The facts of a LOAN_SETTLED certificate (贷款结清证明): 300 000 yuan, settled 2026-10-01. */
export function loanSettledFacts(
  overrides: Partial<Schemas['LoanSettledFacts']> = {},
): Schemas['LoanSettledFacts'] {
  return { loanContractNo: 'JK-1', loanAmount: '300000.00', settledOn: '2026-10-01', ...overrides };
}

/** A certificate to issue (POST /v1/certificates) for `person`: DEPOSIT_USE, valid to the end of 2099. */
export function certificateIssueBody(
  person: Schemas['Person'],
  overrides: Partial<Schemas['CertificateIssue']> = {},
): Schemas['CertificateIssue'] {
  return {
    certificateNo: 'ZM-2026-0001',
    type: 'DEPOSIT_USE',
    person,
    facts: depositUseFacts(),
    validUntil: '2099-12-31T16:00:00Z',
    ...overrides,
  };
}

/** Today's date (UTC), YYYY-MM-DD: a withdrawal date no endorser finds in the future. */
export const todayUtc = (): string => new Date().toISOString().slice(0, 10);

/** A person as tests give one (an ID type, number and name; not necessarily valid). */
export interface PersonFixture {
  readonly idType: string;
  readonly idNumber: string;
  readonly name: string;
}

/** A withdrawal body (POST /v1/withdrawals) as tests send it: the document's shape, codes as strings. */
export type WithdrawalBodyFixture = Omit<Schemas['Withdrawal'], 'person' | 'reasonCode' | 'evidence'> & {
  readonly person: PersonFixture;
  readonly reasonCode: string;
  readonly evidence: readonly { readonly kind: string; readonly reference: string }[];
};

/** Evidence of one kind, by its registration number (the HTTP body's form). */
export function evidenceOf(kind: string, reference: string): WithdrawalBodyFixture['evidence'] {
  return [{ kind, reference }];
}

/**
 * A withdrawal (POST /v1/withdrawals) of `person`: reason 01 (purchase) of 1000.00 with one purchase
 * contract (`REF-<withdrawalId>`), today.
 */
export function withdrawalBody(
  withdrawalId: string,
  person: PersonFixture,
  overrides: Partial<WithdrawalBodyFixture> = {},
): WithdrawalBodyFixture {
  return {
    withdrawalId,
    person,
    reasonCode: '01',
    amount: '1000.00',
    closesAccount: false,
    evidence: evidenceOf('PURCHASE_CONTRACT', `REF-${withdrawalId}`),
    withdrawnOn: todayUtc(),
    ...overrides,
  };
}

/** A withdrawal for renting (reason 07) of 1200.00 with a rent contract (default `RENT-<withdrawalId>`), today. */
export function rentWithdrawal(
  withdrawalId: string,
  person: PersonFixture,
  reference = `RENT-${withdrawalId}`,
): WithdrawalBodyFixture {
  return withdrawalBody(withdrawalId, person, {
    reasonCode: '07',
    amount: '1200.00',
    evidence: evidenceOf('RENT_CONTRACT', reference),
  });
}

/** The argument of withdrawal:Record / Precheck: the subjectRef and evidence hashes, no personal data. */
export interface WithdrawalArgument {
  readonly withdrawalId: string;
  readonly centre: string;
  readonly subjectRef: string;
  readonly reasonCode: string;
  readonly amount: string;
  readonly closesAccount: boolean;
  readonly evidence: readonly { readonly kind: string; readonly hash: string }[];
  readonly withdrawnOn: string;
}

/** A withdrawal:Record argument: reason 01 (purchase) of 5000.00 with one purchase contract's hash, today. */
export function withdrawalArgument(
  fields: Pick<WithdrawalArgument, 'withdrawalId' | 'centre' | 'subjectRef'> & {
    readonly evidenceHash: string;
  },
  overrides: Partial<WithdrawalArgument> = {},
): WithdrawalArgument {
  const { evidenceHash, ...ids } = fields;
  return {
    ...ids,
    reasonCode: '01',
    amount: '5000.00',
    closesAccount: false,
    evidence: [{ kind: 'PURCHASE_CONTRACT', hash: evidenceHash }],
    withdrawnOn: todayUtc(),
    ...overrides,
  };
}
