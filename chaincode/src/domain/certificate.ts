import { canonicalJson } from '../codec';
import { invalid } from './errors';
import { normaliseIdNumber } from './identity';
import {
  readBoolean,
  readInteger,
  readObject,
  readOptionalString,
  readString,
  type UncheckedObject,
} from './json-fields';
import {
  formatFen,
  parseMoneyToFen,
  sha256Hex,
  validateCentreCode,
  validateDate,
  validateIdType,
  validatePublicReference,
  validateReference,
  validateText,
  validateYearMonth,
} from './validators';

/**
 * Certificates (证明): the canonical content of a certificate, shared by the chaincode (which checks
 * it and its hash at every endorser) and the gateway (which builds it, hashes it and prints it). The
 * content is personal data: only its SHA-256 is public; the bytes live in implicit collections and
 * inside the PDF.
 */

export const CERTIFICATE_TYPES = {
  DEPOSIT_USE: '个人住房公积金缴存使用证明',
  LOAN_SETTLED: '贷款结清证明',
} as const;
export type CertificateType = keyof typeof CERTIFICATE_TYPES;

/**
 * 个人账户状态 of a deposit-and-use certificate, by the code centres print (04 is the national
 * platform's "closed by external transfer-out"; the others are not confirmed against the standard:
 * docs/domain.md).
 */
export const ACCOUNT_STATUSES = {
  '01': '正常',
  '02': '封存',
  '03': '冻结',
  '04': '外部转出销户',
  '05': '提取销户',
} as const;
export type AccountStatus = keyof typeof ACCOUNT_STATUSES;

/**
 * The facts of a 个人住房公积金缴存使用证明 as centres print it. `accountNo` is in the private content
 * only (like everything here: only the hash is public). A flexible depositor (Art. 49 of the amended
 * Regulation) has no employer: `employerName` and `employerRate` are then both absent.
 */
export type DepositUseFacts = {
  readonly accountNo: string;
  readonly employerName?: string;
  readonly openedOn: string;
  readonly accountStatus: AccountStatus;
  readonly depositBase: string;
  readonly employerRate?: string;
  readonly personalRate: string;
  readonly monthlyDeposit: string;
  readonly paidUpTo: string;
  /** The latest continuous deposit period, first and last month (YYYYMM). */
  readonly continuousFrom: string;
  readonly continuousTo: string;
  readonly balance: string;
  /** Loan record: housing-fund loans used, and whether one is outstanding. */
  readonly loansUsed: number;
  readonly loanOutstanding: boolean;
};

export type LoanSettledFacts = {
  readonly loanContractNo: string;
  readonly loanAmount: string;
  readonly settledOn: string;
};

export type CertificatePerson = { readonly idType: string; readonly idNumber: string; readonly name: string };

/** The canonical content; its canonical JSON is what `contentHash` is the SHA-256 of. */
export type CertificateContent = {
  readonly version: 1;
  readonly certificateNo: string;
  readonly type: CertificateType;
  readonly issuer: string;
  readonly issuerName: string;
  readonly person: CertificatePerson;
  readonly facts: DepositUseFacts | LoanSettledFacts;
  readonly validUntil: string;
  readonly supersedes?: string;
};

/** `path.key`, or `key` at the top level (the gateway validates a body, the chaincode `content`). */
function at(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

const INSTANT = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{3})?Z$/;

/** A certificate number, scoped to its issuing centre; public, so no ID number inside. */
export function validateCertificateNo(value: string, field = 'certificateNo'): string {
  return validatePublicReference(value, field, 40);
}

export function isCertificateType(value: string): value is CertificateType {
  return Object.prototype.hasOwnProperty.call(CERTIFICATE_TYPES, value);
}

export function validateCertificateType(value: string, field = 'type'): CertificateType {
  if (!isCertificateType(value)) {
    throw invalid(field, `must be one of ${Object.keys(CERTIFICATE_TYPES).join(', ')}`);
  }
  return value;
}

/** A UTC instant `YYYY-MM-DDTHH:MM:SS[.mmm]Z`, returned in `Date#toISOString` form. */
export function validateInstant(value: string, field: string): string {
  const time = Date.parse(value);
  if (
    !INSTANT.test(value) ||
    Number.isNaN(time) ||
    new Date(time).toISOString().slice(0, 19) !== value.slice(0, 19)
  ) {
    throw invalid(field, 'must be a UTC date-time YYYY-MM-DDTHH:MM:SSZ');
  }
  return new Date(time).toISOString();
}

