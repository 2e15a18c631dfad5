import { validateCertificateNo } from '../domain/certificate';
import { invalid } from '../domain/errors';
import { readInteger, readObject, readOptionalString, readString } from '../domain/json-fields';
import { validateCentreCode, validateSha256Hex } from '../domain/validators';

/**
 * Single-use certificate codes (亮码可办, docs/certificates.md "Share codes"). The gateway draws the
 * code at random and sends only its SHA-256; the ledger keeps that hash, the certificate it opens and
 * the expiry. The code itself is never on the ledger, in a URL or in a log.
 */

/** The longest life of a code: 24 hours (the default), in seconds. */
export const SHARE_CODE_MAX_TTL_SECONDS = 24 * 60 * 60;
/** How long after its redemption the redeeming organisation may fetch the content from the issuer's peer. */
export const SHARE_CODE_RELEASE_SECONDS = 10 * 60;

export const SHARE_CODE_STATUSES = ['ACTIVE', 'USED'] as const;
export type ShareCodeStatus = (typeof SHARE_CODE_STATUSES)[number];

export type ShareCodeRecord = {
  readonly codeHash: string;
  readonly issuer: string;
  readonly issuerMsp: string;
  readonly certificateNo: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly txId: string;
  readonly status: ShareCodeStatus;
  /** The redeeming centre and its organisation, when used. */
  readonly usedBy?: string;
  readonly usedByMsp?: string;
  readonly usedAt?: string;
  readonly usedTxId?: string;
};

/** The argument of certificate:CreateShareCode. */
export type ShareCodeInput = { readonly codeHash: string; readonly ttlSeconds: number };

export function shareCodeInputFromJson(value: unknown): ShareCodeInput {
  const object = readObject(value, 'shareCode', ['codeHash', 'ttlSeconds']);
  return {
    codeHash: validateSha256Hex(readString(object, 'codeHash', 'shareCode'), 'shareCode.codeHash'),
    ttlSeconds: readInteger(object, 'ttlSeconds', 1, SHARE_CODE_MAX_TTL_SECONDS, 'shareCode'),
  };
}

/** The argument of certificate:RedeemShareCode: the code's hash and the redeeming centre. */
export type RedeemInput = { readonly codeHash: string; readonly centre: string };

export function redeemInputFromJson(value: unknown): RedeemInput {
  const object = readObject(value, 'redeem', ['codeHash', 'centre']);
  return {
    codeHash: validateSha256Hex(readString(object, 'codeHash', 'redeem'), 'redeem.codeHash'),
    centre: validateCentreCode(readString(object, 'centre', 'redeem'), 'redeem.centre'),
  };
}

/** `at` plus `seconds`, as an ISO instant (deterministic: `at` is the transaction's timestamp). */
export function instantAfter(at: string, seconds: number): string {
  const millis = Date.parse(at);
  if (Number.isNaN(millis)) {
    throw invalid('at', 'is not an instant');
  }
  return new Date(millis + seconds * 1000).toISOString();
}

function statusOf(value: string): ShareCodeStatus {
  const found = SHARE_CODE_STATUSES.find((status) => status === value);
  if (found === undefined) {
    throw invalid('shareCode.status', 'unknown share-code status');
  }
  return found;
}

/** Rebuilds a stored share code (never a cast). */
export function shareCodeFromJson(value: unknown): ShareCodeRecord {
  const object = readObject(value, 'shareCode');
  const path = 'shareCode';
  return {
    codeHash: readString(object, 'codeHash', path),
    issuer: validateCentreCode(readString(object, 'issuer', path), `${path}.issuer`),
    issuerMsp: readString(object, 'issuerMsp', path),
    certificateNo: validateCertificateNo(readString(object, 'certificateNo', path)),
    createdAt: readString(object, 'createdAt', path),
    expiresAt: readString(object, 'expiresAt', path),
    txId: readString(object, 'txId', path),
    status: statusOf(readString(object, 'status', path)),
    usedBy: readOptionalString(object, 'usedBy', path),
    usedByMsp: readOptionalString(object, 'usedByMsp', path),
    usedAt: readOptionalString(object, 'usedAt', path),
    usedTxId: readOptionalString(object, 'usedTxId', path),
  };
}
