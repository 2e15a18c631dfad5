/**
 * Code tables the gateway validates against (DESIGN.md §6). They mirror the chaincode's tables; the
 * OpenAPI document repeats them as enums so that a request is refused at the edge.
 */
export const ID_TYPES = ['01', '02', '03', '04', '99'] as const;
export type IdType = (typeof ID_TYPES)[number];

export const RESIDENT_ID_TYPE: IdType = '01';

export const WITHDRAWAL_REASON_CODES = [
  '01',
  '02',
  '03',
  '04',
  '05',
  '06',
  '07',
  '08',
  '09',
  '10',
  '11',
  '99',
] as const;

/** Reasons for which a withdrawal closes the account (销户). */
export const ACCOUNT_CLOSING_REASONS: readonly string[] = ['03', '04', '05', '08'];

export const EVIDENCE_KINDS = [
  'PURCHASE_CONTRACT',
  'TITLE_DEED',
  'BUILD_PERMIT',
  'RENOVATION_CONTRACT',
  'LOAN_CONTRACT',
  'RENT_CONTRACT',
  'MEDICAL_CERTIFICATE',
  'DEATH_CERTIFICATE',
  'RETIREMENT_CERTIFICATE',
  'OTHER',
] as const;

export const TRANSFER_STATUSES = [
  'REQUESTED',
  'CANCELLED',
  'ACCEPTED',
  'REJECTED',
  'OUT_CONFIRMED',
  'NEGOTIATING',
  'COMPLETED',
  'FAILED',
] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];