/** An amount already in its canonical form, exactly 2 places ("1234.50"): the hash covers these bytes. */
function canonicalMoney(object: UncheckedObject, key: string, path: string, allowZero: boolean): string {
  const field = at(path, key);
  const value = readString(object, key, path);
  if (formatFen(parseMoneyToFen(value, field, allowZero)) !== value) {
    throw invalid(field, 'must be a decimal string with exactly 2 decimal places, e.g. "1234.50"');
  }
  return value;
}

function name(object: UncheckedObject, key: string, path: string, max: number): string {
  const field = at(path, key);
  const value = validateText(readString(object, key, path), field, max);
  if (value !== value.trim() || value !== value.normalize('NFC')) {
    throw invalid(field, 'must be trimmed and in Unicode NFC');
  }
  return value;
}

const DEPOSIT_USE_KEYS = [
  'accountNo',
  'employerName',
  'openedOn',
  'accountStatus',
  'depositBase',
  'employerRate',
  'personalRate',
  'monthlyDeposit',
  'paidUpTo',
  'continuousFrom',
  'continuousTo',
  'balance',
  'loansUsed',
  'loanOutstanding',
];

const ACCOUNT_NO = /^[0-9A-Za-z-]{1,32}$/;

/** 个人公积金账号: private content only, so it is not held to the rules of public references. */
function accountNo(object: UncheckedObject, path: string): string {
  const value = readString(object, 'accountNo', path);
  if (!ACCOUNT_NO.test(value)) {
    throw invalid(at(path, 'accountNo'), 'must be 1-32 letters, digits or hyphens');
  }
  return value;
}

const RATE = /^(0|[1-9][0-9]?)\.[0-9]{2}$/;

/** A deposit rate in percent with exactly 2 places ("12.00"), from 0.00 to 99.99. */
function rate(object: UncheckedObject, key: string, path: string): string {
  const value = readString(object, key, path);
  if (!RATE.test(value)) {
    throw invalid(at(path, key), 'must be a percentage with exactly 2 decimal places, e.g. "12.00"');
  }
  return value;
}

function isAccountStatus(value: string): value is AccountStatus {
  return Object.prototype.hasOwnProperty.call(ACCOUNT_STATUSES, value);
}

/** The employer and its rate: both present, or both absent (a flexible depositor). */
function employer(
  object: UncheckedObject,
  path: string,
): Pick<DepositUseFacts, 'employerName' | 'employerRate'> {
  if (object.employerName === undefined && object.employerRate === undefined) {
    return {};
  }
  if (object.employerName === undefined) {
    throw invalid(
      at(path, 'employerName'),
      'is required with employerRate (omit both for a flexible depositor)',
    );
  }
  if (object.employerRate === undefined) {
    throw invalid(
      at(path, 'employerRate'),
      'is required with employerName (omit both for a flexible depositor)',
    );
  }
  return {
    employerName: name(object, 'employerName', path, 100),
    employerRate: rate(object, 'employerRate', path),
  };
}

function depositUseFacts(value: unknown, path: string): DepositUseFacts {
  const object = readObject(value, path, DEPOSIT_USE_KEYS);
  const accountStatus = readString(object, 'accountStatus', path);
  if (!isAccountStatus(accountStatus)) {
    throw invalid(at(path, 'accountStatus'), `must be one of ${Object.keys(ACCOUNT_STATUSES).join(', ')}`);
  }
  const continuousFrom = validateYearMonth(
    readString(object, 'continuousFrom', path),
    at(path, 'continuousFrom'),
  );
  const continuousTo = validateYearMonth(readString(object, 'continuousTo', path), at(path, 'continuousTo'));
  if (continuousTo < continuousFrom) {
    throw invalid(at(path, 'continuousTo'), 'must not be before continuousFrom');
  }
  return {
    accountNo: accountNo(object, path),
    ...employer(object, path),
    openedOn: validateDate(readString(object, 'openedOn', path), at(path, 'openedOn')),
    accountStatus,
    depositBase: canonicalMoney(object, 'depositBase', path, true),
    personalRate: rate(object, 'personalRate', path),
    monthlyDeposit: canonicalMoney(object, 'monthlyDeposit', path, true),
    paidUpTo: validateYearMonth(readString(object, 'paidUpTo', path), at(path, 'paidUpTo')),
    continuousFrom,
    continuousTo,
    balance: canonicalMoney(object, 'balance', path, true),
    loansUsed: readInteger(object, 'loansUsed', 0, 99, path),
    loanOutstanding: readBoolean(object, 'loanOutstanding', path),
  };
}

