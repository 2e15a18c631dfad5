import { createHash, randomBytes } from 'node:crypto';

import {
  canonicalJson,
  certificateContent,
  certificateContentHash,
  freeTextHash,
  refuseIdShaped,
  validateFreeText,
  type CertificateContent,
} from '../domain';
import { ApiError, invalidField } from '../errors';
import { actingCentre, type Caller } from './caller';
import { embeddedCertificate, renderCertificatePdf } from './certificate-pdf';
import type { CentreDirectory } from './centre-directory';
import { optionalObject, parseJsonObject, stringField, type JsonObject } from './json-record';
import { normalisePerson, subjectRefFor } from './person';
import { independentEndorsementSets, writeOutcome } from './settings';
import type { WriteOutcome, WritingServiceOptions } from './settings';
import type { Schemas } from '../api-types';

/** A certificate to issue (POST /v1/certificates), as the OpenAPI document defines it. */
export type CertificateBody = Schemas['CertificateIssue'];

/** A certificate request (POST /v1/certificate-requests), as the OpenAPI document defines it. */
export type CertificateRequestBody = Schemas['CertificateRequest'];

/** A certificate to verify by its hash (POST …/certificates/verify), as the OpenAPI document defines it. */
export type VerifyBody = Schemas['CertificateVerify'];

/** The answer of POST /v1/certificates/redeem, and the IDs to log (never the code or the person). */
export interface Redemption {
  readonly body: JsonObject;
  readonly ids: {
    readonly certificateNo: string;
    readonly issuer: string;
    readonly centre: string;
    readonly txId: string;
  };
}

export interface CertificateServiceOptions extends WritingServiceOptions {
  /** Centre codes to MSP IDs, from the registry. */
  readonly directory: CentreDirectory;
}

export interface CertificateService {
  issue(caller: Caller, body: CertificateBody): Promise<WriteOutcome>;
  revoke(caller: Caller, certificateNo: string, reason: string): Promise<WriteOutcome>;
  /** The public record of `issuer`'s certificate (default: this gateway's centre). */
  get(caller: Caller, certificateNo: string, issuer?: string): Promise<JsonObject>;
  /**
   * Record and content (ID number, name, facts): only for operators of the issuing or the requesting
   * centre; anyone else (auditors, other centres) gets 403 before any private data is read.
   */
  content(caller: Caller, certificateNo: string, issuer?: string): Promise<JsonObject>;
  /** The PDF (it shows the content): the same operators only, else 403. */
  pdf(caller: Caller, certificateNo: string, issuer?: string): Promise<Buffer>;
  /** From the PDF's bytes, or from a number and a content hash (`issuer` required without a centre). */
  verifyPdf(pdf: Buffer): Promise<JsonObject>;
  verifyHash(body: VerifyBody, defaultIssuer: string | null): Promise<JsonObject>;
  request(caller: Caller, body: CertificateRequestBody): Promise<WriteOutcome>;
  /** A new single-use code for this centre's certificate; the ledger gets only its hash and expiry. */
  createShareCode(caller: Caller, certificateNo: string, ttlSeconds?: number): Promise<JsonObject>;
  /** Redeems a code once (endorsed by the issuer) and reads the content from the issuer's peer. */
  redeem(caller: Caller, code: string): Promise<Redemption>;
  refuse(caller: Caller, requestId: string, requester: string, reason: string): Promise<WriteOutcome>;
  getRequest(caller: Caller, requestId: string, requester?: string): Promise<JsonObject>;
  /**
   * A request as the caller may see it: with the person (ID number, name) for operators of the
   * requesting or the asked centre, without it for anyone else. `personal` says which.
   */
  readRequest(
    caller: Caller,
    requestId: string,
    requester?: string,
  ): Promise<{ readonly body: JsonObject; readonly personal: boolean }>;
  listRequests(caller: Caller, direction: string, status: string): Promise<JsonObject>;
}

/** Personal content is for operators of the issuing or the requesting centre only. */
function readsPersonal(caller: Caller, centres: readonly (string | undefined)[]): boolean {
  return caller.role === 'operator' && caller.centreCode !== null && centres.includes(caller.centreCode);
}

