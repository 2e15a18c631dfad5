/**
 * The one interface the chaincode's behaviour scenarios are written against. Two implementations:
 * the fake stub (`chaincode/test/fake-backend.ts`, unit project) and the real network through the raw
 * fabric-gateway client (`test/support/fabric-backend.ts`, integration project). A scenario that
 * passes on one and fails on the other is drift between the fake and Fabric.
 */

export interface CentreRef {
  readonly code: string;
  readonly mspId: string;
}

export interface CallOptions {
  /** Transient data (UTF-8 strings). */
  readonly transient?: Readonly<Record<string, string>>;
  /**
   * The organisations whose peers endorse. Every submit in the scenarios names them, so both backends
   * endorse with the same set and apply the same policies.
   */
  readonly endorsers: readonly string[];
}

/**
 * How a refused call surfaces, the same on both backends:
 * - a chaincode refusal: an Error whose message starts `HPF:<CODE>: ` (endorsement never happened);
 * - a transaction invalidated at commit: an Error whose message starts `<VALIDATION_CODE_NAME>:`
 *   (`ENDORSEMENT_POLICY_FAILURE`, `MVCC_READ_CONFLICT`, …), nothing committed;
 * - anything else (a chaincode crash): the error text as the peer returned it.
 */
export interface Backend {
  readonly kind: 'fake' | 'fabric';
  readonly beijing: CentreRef;
  readonly shanghai: CentreRef;
  readonly guangdong: CentreRef;
  /** City centres hosted by the Guangdong organisation (C440000MSP), beside its 省直 centre. */
  readonly guangzhou: CentreRef;
  readonly shenzhen: CentreRef;
  readonly regulatorMsp: string;
  /** YYMMDD never used in a transfer ID on this ledger before (transfer IDs are code + YYMMDD + 4 digits). */
  readonly transferDate: string;
  /** A tag never used before on this ledger, for withdrawal IDs, evidence and people. */
  readonly tag: string;
  /** A date (YYYY-MM-DD) the chaincode accepts as `withdrawnOn`/`receivedOn` now. */
  readonly today: string;
  /** The instant (ISO) the next transaction's time is close to (a certificate's `issuedAt`). */
  now(): string;

  /** Endorses, orders and waits for the commit; the parsed JSON result. */
  submit(
    mspId: string,
    contract: string,
    tx: string,
    args: readonly string[],
    options: CallOptions,
  ): Promise<unknown>;
  /** Evaluates on the caller's own peer; the parsed JSON result. */
  evaluate(mspId: string, contract: string, tx: string, args: readonly string[]): Promise<unknown>;
  /** The subjectRef the chaincode knows this person by (the backend's pseudonym key). */
  subjectRef(idType: string, idNumber: string): string;
  /** The consortium key K the chaincode recomputes keyed hashes with (evidence, free texts). */
  readonly pseudonymKey: Uint8Array;
  /**
   * Lets at least `seconds` of transaction time pass before the next call: the fake moves its clock,
   * Fabric waits (transaction times are the clients' clocks).
   */
  elapse(seconds: number): Promise<void>;
  close(): Promise<void>;
}

export function asRecord(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`expected a JSON object, got ${JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}

/** The message of the error a promise rejects with (fails if it resolves). */
export async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('expected a refusal, but the call succeeded');
}
