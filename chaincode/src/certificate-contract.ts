import { Context, Info, Returns, Transaction } from 'fabric-contract-api';

import { canonicalJson, decodeJson, parseJson, type Json } from './codec';
import {
  certificateContentBytes,
  certificateContentFromJson,
  certificateContentHash,
  validateCertificateNo,
  type CertificateContent,
  type VerificationStatus,
} from './domain/certificate';
import { hpfError, invalid } from './domain/errors';
import { readObject, readString } from './domain/json-fields';
import { validateCentreCode, validateSha256Hex } from './domain/validators';
import { allOfPeersPolicy, sealedByCentre, writeOwned } from './endorsement';
import { emitEvent, indexKey, readIndex, readJson, txTime, writeJson } from './ledger';
import {
  certificateFromJson,
  certificateRequestFromJson,
  issueInputFromJson,
  requestInputFromJson,
  validateRequestId,
  REQUEST_STATUSES,
  type CertificateRecord,
  type CertificateRequestRecord,
  type IssueInput,
  type ReasonStamp,
} from './model/certificate';
import {
  findCentre,
  loadRegistry,
  requireCallerCentre,
  type CentreEntry,
  type Registry,
} from './model/registry';
import {
  instantAfter,
  redeemInputFromJson,
  shareCodeFromJson,
  shareCodeInputFromJson,
  SHARE_CODE_RELEASE_SECONDS,
  type ShareCodeRecord,
} from './model/share-code';
import { checkCertificateRequestSubject, checkCertificateSubject } from './model/subject-check';
import { implicitCollection, reversalHashFromJson, transientText } from './private-texts';
import { LedgerContext, LedgerContract } from './batched-stub';

/** Composite key types: certificates [issuer, certificateNo]; requests [requester, requestId]. */
const CERTIFICATE_KEY = 'certificate';
const REQUEST_KEY = 'certificate-request';
/** [centre, 'incoming'|'outgoing', status, requester, requestId]: each centre's request queue. */
const REQUEST_QUEUE = 'certificate-request-queue';
/** Private-data keys (in implicit collections). */
const CONTENT_KEY = 'certificate-content';
const REASON_KEY = 'certificate-reason';
/** [codeHash]: a single-use share code (hash, certificate, expiry; never the code). */
const SHARE_CODE_KEY = 'certificate-share-code';
/** A queue page never exceeds this many entries (the newest first are not promised: key order). */
const MAX_QUEUE = 200;

function certificateKey(ctx: Context, issuer: string, certificateNo: string): string {
  return ctx.stub.createCompositeKey(CERTIFICATE_KEY, [issuer, certificateNo]);
}

function requestKey(ctx: Context, requester: string, requestId: string): string {
  return ctx.stub.createCompositeKey(REQUEST_KEY, [requester, requestId]);
}

async function loadCertificate(
  ctx: Context,
  issuer: string,
  certificateNo: string,
): Promise<CertificateRecord | undefined> {
  const stored = await readJson(ctx, certificateKey(ctx, issuer, certificateNo), 'certificate');
  return stored === undefined ? undefined : certificateFromJson(stored);
}

async function requireCertificate(
  ctx: Context,
  issuer: string,
  certificateNo: string,
): Promise<CertificateRecord> {
  const code = validateCentreCode(issuer, 'issuer');
  const record = await loadCertificate(ctx, code, validateCertificateNo(certificateNo));
  if (record === undefined) {
    throw hpfError('NOT_FOUND', `certificateNo: no certificate ${certificateNo} issued by centre ${code}`);
  }
  return record;
}

async function loadRequest(
  ctx: Context,
  requester: string,
  requestId: string,
): Promise<CertificateRequestRecord> {
  const code = validateCentreCode(requester, 'requester');
  const stored = await readJson(
    ctx,
    requestKey(ctx, code, validateRequestId(requestId)),
    'certificate request',
  );
  if (stored === undefined) {
    throw hpfError('NOT_FOUND', `requestId: no certificate request ${requestId} from centre ${code}`);
  }
  return certificateRequestFromJson(stored);
}

async function centreOf(ctx: Context, registry: Registry, code: string, field: string): Promise<CentreEntry> {
  const centre = await findCentre(ctx, registry, code);
  if (centre === undefined) {
    throw invalid(field, `centre ${code} is not a registered centre`);
  }
  return centre;
}

