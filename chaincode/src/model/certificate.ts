import {
  validateCertificateNo,
  validateCertificateType,
  validateInstant,
  type CertificateType,
} from '../domain/certificate';
import { invalid } from '../domain/errors';
import { readObject, readOptionalString, readString, type UncheckedObject } from '../domain/json-fields';
import {
  validateCentreCode,
  validatePublicReference,
  validateSha256Hex,
  validateSubjectRef,
} from '../domain/validators';

/** A reason's public part: the fingerprint of the text; the text is in implicit collections. */
export type ReasonStamp = { readonly reasonHash: string; readonly at: string; readonly txId: string };

export const CERTIFICATE_STATUSES = ['ISSUED', 'REVOKED', 'SUPERSEDED'] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

/** The public state of a certificate: no personal data, only the content's hash and the subjectRef. */
export type CertificateRecord = {
  readonly certificateNo: string;
  readonly issuer: string;
  readonly type: CertificateType;
  readonly subjectRef: string;
  readonly contentHash: string;
  /**
   * SHA-256 of the PDF's bytes as the issuing centre's gateway rendered them at issue: what a PDF is
   * verified against. Absent on certificates issued before the ledger recorded it (verified by
   * their content hash only: CONTENT_VALID instead of VALID).
   */
  readonly pdfHash?: string;
  /** The issue time the PDF prints, given by the issuing gateway within minutes of the transaction time. */
  readonly issuedAt: string;
  readonly validUntil: string;
  readonly status: CertificateStatus;
  readonly txId: string;
  /** The centre that asked for it, and its request ID, when issued on request. */
  readonly requester?: string;
  readonly requestId?: string;
  readonly supersedes?: string;
  readonly supersededBy?: string;
  readonly revocation?: ReasonStamp;
};

