import type { Context } from 'fabric-contract-api';

import { decodeJson, encodeJson, type Json } from './codec';
import { isoFromTimestamp } from './domain/dates';

/** The stub type fabric-contract-api hands us; the unit tests' fake implements it. */
export type Stub = Context['stub'];

/** The name of the one chaincode event each transaction emits. */
export const EVENT_NAME = 'hpf';

/** Public-state keys of primary records (plain keys, as in API.md), and the scoped withdrawal key. */
export const REGISTRY_KEY = 'registry';
export const transferKey = (transferId: string): string => `transfer~${transferId}`;

/** Composite key type of withdrawal records: [centre, withdrawalId]; IDs are scoped per centre. */
export const WITHDRAWAL_KEY_TYPE = 'withdrawal';

export function withdrawalKey(ctx: Context, centre: string, withdrawalId: string): string {
  return ctx.stub.createCompositeKey(WITHDRAWAL_KEY_TYPE, [centre, withdrawalId]);
}

/** Composite-key index types. Index entries hold small canonical JSON values, never personal data. */
export const INDEX = {
  /** [centre, direction, status, transferId]: a centre's transfer work queue. */
  transferQueue: 'transfer-queue',
  /** [evidenceHash, subjectRef, centre, withdrawalId]: live (non-reversed) evidence use. */
  evidence: 'evidence',
  /**
   * [subjectRef, 'transfer', transferId] and [subjectRef, 'withdrawal', centre, withdrawalId]: every
   * attestation about a subject, for the timeline.
   */
  subject: 'subject',
  /** [centre, subjectRef, at, txId]: the account's history at that centre (model/account.ts). */
  account: 'account',
} as const;

/** The transaction time (from the proposal header, identical on every endorser) as ISO-8601 UTC. */
export function txTime(ctx: Context): string {
  const timestamp = ctx.stub.getTxTimestamp();
  return isoFromTimestamp(timestamp.seconds.toNumber(), timestamp.nanos);
}

export async function readJson(ctx: Context, key: string, what: string): Promise<unknown> {
  const bytes = await ctx.stub.getState(key);
  return bytes.length === 0 ? undefined : decodeJson(bytes, what);
}

export async function writeJson(ctx: Context, key: string, value: Json): Promise<void> {
  await ctx.stub.putState(key, encodeJson(value));
}

export interface IndexEntry {
  readonly key: string;
  readonly attributes: readonly string[];
  readonly value: unknown;
}

/**
 * Reads every entry under a partial composite key (one range query). An iterator left before its end
 * (an entry that does not decode) is closed; one read to its end is not: the peer closes a query once
 * it has sent the last result, and a close would cost another round trip for nothing.
 */
export async function readIndex(
  ctx: Context,
  type: string,
  attributes: readonly string[],
): Promise<IndexEntry[]> {
  const iterator = await ctx.stub.getStateByPartialCompositeKey(type, [...attributes]);
  const entries: IndexEntry[] = [];
  let exhausted = false;
  try {
    for (let next = await iterator.next(); ; next = await iterator.next()) {
      if (next.done) {
        exhausted = true;
        break;
      }
      const { key, value } = next.value;
      entries.push({
        key,
        attributes: ctx.stub.splitCompositeKey(key).attributes,
        value: decodeJson(value, type),
      });
    }
  } finally {
    if (!exhausted) await iterator.close();
  }
  return entries;
}

export function indexKey(ctx: Context, type: string, attributes: readonly string[]): string {
  return ctx.stub.createCompositeKey(type, [...attributes]);
}

export type AlertJson = {
  readonly code: string;
  readonly message: string;
  readonly evidenceHash?: string;
  readonly count?: number;
  readonly centres?: readonly string[];
};

/** The payload of the single `hpf` event. Centre codes, IDs and hashes only: no personal data. */
export type HpfEvent = {
  readonly type: string;
  readonly id: string;
  /** The typed attestation ID (`transfer:…`, `withdrawal:<centre>:…`); absent for registry events. */
  readonly attestationId?: string;
  readonly centres: readonly string[];
  readonly status?: string;
  readonly alerts?: readonly AlertJson[];
  readonly replay?: boolean;
  /**
   * The attestation's public record as this transaction wrote it (the same value as its state key):
   * what the gateways' indexes store, without reading each attestation back through the chaincode
   * (those reads cost every gateway, peer and chaincode server a call per attestation:
   * docs/decisions/0043-events-carry-the-public-record.md).
   */
  readonly record?: Json;
};

/** Sets the transaction's one chaincode event. Call it once, last (Fabric keeps only the last). */
export function emitEvent(ctx: Context, event: HpfEvent): void {
  ctx.stub.setEvent(EVENT_NAME, encodeJson({ ...event, centres: [...event.centres].sort() }));
}