function personOf(value: unknown, path: string): { idType: string; idNumber: string; name: string } {
  const person = readObject(value, path);
  return {
    idType: readString(person, 'idType', path),
    idNumber: readString(person, 'idNumber', path),
    name: readString(person, 'name', path),
  };
}

function storedPerson(bytes: Uint8Array): Json {
  return personOf(readObject(decodeJson(bytes, 'request person'), 'request person').person, 'person');
}

/** Moves a request's two queue entries (incoming at the issuer, outgoing at the requester). */
async function writeQueue(ctx: Context, request: CertificateRequestRecord, previous?: string): Promise<void> {
  const sides: [string, string][] = [
    [request.issuer, 'incoming'],
    [request.requester, 'outgoing'],
  ];
  for (const [centre, direction] of sides) {
    if (previous !== undefined) {
      await ctx.stub.deleteState(
        indexKey(ctx, REQUEST_QUEUE, [centre, direction, previous, request.requester, request.requestId]),
      );
    }
    await writeJson(
      ctx,
      indexKey(ctx, REQUEST_QUEUE, [centre, direction, request.status, request.requester, request.requestId]),
      {
        at: request.requestedAt,
        type: request.type,
      },
    );
  }
}

async function writeRequest(
  ctx: Context,
  request: CertificateRequestRecord,
  previous?: string,
): Promise<void> {
  const key = requestKey(ctx, request.requester, request.requestId);
  await writeJson(ctx, key, request);
  await writeQueue(ctx, request, previous);
}

/** The content from the transient map: canonical bytes, validated, hashing to the argument. */
function transientContent(ctx: Context, input: IssueInput): CertificateContent {
  const bytes = ctx.stub.getTransient().get('content');
  if (bytes === undefined || bytes.length === 0) {
    throw invalid('content', 'required in the transient map (key "content")');
  }
  const content = certificateContentFromJson(decodeJson(bytes, 'content'));
  if (!certificateContentBytes(content).equals(Buffer.from(bytes))) {
    throw invalid('content', 'must be canonical JSON (sorted keys, no whitespace)');
  }
  if (certificateContentHash(content) !== input.contentHash) {
    throw invalid('contentHash', 'does not match the content in the transient map');
  }
  checkCertificateSubject(ctx, input.subjectRef, content.person);
  return content;
}

function checkValidity(content: CertificateContent, now: string): void {
  if (content.validUntil <= now) {
    throw invalid('content.validUntil', 'must be after the issue time');
  }
}

/** The caller, which must be the content's issuer under its registered name. */
async function issuingCentre(
  ctx: Context,
  registry: Registry,
  content: CertificateContent,
): Promise<CentreEntry> {
  const caller = await requireCallerCentre(ctx, registry, content.issuer, 'content.issuer');
  if (content.issuerName !== caller.name) {
    throw invalid('content.issuerName', `must be the registered name of centre ${caller.code}`);
  }
  return caller;
}

/** The request an issue answers: pending, addressed to this issuer, of the same type and person. */
async function answeredRequest(
  ctx: Context,
  input: IssueInput,
  content: CertificateContent,
): Promise<CertificateRequestRecord | undefined> {
  if (input.request === undefined) {
    return undefined;
  }
  const request = await loadRequest(ctx, input.request.requester, input.request.requestId);
  if (request.issuer !== content.issuer) {
    throw hpfError('FORBIDDEN', `request: addressed to centre ${request.issuer}, not to this issuer`);
  }
  if (request.status !== 'PENDING') {
    throw hpfError('INVALID_STATE', `request: ${request.requestId} is ${request.status}, not PENDING`);
  }
  if (request.type !== content.type || request.subjectRef !== input.subjectRef) {
    throw hpfError('CONFLICT', 'request: asks for another type or another person');
  }
  return request;
}

/** The certificate a new one supersedes: the same issuer, person and type, still ISSUED. */
async function supersededRecord(
  ctx: Context,
  input: IssueInput,
  content: CertificateContent,
): Promise<CertificateRecord | undefined> {
  if (content.supersedes === undefined) {
    return undefined;
  }
  const old = await requireCertificate(ctx, content.issuer, content.supersedes);
  if (old.status !== 'ISSUED') {
    throw hpfError('INVALID_STATE', `content.supersedes: certificate ${old.certificateNo} is ${old.status}`);
  }
  if (old.subjectRef !== input.subjectRef || old.type !== content.type) {
    throw hpfError('CONFLICT', 'content.supersedes: names a certificate of another person or type');
  }
  return old;
}

