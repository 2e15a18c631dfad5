/**
 * The chaincode's records as others read them: the validating factories the contracts themselves use to
 * read state, and their types. The gateway decodes every record the chaincode returns through these
 * (never by field name), so a record has one shape, defined here. No Fabric runtime is loaded.
 */
export {
  STEP_RULES,
  transferFromJson,
  transferOutFromJson,
  type Completion,
  type HistoryEntry,
  type Rejection,
  type TransferOut,
  type TransferRecord,
  type TransferStep,
} from './model/transfer';
export {
  withdrawalFromJson,
  withdrawalInputFromJson,
  type Evidence,
  type Reversal,
  type WithdrawalInput,
  type WithdrawalRecord,
} from './model/withdrawal';
export {
  certificateFromJson,
  certificateRequestFromJson,
  type CertificateRecord,
  type CertificateRequestRecord,
} from './model/certificate';
export type { AlertJson } from './ledger';