function loanSettledFacts(value: unknown, path: string): LoanSettledFacts {
  const object = readObject(value, path, ['loanContractNo', 'loanAmount', 'settledOn']);
  return {
    loanContractNo: validateReference(
      readString(object, 'loanContractNo', path),
      at(path, 'loanContractNo'),
      40,
    ),
    loanAmount: canonicalMoney(object, 'loanAmount', path, false),
    settledOn: validateDate(readString(object, 'settledOn', path), at(path, 'settledOn')),
  };
}

/** The facts of a certificate of `type`, validated field by field (paths like `facts.balance`). */
export function certificateFactsFromJson(
  type: CertificateType,
  value: unknown,
  path = 'facts',
): DepositUseFacts | LoanSettledFacts {
  return type === 'DEPOSIT_USE' ? depositUseFacts(value, path) : loanSettledFacts(value, path);
}

function personFromJson(value: unknown, path: string): CertificatePerson {
  const object = readObject(value, path, ['idType', 'idNumber', 'name']);
  const idType = validateIdType(readString(object, 'idType', path), at(path, 'idType'));
  const idNumber = readString(object, 'idNumber', path);
  if (normaliseIdNumber(idType, idNumber, at(path, 'idNumber')) !== idNumber) {
    throw invalid(at(path, 'idNumber'), 'must be in its canonical form');
  }
  return { idType, idNumber, name: name(object, 'name', path, 64) };
}

const CONTENT_KEYS = [
  'version',
  'certificateNo',
  'type',
  'issuer',
  'issuerName',
  'person',
  'facts',
  'validUntil',
  'supersedes',
];

/** Validates canonical content (field paths under `content.`); the person's birth date is not re-checked. */
export function certificateContentFromJson(value: unknown, path = 'content'): CertificateContent {
  const object = readObject(value, path, CONTENT_KEYS);
  if (object.version !== 1) {
    throw invalid(at(path, 'version'), 'must be 1');
  }
  const type = validateCertificateType(readString(object, 'type', path), at(path, 'type'));
  const supersedes = readOptionalString(object, 'supersedes', path);
  return {
    version: 1,
    certificateNo: validateCertificateNo(
      readString(object, 'certificateNo', path),
      at(path, 'certificateNo'),
    ),
    type,
    issuer: validateCentreCode(readString(object, 'issuer', path), at(path, 'issuer')),
    issuerName: validateText(readString(object, 'issuerName', path), at(path, 'issuerName'), 100),
    person: personFromJson(object.person, at(path, 'person')),
    facts: certificateFactsFromJson(type, object.facts, at(path, 'facts')),
    validUntil: validateInstant(readString(object, 'validUntil', path), at(path, 'validUntil')),
    supersedes:
      supersedes === undefined ? undefined : validateCertificateNo(supersedes, at(path, 'supersedes')),
  };
}

/** The exact bytes the content hash covers. */
export function certificateContentBytes(content: CertificateContent): Buffer {
  return Buffer.from(canonicalJson(content), 'utf8');
}

/** SHA-256 hex of the canonical content. */
export function certificateContentHash(content: CertificateContent): string {
  return sha256Hex(certificateContentBytes(content));
}

/** The verification statuses (`certificate:Verify`). */
/**
 * A verification's answer. CONTENT_VALID: a PDF of a certificate issued before the ledger recorded
 * PDF hashes, whose embedded content is the issued one and which is in force; its bytes could not be
 * checked (docs/decisions/0195-certificates-verified-by-pdf-hash.md).
 */
export const VERIFICATION_STATUSES = [
  'VALID',
  'CONTENT_VALID',
  'REVOKED',
  'EXPIRED',
  'TAMPERED',
  'UNKNOWN',
  'FORGED',
] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];