async function writePrivate(
  ctx: Context,
  mspIds: readonly string[],
  key: string,
  value: Json,
): Promise<void> {
  const bytes = Buffer.from(canonicalJson(value), 'utf8');
  for (const mspId of new Set(mspIds)) {
    await ctx.stub.putPrivateData(implicitCollection(mspId), key, bytes);
  }
}

function stamp(ctx: Context, reasonHash: string): ReasonStamp {
  return { reasonHash, at: txTime(ctx), txId: ctx.stub.getTxID() };
}

function certificateEvent(ctx: Context, type: string, record: CertificateRecord, replay = false): void {
  emitEvent(ctx, {
    type,
    id: record.certificateNo,
    attestationId: `certificate:${record.issuer}:${record.certificateNo}`,
    centres: record.requester === undefined ? [record.issuer] : [record.issuer, record.requester],
    status: record.status,
    replay: replay ? true : undefined,
  });
}

function requestEvent(ctx: Context, type: string, record: CertificateRequestRecord, replay = false): void {
  emitEvent(ctx, {
    type,
    id: record.requestId,
    attestationId: `certificate-request:${record.requester}:${record.requestId}`,
    centres: [record.requester, record.issuer],
    status: record.status,
    replay: replay ? true : undefined,
  });
}

function shareCodeKey(ctx: Context, codeHash: string): string {
  return ctx.stub.createCompositeKey(SHARE_CODE_KEY, [codeHash]);
}

async function loadShareCode(ctx: Context, codeHash: string): Promise<ShareCodeRecord> {
  const stored = await readJson(ctx, shareCodeKey(ctx, codeHash), 'share code');
  if (stored === undefined) {
    throw hpfError('NOT_FOUND', 'code: no such share code');
  }
  return shareCodeFromJson(stored);
}

/** Share-code events carry IDs only: the certificate number and the centres, never the code or its hash. */
function shareCodeEvent(ctx: Context, type: string, code: ShareCodeRecord, replay = false): void {
  emitEvent(ctx, {
    type,
    id: code.certificateNo,
    centres: code.usedBy === undefined ? [code.issuer] : [code.issuer, code.usedBy],
    replay: replay ? true : undefined,
  });
}

/**
 * What a verification compares with the record: the content hash (a number and hash, or the QR code),
 * or an uploaded PDF (its bytes' hash, and the hash of the content embedded in it for a certificate
 * issued before the ledger recorded PDF hashes).
 */
type Presented =
  | { readonly kind: 'content'; readonly contentHash: string }
  | { readonly kind: 'pdf'; readonly pdfHash: string; readonly contentHash: string };

function verdict(record: CertificateRecord, presented: Presented, now: string): VerificationStatus {
  // A record without pdfHash (issued before the ledger recorded it) is judged by the content a PDF embeds.
  const byBytes = presented.kind === 'pdf' && record.pdfHash !== undefined;
  const matches = byBytes
    ? record.pdfHash === presented.pdfHash
    : record.contentHash === presented.contentHash;
  if (!matches) {
    return 'TAMPERED';
  }
  if (record.status !== 'ISSUED') {
    return 'REVOKED';
  }
  if (record.validUntil <= now) {
    return 'EXPIRED';
  }
  return presented.kind === 'pdf' && !byBytes ? 'CONTENT_VALID' : 'VALID';
}

/**
 * What anyone may learn from a verification: no personal data, and for UNKNOWN and TAMPERED nothing
 * but the status (not even the number or issuer it was asked about), so that a guessed hash tells
 * nothing about the certificate behind a number.
 */
function verification(record: CertificateRecord | undefined, presented: Presented, now: string): Json {
  const status = record === undefined ? 'UNKNOWN' : verdict(record, presented, now);
  if (record === undefined || status === 'UNKNOWN' || status === 'TAMPERED') {
    return { status };
  }
  return {
    status,
    certificateNo: record.certificateNo,
    issuer: record.issuer,
    type: record.type,
    issuedAt: record.issuedAt,
    validUntil: record.validUntil,
    supersededBy: record.supersededBy,
  };
}

