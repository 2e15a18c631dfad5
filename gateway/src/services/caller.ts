import type { Role } from '../config';
import { ApiError } from '../errors';

/** Who is calling, as established by the API key. */
export interface Caller {
  readonly keyId: string;
  readonly role: Role;
  /**
   * An operator's: the one centre its key acts for. An auditor's: the centre its reads are about when
   * they name none (the gateway's first); it may read every centre. Null on the regulator's gateway.
   */
  readonly centreCode: string | null;
}

/** The centre an operator writes for. Auditors (and the regulator's gateway) never write. */
export function actingCentre(caller: Caller): string {
  if (caller.role !== 'operator' || caller.centreCode === null) {
    throw new ApiError('FORBIDDEN', 'only an operator of a centre may write');
  }
  return caller.centreCode;
}
