import type { BodyOf } from '../api-types';
import { canonicalJson, parseAttestationId } from '../domain';
import { decodeAttestation, latestTxIdOf, type Attestation } from '../domain/records';
import { ApiError } from '../errors';
import type { BlockInfo, ChainInfo, LedgerClient, TransactionInfo } from '../fabric/ledger-client';
import type { NamespaceKeys } from '../fabric/ledger-client';
import { optionalObject, parseJsonObject, stringField, type JsonObject } from './json-record';
import type { VerificationCache } from './verification-cache';
import type { ServiceSettings } from './settings';

export interface Proof {
  readonly attestationId: string;
  readonly kind: string;
  readonly record: JsonObject;
  readonly txId: string;
  readonly blockNumber: string;
  readonly validationCode: string;
  readonly timestamp: string;
  readonly endorsingOrgs: readonly string[];
  /**
   * True when the record is in a centre's name but that centre's organisation did not seal it: other
   * organisations wrote it (docs/decisions/0183-records-sealed-by-their-organisation.md). It does not count.
   */
  readonly forged: boolean;
}

/** An attestation to verify (POST /v1/verify), as the OpenAPI document defines it. */
export type VerifyBody = BodyOf<'verify'>;

export interface AuditServiceOptions {
  readonly ledger: LedgerClient;
  readonly settings: ServiceSettings;
  /** Optional: without it every verification asks the ledger. */
  readonly verifications?: VerificationCache;
}

export interface AuditService {
  timeline(subjectRef: string): Promise<JsonObject>;
  proof(attestationId: string): Promise<Proof>;
  /** The attestation's current record (decoded) from the ledger, or undefined when there is none. */
  current(attestationId: string): Promise<Attestation | undefined>;
  /** The keys a transaction read and wrote (qscc). */
  transactionKeys(txId: string): Promise<readonly NamespaceKeys[]>;
  /** The channel's height. */
  chainInfo(): Promise<ChainInfo>;
  verify(body: VerifyBody): Promise<JsonObject>;
  transaction(txId: string): Promise<TransactionInfo>;
  block(blockNumber: bigint): Promise<BlockInfo>;
}

class AuditServiceImpl implements AuditService {
  readonly #options: Readonly<AuditServiceOptions>;

  constructor(options: Readonly<AuditServiceOptions>) {
    this.#options = options;
  }

  async timeline(subjectRef: string): Promise<JsonObject> {
    return parseJsonObject(
      await this.#options.ledger.evaluate('audit', 'Timeline', [subjectRef]),
      'timeline',
    );
  }

  /**
   * `audit:Verify`, answered from the cache until the attestation's next event (see
   * verification-cache.ts). Only typed IDs (`transfer:…`, `withdrawal:<centre>:…`): a bare ID is 400
   * before any ledger call, so cache keys and event invalidations use the same unambiguous name.
   */
  async #verify(body: VerifyBody): Promise<JsonObject> {
    parseAttestationId(body.attestationId);
    const cache = this.#options.verifications;
    const args = canonicalJson(body);
    const cached = cache?.lookup(body.attestationId, args);
    if (cached !== undefined) {
      return cached;
    }
    const generation = cache?.generation(body.attestationId);
    const answer = parseJsonObject(
      await this.#options.ledger.evaluate('audit', 'Verify', [args]),
      'verification',
    );
    if (cache !== undefined && generation !== undefined && answer.found === true) {
      cache.store(body.attestationId, args, answer, generation);
    }
    return answer;
  }

  async #proofOf(attestationId: string, verification: JsonObject): Promise<Proof> {
    const record = optionalObject(verification, 'record');
    if (verification.found !== true || !record) {
      throw new ApiError('NOT_FOUND', 'no attestation with this ID');
    }
    const kind = stringField(verification, 'kind');
    const tx = await this.#options.ledger.getTransaction(latestTxIdOf(decodeAttestation(kind, record)));
    return {
      attestationId,
      kind,
      record,
      txId: tx.txId,
      blockNumber: tx.blockNumber,
      validationCode: tx.validationCode,
      timestamp: tx.timestamp,
      endorsingOrgs: tx.endorsingOrgs,
      forged: verification.forged === true,
    };
  }

  async current(attestationId: string): Promise<Attestation | undefined> {
    const verification = await this.#verify({ attestationId });
    const record = optionalObject(verification, 'record');
    return verification.found === true && record
      ? decodeAttestation(stringField(verification, 'kind'), record)
      : undefined;
  }

  async transactionKeys(txId: string): Promise<readonly NamespaceKeys[]> {
    return this.#options.ledger.getTransactionKeys(txId);
  }

  async chainInfo(): Promise<ChainInfo> {
    return this.#options.ledger.chainInfo();
  }

  async proof(attestationId: string): Promise<Proof> {
    return this.#proofOf(attestationId, await this.#verify({ attestationId }));
  }

  async verify(body: VerifyBody): Promise<JsonObject> {
    const verification = await this.#verify(body);
    if (verification.found !== true) {
      return { valid: false, found: false, attestationId: body.attestationId };
    }
    const proof = await this.#proofOf(body.attestationId, verification);
    const documentMatches =
      typeof verification.documentMatches === 'boolean' ? verification.documentMatches : undefined;
    return {
      valid: proof.validationCode === 'VALID' && !proof.forged && documentMatches !== false,
      found: true,
      ...(documentMatches === undefined ? {} : { documentMatches }),
      ...proof,
    };
  }

  async transaction(txId: string): Promise<TransactionInfo> {
    return this.#options.ledger.getTransaction(txId);
  }

  async block(blockNumber: bigint): Promise<BlockInfo> {
    return this.#options.ledger.getBlock(blockNumber);
  }
}

/** Reads for auditors: pseudonyms, timelines, and proofs from qscc. */
export function newAuditService(options: Readonly<AuditServiceOptions>): AuditService {
  return new AuditServiceImpl(options);
}