/**
 * Judges a presented certificate. A record in the issuer's name that the issuer's organisation did
 * not seal was written by others: FORGED, with nothing more, like UNKNOWN
 * (docs/decisions/0183-records-sealed-by-their-organisation.md).
 */
async function verifyPresented(
  ctx: Context,
  code: string,
  no: string,
  presented: Presented,
): Promise<string> {
  const record = await loadCertificate(ctx, code, no);
  if (record !== undefined && !(await sealedByCentre(ctx, certificateKey(ctx, code, no), code))) {
    return canonicalJson({ status: 'FORGED' });
  }
  return canonicalJson(verification(record, presented, txTime(ctx)));
}

/** The issue time a gateway gives (and prints) may differ from the transaction time by this much. */
const ISSUE_TIME_TOLERANCE_MS = 5 * 60 * 1000;

function checkIssueTime(issuedAt: string, now: string): void {
  if (Math.abs(Date.parse(issuedAt) - Date.parse(now)) > ISSUE_TIME_TOLERANCE_MS) {
    throw invalid('issuedAt', `must be within 5 minutes of the transaction time ${now}`);
  }
}

/**
 * Certificates (证明) other centres can trust. Public state holds the hash of the canonical content;
 * the content itself goes to the issuer's implicit collection and, for a requested certificate, to
 * the requesting centre's. Issue and revoke are endorsed by the issuer and an independent
 * organisation (the chaincode policy needs two; every endorser recomputes the subjectRef and the
 * content hash). A request and its answer carry AND(requester, issuer) on the request key.
 */
@Info({ title: 'certificate', description: 'Deposit-and-use and loan-settled certificates' })
export class CertificateContract extends LedgerContract {
  constructor() {
    super('certificate');
  }

  /** A centre asks another for a certificate about a person (transient `person` {idType, idNumber, name}). */
  @Transaction()
  @Returns('string')
  public async Request(ctx: LedgerContext, inputJson: string): Promise<string> {
    const input = requestInputFromJson(parseJson(inputJson, 'request'));
    checkCertificateRequestSubject(ctx, input.subjectRef);
    const registry = await loadRegistry(ctx);
    const caller = await requireCallerCentre(ctx, registry, input.requester, 'requester');
    const issuer = await centreOf(ctx, registry, input.issuer, 'issuer');
    if (issuer.mspId === caller.mspId) {
      // One organisation on both sides would leave the request with no independent endorser.
      throw invalid('issuer', `must be a centre of another organisation than ${caller.mspId}`);
    }
    const key = requestKey(ctx, input.requester, input.requestId);
    const stored = await readJson(ctx, key, 'certificate request');
    if (stored !== undefined) {
      const existing = certificateRequestFromJson(stored);
      const same =
        existing.issuer === input.issuer &&
        existing.type === input.type &&
        existing.subjectRef === input.subjectRef;
      if (!same) {
        throw hpfError('CONFLICT', `requestId: ${input.requestId} exists with different content`);
      }
      requestEvent(ctx, 'certificate.requested', existing, true);
      return canonicalJson(existing);
    }
    const record: CertificateRequestRecord = {
      ...input,
      status: 'PENDING',
      requestedAt: txTime(ctx),
      txId: ctx.stub.getTxID(),
    };
    await writeRequest(ctx, record);
    await ctx.stub.setStateValidationParameter(key, allOfPeersPolicy([caller.mspId, issuer.mspId]));
    const person = personOf(
      decodeJson(ctx.stub.getTransient().get('person') ?? new Uint8Array(), 'person'),
      'person',
    );
    await writePrivate(
      ctx,
      [caller.mspId, issuer.mspId],
      requestKey(ctx, record.requester, record.requestId),
      {
        requestId: record.requestId,
        requester: record.requester,
        person,
      },
    );
    requestEvent(ctx, 'certificate.requested', record);
    return canonicalJson(record);
  }

