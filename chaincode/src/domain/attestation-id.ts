import { invalid } from './errors';
import { validateCentreCode, validateContactLetterNumber, validateWithdrawalId } from './validators';

/**
 * Typed attestation IDs (docs/decisions/0020-centre-scoped-ids-and-typed-attestation-ids.md). A business ID alone is ambiguous: withdrawal
 * IDs are chosen by each centre (two centres may use the same one) and could equal a contact letter
 * number. So every record, proof and verification names an attestation as
 * `transfer:<transferId>` or `withdrawal:<centreCode>:<withdrawalId>`.
 */
export type AttestationRef =
  | { readonly kind: 'transfer'; readonly transferId: string }
  | { readonly kind: 'withdrawal'; readonly centre: string; readonly withdrawalId: string };

export const ATTESTATION_ID_FORMS = 'transfer:<transferId> or withdrawal:<centreCode>:<withdrawalId>';

export function transferAttestationId(transferId: string): string {
  return `transfer:${transferId}`;
}

export function withdrawalAttestationId(centre: string, withdrawalId: string): string {
  return `withdrawal:${centre}:${withdrawalId}`;
}

export function attestationIdOf(ref: AttestationRef): string {
  return ref.kind === 'transfer'
    ? transferAttestationId(ref.transferId)
    : withdrawalAttestationId(ref.centre, ref.withdrawalId);
}

/** Parses a typed attestation ID; a bare or malformed ID is VALIDATION_FAILED naming the typed forms. */
export function parseAttestationId(value: string, field = 'attestationId'): AttestationRef {
  const parts = value.split(':');
  if (parts[0] === 'transfer' && parts.length === 2) {
    validateContactLetterNumber(parts[1] ?? '', field);
    return { kind: 'transfer', transferId: parts[1] ?? '' };
  }
  if (parts[0] === 'withdrawal' && parts.length === 3) {
    const centre = validateCentreCode(parts[1] ?? '', field);
    return { kind: 'withdrawal', centre, withdrawalId: validateWithdrawalId(parts[2] ?? '', field) };
  }
  throw invalid(field, `must be a typed ID, ${ATTESTATION_ID_FORMS} (e.g. withdrawal:110000:W-0001)`);
}