export const REQUEST_STATUSES = ['PENDING', 'ISSUED', 'REFUSED'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** A cross-province certificate request; keyed by (requester, requestId). */
export type CertificateRequestRecord = {
  readonly requestId: string;
  readonly requester: string;
  readonly issuer: string;
  readonly type: CertificateType;
  readonly subjectRef: string;
  readonly status: RequestStatus;
  readonly requestedAt: string;
  readonly txId: string;
  readonly certificateNo?: string;
  readonly refusal?: ReasonStamp;
};

/** The argument of certificate:Request. */
export type RequestInput = Pick<
  CertificateRequestRecord,
  'requestId' | 'requester' | 'issuer' | 'type' | 'subjectRef'
>;

/** The argument of certificate:Issue; the public fields come from the content in the transient map. */
export type IssueInput = {
  readonly contentHash: string;
  /** SHA-256 of the PDF the issuing gateway rendered from the content and `issuedAt`. */
  readonly pdfHash: string;
  /** The issue time printed on the PDF (UTC instant, normalised to milliseconds). */
  readonly issuedAt: string;
  readonly subjectRef: string;
  readonly request?: { readonly requester: string; readonly requestId: string };
};

/** A request ID, scoped to the requesting centre; public, so no ID number inside. */
export function validateRequestId(value: string, field = 'requestId'): string {
  return validatePublicReference(value, field, 40);
}

function oneOf<T extends string>(values: readonly T[], value: string, field: string): T {
  const found = values.find((item) => item === value);
  if (found === undefined) {
    throw invalid(field, `must be one of ${values.join(', ')}`);
  }
  return found;
}

function stampFromJson(value: unknown, path: string): ReasonStamp | undefined {
  if (value === undefined) {
    return undefined;
  }
  const object = readObject(value, path);
  return {
    reasonHash: validateSha256Hex(readString(object, 'reasonHash', path), `${path}.reasonHash`),
    at: readString(object, 'at', path),
    txId: readString(object, 'txId', path),
  };
}

function optionalNo(object: UncheckedObject, key: string): string | undefined {
  const value = readOptionalString(object, key);
  return value === undefined ? undefined : validateCertificateNo(value, key);
}

export function issueInputFromJson(value: unknown): IssueInput {
  const object = readObject(value, 'issue', ['contentHash', 'pdfHash', 'issuedAt', 'subjectRef', 'request']);
  const request =
    object.request === undefined
      ? undefined
      : readObject(object.request, 'request', ['requester', 'requestId']);
  return {
    contentHash: validateSha256Hex(readString(object, 'contentHash'), 'contentHash'),
    pdfHash: validateSha256Hex(readString(object, 'pdfHash'), 'pdfHash'),
    issuedAt: validateInstant(readString(object, 'issuedAt'), 'issuedAt'),
    subjectRef: validateSubjectRef(readString(object, 'subjectRef')),
    request:
      request === undefined
        ? undefined
        : {
            requester: validateCentreCode(readString(request, 'requester', 'request'), 'request.requester'),
            requestId: validateRequestId(readString(request, 'requestId', 'request'), 'request.requestId'),
          },
  };
}

export function requestInputFromJson(value: unknown): RequestInput {
  const object = readObject(value, 'request', ['requestId', 'requester', 'issuer', 'type', 'subjectRef']);
  const requester = validateCentreCode(readString(object, 'requester'), 'requester');
  const issuer = validateCentreCode(readString(object, 'issuer'), 'issuer');
  if (issuer === requester) {
    throw invalid('issuer', 'must be another centre than the requester');
  }
  return {
    requestId: validateRequestId(readString(object, 'requestId')),
    requester,
    issuer,
    type: validateCertificateType(readString(object, 'type')),
    subjectRef: validateSubjectRef(readString(object, 'subjectRef')),
  };
}

/** Rebuilds a certificate record from stored state (never a cast). */
export function certificateFromJson(value: unknown): CertificateRecord {
  const object = readObject(value, 'certificate');
  const requester = readOptionalString(object, 'requester');
  const requestId = readOptionalString(object, 'requestId');
  const pdfHash = readOptionalString(object, 'pdfHash');
  return {
    certificateNo: validateCertificateNo(readString(object, 'certificateNo')),
    issuer: validateCentreCode(readString(object, 'issuer'), 'issuer'),
    type: validateCertificateType(readString(object, 'type')),
    subjectRef: validateSubjectRef(readString(object, 'subjectRef')),
    contentHash: validateSha256Hex(readString(object, 'contentHash'), 'contentHash'),
    pdfHash: pdfHash === undefined ? undefined : validateSha256Hex(pdfHash, 'pdfHash'),
    issuedAt: readString(object, 'issuedAt'),
    validUntil: validateInstant(readString(object, 'validUntil'), 'validUntil'),
    status: oneOf(CERTIFICATE_STATUSES, readString(object, 'status'), 'status'),
    txId: readString(object, 'txId'),
    requester: requester === undefined ? undefined : validateCentreCode(requester, 'requester'),
    requestId: requestId === undefined ? undefined : validateRequestId(requestId),
    supersedes: optionalNo(object, 'supersedes'),
    supersededBy: optionalNo(object, 'supersededBy'),
    revocation: stampFromJson(object.revocation, 'revocation'),
  };
}

/** Rebuilds a request record from stored state (never a cast). */
export function certificateRequestFromJson(value: unknown): CertificateRequestRecord {
  const object = readObject(value, 'certificate request');
  const certificateNo = readOptionalString(object, 'certificateNo');
  return {
    ...requestInputFromJson({
      requestId: object.requestId,
      requester: object.requester,
      issuer: object.issuer,
      type: object.type,
      subjectRef: object.subjectRef,
    }),
    status: oneOf(REQUEST_STATUSES, readString(object, 'status'), 'status'),
    requestedAt: readString(object, 'requestedAt'),
    txId: readString(object, 'txId'),
    certificateNo: certificateNo === undefined ? undefined : validateCertificateNo(certificateNo),
    refusal: stampFromJson(object.refusal, 'refusal'),
  };
}