  /** The issuer refuses a request with a reason (`{"reasonHash"}`, text in transient `reason`). */
  @Transaction()
  @Returns('string')
  public async Refuse(
    ctx: LedgerContext,
    requester: string,
    requestId: string,
    refusalJson: string,
  ): Promise<string> {
    const reasonHash = reversalHashFromJson(parseJson(refusalJson, 'refusal'));
    const reason = transientText(ctx, 'reason', 'refusal.reason', reasonHash);
    const registry = await loadRegistry(ctx);
    const request = await loadRequest(ctx, requester, requestId);
    // Only the centre asked may refuse: it must be a centre of the caller's organisation.
    const caller = await requireCallerCentre(ctx, registry, request.issuer, 'requestId');
    if (request.status === 'REFUSED' && request.refusal?.reasonHash === reasonHash) {
      requestEvent(ctx, 'certificate.refused', request, true);
      return canonicalJson(request);
    }
    if (request.status !== 'PENDING') {
      throw hpfError('INVALID_STATE', `requestId: ${request.requestId} is ${request.status}, not PENDING`);
    }
    const refused: CertificateRequestRecord = {
      ...request,
      status: 'REFUSED',
      refusal: stamp(ctx, reasonHash),
    };
    await writeRequest(ctx, refused, request.status);
    const requesterMsp = (await centreOf(ctx, registry, request.requester, 'requester')).mspId;
    await writePrivate(
      ctx,
      [caller.mspId, requesterMsp],
      ctx.stub.createCompositeKey(REASON_KEY, ['refusal', request.requester, request.requestId]),
      {
        reasonHash,
        reason,
      },
    );
    requestEvent(ctx, 'certificate.refused', refused);
    return canonicalJson(refused);
  }

  /**
   * Issues a certificate: argument `{contentHash, subjectRef, request?}`, transient `content` (the
   * canonical content). An identical issue is a replay; another content under the same number is
   * CONFLICT. With `request`, the requesting centre's collection gets the content too.
   */
  @Transaction()
  @Returns('string')
  public async Issue(ctx: LedgerContext, inputJson: string): Promise<string> {
    const input = issueInputFromJson(parseJson(inputJson, 'issue'));
    const content = transientContent(ctx, input);
    const registry = await loadRegistry(ctx);
    const caller = await issuingCentre(ctx, registry, content);
    const existing = await loadCertificate(ctx, content.issuer, content.certificateNo);
    if (existing !== undefined) {
      if (existing.contentHash !== input.contentHash || existing.requestId !== input.request?.requestId) {
        throw hpfError('CONFLICT', `certificateNo: ${content.certificateNo} exists with different content`);
      }
      certificateEvent(ctx, 'certificate.issued', existing, true);
      return canonicalJson(existing);
    }
    const now = txTime(ctx);
    checkIssueTime(input.issuedAt, now);
    checkValidity(content, input.issuedAt > now ? input.issuedAt : now);
    const request = await answeredRequest(ctx, input, content);
    const old = await supersededRecord(ctx, input, content);
    const record: CertificateRecord = {
      certificateNo: content.certificateNo,
      issuer: content.issuer,
      type: content.type,
      subjectRef: input.subjectRef,
      contentHash: input.contentHash,
      pdfHash: input.pdfHash,
      issuedAt: input.issuedAt,
      validUntil: content.validUntil,
      status: 'ISSUED',
      txId: ctx.stub.getTxID(),
      requester: request?.requester,
      requestId: request?.requestId,
      supersedes: content.supersedes,
    };
    await writeOwned(
      ctx,
      certificateKey(ctx, record.issuer, record.certificateNo),
      record,
      [caller.mspId],
      'create',
    );
    if (old !== undefined) {
      await writeOwned(
        ctx,
        certificateKey(ctx, old.issuer, old.certificateNo),
        { ...old, status: 'SUPERSEDED', supersededBy: record.certificateNo },
        [caller.mspId],
        'update',
      );
    }
    const holders = [caller.mspId];
    if (request !== undefined) {
      await writeRequest(
        ctx,
        { ...request, status: 'ISSUED', certificateNo: record.certificateNo },
        request.status,
      );
      holders.push((await centreOf(ctx, registry, request.requester, 'request.requester')).mspId);
    }
    await writePrivate(
      ctx,
      holders,
      ctx.stub.createCompositeKey(CONTENT_KEY, [record.issuer, record.certificateNo]),
      content,
    );
    certificateEvent(ctx, 'certificate.issued', record);
    return canonicalJson(record);
  }