const NOT_YOURS =
  'only operators of the issuing or the requesting centre read a certificate’s personal content; ' +
  'the public record is GET /v1/certificates/{no}';

function scope(caller: Caller, given: string | undefined, field: string): string {
  const code = given ?? caller.centreCode;
  if (code === null) {
    throw invalidField(field, 'is required on the regulator gateway (numbers are per centre)');
  }
  return code;
}

/** The embedded content when it is valid canonical content; anything else is judged by its hash alone. */
function parsedContent(bytes: Buffer | undefined): CertificateContent | undefined {
  if (bytes === undefined) {
    return undefined;
  }
  try {
    return certificateContent(JSON.parse(bytes.toString('utf8')));
  } catch {
    return undefined;
  }
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** 15 random bytes: 120 bits, 24 characters of RFC 4648 base32 (no padding). */
const SHARE_CODE_BYTES = 15;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SHARE_CODE_PATTERN = /^[A-Z2-7]{24}$/;
const DEFAULT_SHARE_CODE_TTL_SECONDS = 24 * 60 * 60;
/** Waiting for the issuer's peer to commit the redemption: bounded, about 5 s. */
const SHARED_CONTENT_ATTEMPTS = 20;
const SHARED_CONTENT_WAIT_MS = 250;

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32.charAt((value >>> (bits - 5)) & 31);
      bits -= 5;
    }
  }
  return bits > 0 ? out + BASE32.charAt((value << (5 - bits)) & 31) : out;
}

/** The code as the ledger knows it: SHA-256 of its upper-case form. */
export function shareCodeHash(code: string): string {
  return createHash('sha256').update(code.toUpperCase(), 'utf8').digest('hex');
}

export function newShareCode(): string {
  return base32(randomBytes(SHARE_CODE_BYTES));
}

class CertificateServiceImpl implements CertificateService {
  readonly #options: Readonly<CertificateServiceOptions>;

  constructor(options: Readonly<CertificateServiceOptions>) {
    this.#options = options;
  }

  /** Own peer + regulator; then own peer + each fallback centre (as withdrawals). */
  #independentSets(): string[][] {
    return independentEndorsementSets(this.#options.settings);
  }

