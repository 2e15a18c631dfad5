import { createSecretKey, type KeyObject } from 'node:crypto';
import * as shared from '@hpf/chaincode/dist/domain';
import { ApiError } from '../errors';

/**
 * The chaincode's own domain validators (chaincode/src/domain), so the gateway normalises exactly as
 * the chaincode validates. Their HpfError (`field: problem`) becomes our VALIDATION_FAILED here.
 */
function validated<T>(field: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof shared.HpfError) {
      const message = err.text.startsWith(`${field}: `) ? err.text.slice(field.length + 2) : err.text;
      throw new ApiError('VALIDATION_FAILED', `${field}: ${message}`, {
        errors: [{ path: field, message }],
        cause: err,
      });
    }
    throw err;
  }
}

export const RESIDENT_ID_TYPE: string = shared.RESIDENT_ID_TYPE;

/** A person's canonical identity (chaincode/src/domain/identity.ts): the one rule for every ID type. */
export type CanonicalIdentity = shared.CanonicalIdentity;

/**
 * The canonical identity of a claimed (idType, idNumber), checked as of `today` (the gateway's date
 * in China, YYYY-MM-DD): resident-ID shaped numbers must be valid whatever the type, other numbers
 * are folded. VALIDATION_FAILED names `field` (e.g. `person.idNumber`).
 */
export function canonicalIdentity(
  idType: string,
  idNumber: string,
  today: string,
  field: string,
): CanonicalIdentity {
  return validated(field, () => shared.canonicalIdentity(idType, idNumber, today, field));
}

/** subjectRef = base64url(HMAC-SHA256(K, "id:" + canonical number)), whatever type was claimed. */
export function subjectRefOf(key: Uint8Array, identity: CanonicalIdentity): string {
  return shared.subjectRefOf(secretKeyFor(key), identity);
}

/** K imported once as a KeyObject, kept per K: an HMAC keyed with raw bytes imports them each time. */
const secretKeys = new WeakMap<Uint8Array, KeyObject>();
function secretKeyFor(pseudonymKey: Uint8Array): KeyObject {
  let key = secretKeys.get(pseudonymKey);
  if (key === undefined) {
    key = createSecretKey(pseudonymKey);
    secretKeys.set(pseudonymKey, key);
  }
  return key;
}

/** Today's date in China (UTC+8), the date a birth date may not be after. */
export function chinaToday(now: Date = new Date()): string {
  return shared.chinaDateOf(now.toISOString());
}

/**
 * The keys derived from K (HKDF, chaincode/src/domain/keyed-hash.ts), kept per K: deriving costs more
 * than the HMAC itself, and a gateway has one K for its whole life.
 */
const derivedKeys = new WeakMap<Uint8Array, shared.HashKeys>();
function hashKeysFor(pseudonymKey: Uint8Array): shared.HashKeys {
  let keys = derivedKeys.get(pseudonymKey);
  if (keys === undefined) {
    keys = shared.hashKeysOf(pseudonymKey);
    derivedKeys.set(pseudonymKey, keys);
  }
  return keys;
}

/**
 * The keyed evidence hash every endorser recomputes from the reference (one copy, in the chaincode):
 * HMAC with a key derived from K of the folded reference.
 */
export function evidenceHashOf(pseudonymKey: Uint8Array, reference: string): string {
  return shared.evidenceHashOf(hashKeysFor(pseudonymKey), reference);
}

/** The folded form of an evidence reference (NFKC, case, separators, brackets, invisibles, look-alikes). */
export function normaliseEvidenceReference(reference: string): string {
  return shared.normaliseEvidenceReference(reference);
}

/** An evidence reference as the endorsers validate it (no ID number inside); VALIDATION_FAILED naming `field`. */
export function validateEvidenceReference(reference: string, field: string): string {
  return validated(field, () => shared.validateEvidenceReference(reference, field));
}

/**
 * Refuses a value bound for public state, events, the index or a URL (business IDs, references) that
 * holds an ID number in any spelling: the chaincode's one detector (id-shaped.ts). VALIDATION_FAILED
 * names `field`.
 */
export function refuseIdShaped(value: string, field: string): string {
  return validated(field, () => shared.refuseIdShaped(value, field));
}

/** The kind of ID-shaped run a text holds once folded (the chaincode's detector), or undefined. */
export function findIdShapedRun(text: string): shared.IdShape | undefined {
  return shared.findIdShapedRun(text);
}

/** Decodes a pseudonymisation key file exactly as every chaincode server does. */
export function decodePseudonymKey(raw: Uint8Array): Buffer | undefined {
  return shared.decodePseudonymKey(raw);
}

/** A unified social credit code, upper-cased, check character verified. */
export function normaliseUscc(code: string, field: string): string {
  return validated(field, () => shared.normaliseUscc(code, field));
}