  /** The issuer revokes with a reason (`{"reasonHash"}`, text in transient `reason`, kept in its collection). */
  @Transaction()
  @Returns('string')
  public async Revoke(
    ctx: LedgerContext,
    issuer: string,
    certificateNo: string,
    revocationJson: string,
  ): Promise<string> {
    const reasonHash = reversalHashFromJson(parseJson(revocationJson, 'revocation'));
    const reason = transientText(ctx, 'reason', 'revocation.reason', reasonHash);
    const code = validateCentreCode(issuer, 'issuer');
    const caller = await requireCallerCentre(ctx, await loadRegistry(ctx), code, 'issuer');
    // Numbers are scoped per issuer: a centre revokes its own certificate with that number only.
    const record = await requireCertificate(ctx, caller.code, certificateNo);
    if (record.status === 'REVOKED' && record.revocation?.reasonHash === reasonHash) {
      certificateEvent(ctx, 'certificate.revoked', record, true);
      return canonicalJson(record);
    }
    if (record.status !== 'ISSUED') {
      throw hpfError(
        'INVALID_STATE',
        `certificateNo: ${record.certificateNo} is ${record.status}, not ISSUED`,
      );
    }
    const revoked: CertificateRecord = { ...record, status: 'REVOKED', revocation: stamp(ctx, reasonHash) };
    await writeOwned(
      ctx,
      certificateKey(ctx, record.issuer, record.certificateNo),
      revoked,
      [caller.mspId],
      'update',
    );
    await writePrivate(
      ctx,
      [caller.mspId],
      ctx.stub.createCompositeKey(REASON_KEY, ['revocation', record.issuer, record.certificateNo]),
      {
        reasonHash,
        reason,
      },
    );
    certificateEvent(ctx, 'certificate.revoked', revoked);
    return canonicalJson(revoked);
  }

  /**
   * A single-use share code for an issued certificate (亮码可办): argument `{codeHash, ttlSeconds}`.
   * The gateway drew the code; the ledger keeps its SHA-256, the certificate and the expiry
   * (transaction time + ttlSeconds, at most 24 h). Only the issuer; the certificate must be ISSUED
   * and not expired. The same hash again for the same certificate is a replay.
   */
  @Transaction()
  @Returns('string')
  public async CreateShareCode(
    ctx: LedgerContext,
    issuer: string,
    certificateNo: string,
    shareJson: string,
  ): Promise<string> {
    const input = shareCodeInputFromJson(parseJson(shareJson, 'shareCode'));
    const code = validateCentreCode(issuer, 'issuer');
    const caller = await requireCallerCentre(ctx, await loadRegistry(ctx), code, 'issuer');
    const record = await requireCertificate(ctx, caller.code, certificateNo);
    const stored = await readJson(ctx, shareCodeKey(ctx, input.codeHash), 'share code');
    if (stored !== undefined) {
      const existing = shareCodeFromJson(stored);
      if (existing.issuer !== record.issuer || existing.certificateNo !== record.certificateNo) {
        throw hpfError('CONFLICT', 'shareCode.codeHash: exists for another certificate');
      }
      shareCodeEvent(ctx, 'certificate.code-created', existing, true);
      return canonicalJson(existing);
    }
    const now = txTime(ctx);
    if (record.status !== 'ISSUED' || record.validUntil <= now) {
      throw hpfError(
        'INVALID_STATE',
        `certificateNo: ${record.certificateNo} is ${record.validUntil <= now ? 'EXPIRED' : record.status}; only a valid certificate is shared`,
      );
    }
    const shareCode: ShareCodeRecord = {
      codeHash: input.codeHash,
      issuer: record.issuer,
      issuerMsp: caller.mspId,
      certificateNo: record.certificateNo,
      createdAt: now,
      expiresAt: instantAfter(now, input.ttlSeconds),
      txId: ctx.stub.getTxID(),
      status: 'ACTIVE',
    };
    await writeJson(ctx, shareCodeKey(ctx, input.codeHash), shareCode);
    shareCodeEvent(ctx, 'certificate.code-created', shareCode);
    return canonicalJson(shareCode);
  }