  async #content(issuer: string, body: CertificateBody): Promise<CertificateContent> {
    const person = normalisePerson(body.person, 'person');
    return certificateContent({
      version: 1,
      certificateNo: body.certificateNo,
      type: body.type,
      issuer,
      issuerName: await this.#options.directory.nameOf(issuer),
      person: { idType: person.idType, idNumber: person.idNumber, name: person.name },
      facts: body.facts,
      validUntil: body.validUntil,
      supersedes: body.supersedes,
    });
  }

  /**
   * The argument carries the content hash, the PDF's hash and issue time, and the subjectRef; the
   * canonical content travels in the transient map (key `content`), where every endorser re-validates
   * and re-hashes it. The PDF is rendered here, once: the ledger keeps the SHA-256 of its bytes and
   * the issue time it prints, and verifications compare an upload with that hash. Answering a
   * request, the requesting centre endorses with us (its collection gets the content); otherwise the
   * regulator or a fallback centre does. Replays are seen at endorsement, as for withdrawals.
   */
  async issue(caller: Caller, body: CertificateBody): Promise<WriteOutcome> {
    const issuer = actingCentre(caller);
    const content = await this.#content(issuer, body);
    const issuedAt = new Date().toISOString();
    const pdf = await renderCertificatePdf(content, issuedAt);
    const { mspId, pseudonymKey } = this.#options.settings;
    const endorsementSets =
      body.request === undefined
        ? this.#independentSets()
        : [[mspId, await this.#options.directory.mspIdForField(body.request.requester, 'request.requester')]];
    const result = await this.#options.writer.write({
      contract: 'certificate',
      transaction: 'Issue',
      args: [
        canonicalJson({
          contentHash: certificateContentHash(content),
          pdfHash: sha256(pdf),
          issuedAt,
          subjectRef: subjectRefFor(pseudonymKey, normalisePerson(body.person, 'person')),
          request: body.request,
        }),
      ],
      transient: { content: canonicalJson(content) },
      endorsementSets,
      skipCommit: (endorsed, txId) => parseJsonObject(endorsed, 'certificate').txId !== txId,
    });
    return writeOutcome(result, parseJsonObject(result.result, 'certificate'));
  }

  async revoke(caller: Caller, certificateNo: string, reason: string): Promise<WriteOutcome> {
    const issuer = actingCentre(caller);
    const text = validateFreeText(reason, 'reason');
    const result = await this.#options.writer.write({
      contract: 'certificate',
      transaction: 'Revoke',
      args: [
        issuer,
        certificateNo,
        canonicalJson({ reasonHash: freeTextHash(this.#options.settings.pseudonymKey, text) }),
      ],
      transient: { reason: text },
      endorsementSets: this.#independentSets(),
      skipCommit: (endorsed, txId) =>
        optionalObject(parseJsonObject(endorsed, 'certificate'), 'revocation')?.txId !== txId,
    });
    return writeOutcome(result, parseJsonObject(result.result, 'certificate'));
  }

  async get(caller: Caller, certificateNo: string, issuer?: string): Promise<JsonObject> {
    const code = scope(caller, issuer, 'issuer');
    return parseJsonObject(
      await this.#options.ledger.evaluate('certificate', 'Get', [code, certificateNo]),
      'certificate',
    );
  }

  async content(caller: Caller, certificateNo: string, issuer?: string): Promise<JsonObject> {
    const code = scope(caller, issuer, 'issuer');
    if (caller.role !== 'operator') {
      throw new ApiError('FORBIDDEN', NOT_YOURS);
    }
    if (!readsPersonal(caller, [code])) {
      // Not the issuer: the requesting centre, as the public record names it, or no one.
      const { requester } = await this.get(caller, certificateNo, code);
      if (!readsPersonal(caller, [typeof requester === 'string' ? requester : undefined])) {
        throw new ApiError('FORBIDDEN', NOT_YOURS);
      }
    }
    return parseJsonObject(
      await this.#options.ledger.evaluate('certificate', 'GetContent', [code, certificateNo], {
        endorsingOrganizations: [this.#options.settings.mspId],
      }),
      'certificate content',
    );
  }

  /**
   * Rendered again from the content and the recorded issue time, and checked against the PDF hash
   * recorded at issue: a renderer that no longer gives the issued bytes (a changed dependency) is
   * refused rather than handing out a document that would verify TAMPERED.
   */
  async pdf(caller: Caller, certificateNo: string, issuer?: string): Promise<Buffer> {
    const held = await this.content(caller, certificateNo, issuer);
    const record = optionalObject(held, 'record') ?? {};
    const pdf = await renderCertificatePdf(certificateContent(held.content), stringField(record, 'issuedAt'));
    const recorded = record.pdfHash;
    if (typeof recorded === 'string' && sha256(pdf) !== recorded) {
      throw new ApiError(
        'INVALID_STATE',
        `certificateNo: ${certificateNo} can no longer be rendered as issued (the PDF's SHA-256 differs from the ledger's); issue a certificate that supersedes it`,
      );
    }
    return pdf;
  }

  async #verify(issuer: string, certificateNo: string, contentHash: string): Promise<JsonObject> {
    return parseJsonObject(
      await this.#options.ledger.evaluate('certificate', 'Verify', [issuer, certificateNo, contentHash]),
      'verification',
    );
  }

  async verifyHash(body: VerifyBody, defaultIssuer: string | null): Promise<JsonObject> {
    const issuer = body.issuer ?? defaultIssuer;
    if (issuer === null) {
      throw invalidField('issuer', 'is required here (certificate numbers are per issuing centre)');
    }
    return this.#verify(issuer, body.certificateNo, body.contentHash);
  }

  /**
   * The SHA-256 of the uploaded bytes, judged by the ledger against the hash recorded at issue: any
   * other bytes are TAMPERED. Nothing is rendered. The embedded reference names the certificate; the
   * embedded content's hash serves certificates issued before the ledger recorded PDF hashes
   * (CONTENT_VALID at best).
   */
  async verifyPdf(pdf: Buffer): Promise<JsonObject> {
    const embedded = embeddedCertificate(pdf);
    if (embedded === undefined) {
      throw invalidField('body', 'is not a certificate PDF of this consortium (no verification reference)');
    }
    const { issuer, certificateNo } = embedded;
    const content = parsedContent(embedded.contentBytes);
    const contentHash = content === undefined ? embedded.contentHash : certificateContentHash(content);
    return parseJsonObject(
      await this.#options.ledger.evaluate('certificate', 'VerifyPdf', [
        issuer,
        certificateNo,
        sha256(pdf),
        contentHash,
      ]),
      'verification',
    );
  }

  async createShareCode(
    caller: Caller,
    certificateNo: string,
    ttlSeconds = DEFAULT_SHARE_CODE_TTL_SECONDS,
  ): Promise<JsonObject> {
    const issuer = actingCentre(caller);
    const code = newShareCode();
    const result = await this.#options.writer.write({
      contract: 'certificate',
      transaction: 'CreateShareCode',
      args: [issuer, certificateNo, canonicalJson({ codeHash: shareCodeHash(code), ttlSeconds })],
      endorsementSets: this.#independentSets(),
    });
    const record = parseJsonObject(result.result, 'share code');
    return {
      code,
      expiresAt: stringField(record, 'expiresAt'),
      certificateNo: stringField(record, 'certificateNo'),
      issuer: stringField(record, 'issuer'),
    };
  }

  /**
   * The issuer's peer holds the content: it endorses the redemption with ours (one transaction marks
   * the code used) and then answers the content query. A submitted result is written into the block,
   * so the content never travels in the redemption itself.
   */
  async redeem(caller: Caller, code: string): Promise<Redemption> {
    const centre = actingCentre(caller);
    const normalised = code.toUpperCase();
    if (!SHARE_CODE_PATTERN.test(normalised)) {
      throw invalidField('code', 'must be 24 characters of base32 (A-Z, 2-7)');
    }
    const codeHash = shareCodeHash(normalised);
    const { ledger, writer, settings } = this.#options;
    const found = parseJsonObject(
      await ledger.evaluate('certificate', 'GetShareCode', [codeHash]),
      'share code',
    );
    const issuerMsp = stringField(found, 'issuerMsp');
    if (issuerMsp === settings.mspId) {
      throw new ApiError(
        'FORBIDDEN',
        'code: the issuing organisation holds the certificate; a code is for another centre',
      );
    }
    const result = await writer.write({
      contract: 'certificate',
      transaction: 'RedeemShareCode',
      args: [canonicalJson({ codeHash, centre })],
      endorsementSets: [[issuerMsp, settings.mspId]],
    });
    const redeemed = parseJsonObject(result.result, 'redemption');
    const verification = optionalObject(redeemed, 'certificate') ?? {};
    const held = await this.#sharedContent(codeHash, issuerMsp);
    const content = certificateContent(held.content);
    const record = optionalObject(held, 'record') ?? {};
    return {
      body: {
        status: stringField(verification, 'status'),
        certificate: {
          certificateNo: content.certificateNo,
          issuer: content.issuer,
          issuerName: content.issuerName,
          type: content.type,
          person: content.person,
          facts: content.facts,
          issuedAt: stringField(record, 'issuedAt'),
          validUntil: content.validUntil,
        },
      },
      ids: { certificateNo: content.certificateNo, issuer: content.issuer, centre, txId: result.txId },
    };
  }

  /** The content from the issuer's peer, once that peer has the redemption (bounded wait). */
  async #sharedContent(codeHash: string, issuerMsp: string): Promise<JsonObject> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return parseJsonObject(
          await this.#options.ledger.evaluate('certificate', 'GetSharedContent', [codeHash], {
            endorsingOrganizations: [issuerMsp],
          }),
          'shared content',
        );
      } catch (err) {
        if (
          !(err instanceof ApiError && err.code === 'INVALID_STATE') ||
          attempt >= SHARED_CONTENT_ATTEMPTS
        ) {
          throw err;
        }
        await new Promise((resolve) => setTimeout(resolve, SHARED_CONTENT_WAIT_MS));
      }
    }
  }

  /** Both centres endorse (the request key carries AND(requester, issuer)); the person goes to both. */
  async request(caller: Caller, body: CertificateRequestBody): Promise<WriteOutcome> {
    const requester = actingCentre(caller);
    refuseIdShaped(body.requestId, 'requestId');
    const person = normalisePerson(body.person, 'person');
    const issuerMsp = await this.#options.directory.mspIdForField(body.issuer, 'issuer');
    if (issuerMsp === this.#options.settings.mspId) {
      throw invalidField('issuer', `must be a centre of another organisation than ${issuerMsp}`);
    }
    const result = await this.#options.writer.write({
      contract: 'certificate',
      transaction: 'Request',
      args: [
        canonicalJson({
          requestId: body.requestId,
          requester,
          issuer: body.issuer,
          type: body.type,
          subjectRef: subjectRefFor(this.#options.settings.pseudonymKey, person),
        }),
      ],
      transient: {
        person: canonicalJson({ idType: person.idType, idNumber: person.idNumber, name: person.name }),
      },
      endorsementSets: [[this.#options.settings.mspId, issuerMsp]],
      skipCommit: (endorsed, txId) => parseJsonObject(endorsed, 'certificate request').txId !== txId,
    });
    return writeOutcome(result, parseJsonObject(result.result, 'certificate request'));
  }

  async refuse(caller: Caller, requestId: string, requester: string, reason: string): Promise<WriteOutcome> {
    const own = actingCentre(caller);
    const text = validateFreeText(reason, 'reason');
    const requesterMsp = await this.#options.directory.mspIdForField(requester, 'requester');
    // Only the centre asked refuses: another centre of this organisation may not answer for it.
    const asked = stringField(await this.getRequest(caller, requestId, requester), 'issuer');
    if (asked !== own) {
      throw new ApiError('FORBIDDEN', `requestId: the request was made of centre ${asked}, not of ${own}`);
    }
    const result = await this.#options.writer.write({
      contract: 'certificate',
      transaction: 'Refuse',
      args: [
        requester,
        requestId,
        canonicalJson({ reasonHash: freeTextHash(this.#options.settings.pseudonymKey, text) }),
      ],
      transient: { reason: text },
      endorsementSets: [[this.#options.settings.mspId, requesterMsp]],
      skipCommit: (endorsed, txId) =>
        optionalObject(parseJsonObject(endorsed, 'certificate request'), 'refusal')?.txId !== txId,
    });
    return writeOutcome(result, parseJsonObject(result.result, 'certificate request'));
  }

  async getRequest(caller: Caller, requestId: string, requester?: string): Promise<JsonObject> {
    const code = scope(caller, requester, 'requester');
    return parseJsonObject(
      await this.#options.ledger.evaluate('certificate', 'GetRequest', [code, requestId], {
        endorsingOrganizations: [this.#options.settings.mspId],
      }),
      'certificate request',
    );
  }

  async readRequest(
    caller: Caller,
    requestId: string,
    requester?: string,
  ): Promise<{ readonly body: JsonObject; readonly personal: boolean }> {
    const { person, ...request } = await this.getRequest(caller, requestId, requester);
    const personal =
      person !== undefined &&
      readsPersonal(caller, [
        typeof request.requester === 'string' ? request.requester : undefined,
        typeof request.issuer === 'string' ? request.issuer : undefined,
      ]);
    return { body: personal ? { ...request, person } : request, personal };
  }

  async listRequests(caller: Caller, direction: string, status: string): Promise<JsonObject> {
    const centre = scope(caller, undefined, 'centre');
    return parseJsonObject(
      await this.#options.ledger.evaluate('certificate', 'ListRequests', [centre, direction, status]),
      'certificate requests',
    );
  }
}

/** Certificates: issued, requested, refused and revoked through the ledger; PDFs verified from their bytes. */
export function newCertificateService(options: Readonly<CertificateServiceOptions>): CertificateService {
  return new CertificateServiceImpl(options);
}