/** Integer fen of a money string; VALIDATION_FAILED naming `field` when bad (or zero unless allowed). */
export function moneyToFen(amount: string, field: string, allowZero = false): number {
  return validated(field, () => shared.parseMoneyToFen(amount, field, allowZero));
}

/** Integer fen, or undefined when the text is not an amount (for comparisons). */
export function toFen(amount: string): number | undefined {
  try {
    return shared.parseMoneyToFen(amount, 'amount', true);
  } catch {
    return undefined;
  }
}

/**
 * `closesAccount` as the caller gave it, or the reason's default from the chaincode's table (true for
 * 03, 04, 05, 08) when left out; the chaincode applies the same default.
 */
export function closesAccountOf(reasonCode: string, given: boolean | undefined): boolean {
  return (
    given ??
    Object.entries(shared.WITHDRAWAL_REASONS).some(
      ([code, reason]) => code === reasonCode && reason.closesAccount,
    )
  );
}

export type AttestationRef = shared.AttestationRef;

/** A typed attestation ID (`transfer:<id>`, `withdrawal:<centre>:<id>`); a bare ID is VALIDATION_FAILED. */
export function parseAttestationId(attestationId: string, field = 'attestationId'): AttestationRef {
  return validated(field, () => shared.parseAttestationId(attestationId, field));
}

/** The ISO 7064 MOD 11-2 check character of 17 digits. */
export function residentIdCheckChar(first17: string): string {
  return shared.residentIdCheckChar(first17);
}

/** A reject / dispute / fail message or reversal reason, NFC, refused when it carries an ID number. */
export function validateFreeText(text: string, field: string): string {
  return validated(field, () => shared.validateFreeText(text, field));
}

/** Keyed hash (HMAC, key derived from K) of the NFC text: what public state holds instead of a free text. */
export function freeTextHash(pseudonymKey: Uint8Array, text: string): string {
  return shared.freeTextHash(hashKeysFor(pseudonymKey), text);
}

/** True when the text, NFKC-folded with spaces and separators removed, holds 15+ digits in a row. */
export function containsIdShapedRun(text: string): boolean {
  return shared.containsIdShapedRun(text);
}

/** A certificate's canonical content (chaincode/src/domain/certificate.ts). */
export type CertificateContent = shared.CertificateContent;
export const CERTIFICATE_TYPES: Readonly<Record<string, string>> = shared.CERTIFICATE_TYPES;
export const ACCOUNT_STATUSES: Readonly<Record<string, string>> = shared.ACCOUNT_STATUSES;

/**
 * Validates certificate content exactly as every endorser will, field paths at the top level of the
 * issue body (`facts.balance`, `person.idNumber`); VALIDATION_FAILED naming the field.
 */
export function certificateContent(value: unknown): CertificateContent {
  try {
    return shared.certificateContentFromJson(value, '');
  } catch (err) {
    if (err instanceof shared.HpfError) {
      const [path = 'body', ...rest] = err.text.split(': ');
      throw new ApiError('VALIDATION_FAILED', err.text, {
        errors: [{ path, message: rest.join(': ') }],
        cause: err,
      });
    }
    throw err;
  }
}

/** The canonical bytes the content hash covers, and that hash. */
export function certificateContentBytes(content: CertificateContent): Buffer {
  return shared.certificateContentBytes(content);
}

export function certificateContentHash(content: CertificateContent): string {
  return shared.certificateContentHash(content);
}
/** Code tables (chaincode/src/domain/codes.ts), for labels and figures. */
export const TRANSFER_STATUSES: Readonly<Record<string, string>> = shared.TRANSFER_STATUSES;
export const TRANSFER_STATUS_LABELS: Readonly<Record<string, string>> = shared.TRANSFER_STATUS_LABELS;
export const WITHDRAWAL_STATUS_LABELS: Readonly<Record<string, string>> = shared.WITHDRAWAL_STATUS_LABELS;
export const TERMINAL_TRANSFER_STATUSES: readonly string[] = shared.TERMINAL_TRANSFER_STATUSES;
export const WITHDRAWAL_REASONS: Readonly<Record<string, { readonly name: string }>> =
  shared.WITHDRAWAL_REASONS;
export const PROVINCE_CODES: Readonly<Record<string, string>> = shared.PROVINCE_CODES;
/** Every code a centre may have (chaincode/src/domain/centre-codes.ts), with its division's name. */
export const CENTRE_CODES: Readonly<Record<string, string>> = shared.CENTRE_CODES;

export function isCentreCode(value: string): boolean {
  return shared.isCentreCode(value);
}

/** The province-level code of a centre (440300 → 440000). */
export function provinceOf(centreCode: string): string | undefined {
  return shared.provinceOf(centreCode);
}