  /** The public share-code record by the code's hash (what a redeeming gateway needs to pick endorsers). */
  @Transaction(false)
  @Returns('string')
  public async GetShareCode(ctx: LedgerContext, codeHash: string): Promise<string> {
    return canonicalJson(await loadShareCode(ctx, validateSha256Hex(codeHash, 'codeHash')));
  }

  /**
   * Redeems a share code (`{codeHash, centre}`): another organisation's centre, endorsed by the issuer
   * and the redeemer. Unknown → NOT_FOUND, used → CODE_USED, expired → CODE_EXPIRED; otherwise the
   * code is marked USED in this transaction and the certificate's public record and status returned.
   * The content is never in a submitted result (results are written into blocks): the redeeming
   * gateway then reads it from the issuer's peer with GetSharedContent.
   */
  @Transaction()
  @Returns('string')
  public async RedeemShareCode(ctx: LedgerContext, redeemJson: string): Promise<string> {
    const input = redeemInputFromJson(parseJson(redeemJson, 'redeem'));
    const caller = await requireCallerCentre(ctx, await loadRegistry(ctx), input.centre, 'redeem.centre');
    const code = await loadShareCode(ctx, input.codeHash);
    if (code.issuerMsp === caller.mspId) {
      throw hpfError(
        'FORBIDDEN',
        'code: the issuing organisation holds the certificate; a code is for another centre',
      );
    }
    if (code.status === 'USED') {
      throw hpfError('CODE_USED', `code: already redeemed (certificate ${code.certificateNo})`);
    }
    const now = txTime(ctx);
    if (code.expiresAt <= now) {
      throw hpfError('CODE_EXPIRED', `code: expired at ${code.expiresAt}`);
    }
    const used: ShareCodeRecord = {
      ...code,
      status: 'USED',
      usedBy: caller.code,
      usedByMsp: caller.mspId,
      usedAt: now,
      usedTxId: ctx.stub.getTxID(),
    };
    await writeJson(ctx, shareCodeKey(ctx, input.codeHash), used);
    const record = await requireCertificate(ctx, code.issuer, code.certificateNo);
    const answer = verification(record, { kind: 'content', contentHash: record.contentHash }, now);
    shareCodeEvent(ctx, 'certificate.code-redeemed', used);
    return canonicalJson({ shareCode: used, certificate: answer });
  }

  /**
   * The content a redeemed code opened, from the issuer's implicit collection: evaluated on the
   * issuer's peer by the organisation that redeemed it, within SHARE_CODE_RELEASE_SECONDS of the
   * redemption. Anyone else: FORBIDDEN; later: CODE_USED.
   */
  @Transaction(false)
  @Returns('string')
  public async GetSharedContent(ctx: LedgerContext, codeHash: string): Promise<string> {
    const code = await loadShareCode(ctx, validateSha256Hex(codeHash, 'codeHash'));
    if (code.status !== 'USED' || code.usedAt === undefined) {
      throw hpfError('INVALID_STATE', 'code: not redeemed yet');
    }
    if (code.usedByMsp !== ctx.clientIdentity.getMSPID()) {
      throw hpfError('FORBIDDEN', 'code: redeemed by another organisation');
    }
    if (instantAfter(code.usedAt, SHARE_CODE_RELEASE_SECONDS) <= txTime(ctx)) {
      throw hpfError('CODE_USED', `code: redeemed at ${code.usedAt}; the content was released then`);
    }
    const record = await requireCertificate(ctx, code.issuer, code.certificateNo);
    const bytes = await ctx.stub.getPrivateData(
      implicitCollection(code.issuerMsp),
      ctx.stub.createCompositeKey(CONTENT_KEY, [record.issuer, record.certificateNo]),
    );
    if (bytes.length === 0) {
      throw hpfError(
        'NOT_FOUND',
        `code: the content of ${record.certificateNo} is on the issuer's peer only`,
      );
    }
    const content = certificateContentFromJson(decodeJson(bytes, 'content'));
    return canonicalJson({ record, content });
  }

  /** The public record (no personal data): any member. */
  @Transaction(false)
  @Returns('string')
  public async Get(ctx: LedgerContext, issuer: string, certificateNo: string): Promise<string> {
    return canonicalJson(await requireCertificate(ctx, issuer, certificateNo));
  }

