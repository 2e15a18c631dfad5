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

/** 18-character resident IDs (15→18, check character, province) and upper-cased other IDs. */
export function normaliseIdNumber(idType: string, idNumber: string, field: string): string {
  return validated(field, () => shared.normaliseIdNumber(shared.validateIdType(idType), idNumber, field));
}

/** subjectRef = base64url(HMAC-SHA256(K, idType + ":" + normalisedIdNumber)). */
export function subjectRefOf(key: Uint8Array, idType: string, normalisedIdNumber: string): string {
  return validated('person.idNumber', () => shared.computeSubjectRef(key, idType, normalisedIdNumber));
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

/** True when the reason closes (销户) the account: 03, 04, 05, 08. */
export function reasonClosesAccount(reasonCode: string): boolean {
  return Object.entries(shared.WITHDRAWAL_REASONS).some(
    ([code, reason]) => code === reasonCode && reason.closesAccount,
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
