/** The parts of the configuration the services need. */
export interface ServiceSettings {
  /** This gateway's centre, or null for the regulator. */
  readonly centreCode: string | null;
  readonly mspId: string;
  readonly regulatorMspId: string;
  readonly endorsingFallbackMsps: readonly string[];
  readonly pseudonymKey: Uint8Array;
}

/** A write's answer: 201 when this request changed the ledger, 200 when it had already been done. */
export interface WriteOutcome {
  readonly status: 200 | 201;
  readonly record: Readonly<Record<string, unknown>>;
  readonly txId?: string;
}