  /**
   * The record and its content, from the caller's own implicit collection: only the issuer and the
   * requesting centre hold it; any other organisation gets NOT_FOUND for the content.
   */
  @Transaction(false)
  @Returns('string')
  public async GetContent(ctx: LedgerContext, issuer: string, certificateNo: string): Promise<string> {
    const record = await requireCertificate(ctx, issuer, certificateNo);
    const bytes = await ctx.stub.getPrivateData(
      implicitCollection(ctx.clientIdentity.getMSPID()),
      ctx.stub.createCompositeKey(CONTENT_KEY, [record.issuer, record.certificateNo]),
    );
    if (bytes.length === 0) {
      throw hpfError(
        'NOT_FOUND',
        `certificateNo: the content of ${record.certificateNo} is held only by its issuer and requester`,
      );
    }
    const content = certificateContentFromJson(decodeJson(bytes, 'content'));
    return canonicalJson({ record, content });
  }

  /**
   * VALID / REVOKED / EXPIRED / TAMPERED / UNKNOWN for a number and a content hash, as of the proposal
   * time. UNKNOWN and TAMPERED carry the status only; so does FORGED, for a record the issuer's
   * organisation did not seal (docs/decisions/0183-records-sealed-by-their-organisation.md).
   */
  @Transaction(false)
  @Returns('string')
  public async Verify(
    ctx: LedgerContext,
    issuer: string,
    certificateNo: string,
    contentHash: string,
  ): Promise<string> {
    const code = validateCentreCode(issuer, 'issuer');
    const no = validateCertificateNo(certificateNo);
    const presented: Presented = {
      kind: 'content',
      contentHash: validateSha256Hex(contentHash, 'contentHash'),
    };
    return verifyPresented(ctx, code, no, presented);
  }

  /**
   * A PDF by the SHA-256 of its bytes (`pdfHash`) against the one recorded at issue: any other bytes
   * are TAMPERED, whatever content they embed. A certificate issued before the ledger recorded PDF
   * hashes is judged by the embedded content's hash (`contentHash`) and answers CONTENT_VALID
   * instead of VALID. Nothing is rendered.
   */
  @Transaction(false)
  @Returns('string')
  public async VerifyPdf(
    ctx: LedgerContext,
    issuer: string,
    certificateNo: string,
    pdfHash: string,
    contentHash: string,
  ): Promise<string> {
    const code = validateCentreCode(issuer, 'issuer');
    const no = validateCertificateNo(certificateNo);
    const presented: Presented = {
      kind: 'pdf',
      pdfHash: validateSha256Hex(pdfHash, 'pdfHash'),
      contentHash: validateSha256Hex(contentHash, 'contentHash'),
    };
    return verifyPresented(ctx, code, no, presented);
  }

  /** A request; the person only to the two centres (from the caller's own collection). */
  @Transaction(false)
  @Returns('string')
  public async GetRequest(ctx: LedgerContext, requester: string, requestId: string): Promise<string> {
    const request = await loadRequest(ctx, requester, requestId);
    const bytes = await ctx.stub.getPrivateData(
      implicitCollection(ctx.clientIdentity.getMSPID()),
      requestKey(ctx, request.requester, request.requestId),
    );
    return canonicalJson({ ...request, person: bytes.length === 0 ? undefined : storedPerson(bytes) });
  }

  /** A centre's queue: `incoming` (asked of it) or `outgoing` (its own), in one status. */
  @Transaction(false)
  @Returns('string')
  public async ListRequests(
    ctx: LedgerContext,
    centre: string,
    direction: string,
    status: string,
  ): Promise<string> {
    const code = validateCentreCode(centre, 'centre');
    if (direction !== 'incoming' && direction !== 'outgoing') {
      throw invalid('direction', 'must be incoming or outgoing');
    }
    if (!(REQUEST_STATUSES as readonly string[]).includes(status)) {
      throw invalid('status', `must be one of ${REQUEST_STATUSES.join(', ')}`);
    }
    const entries = (await readIndex(ctx, REQUEST_QUEUE, [code, direction, status])).slice(0, MAX_QUEUE);
    const items: CertificateRequestRecord[] = [];
    for (const entry of entries) {
      items.push(await loadRequest(ctx, entry.attributes[3] ?? '', entry.attributes[4] ?? ''));
    }
    return canonicalJson({ items });
  }
}
