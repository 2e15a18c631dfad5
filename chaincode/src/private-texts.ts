import type { Context } from 'fabric-contract-api';

import { canonicalJson, decodeJson } from './codec';
import { chaincodeHashKeys } from './config';
import { invalid } from './domain/errors';
import { freeTextHash, validateFreeText } from './domain/free-text';
import { readObject, readOptionalString, readString } from './domain/json-fields';
import type { HistoryEntry, TransferRecord } from './model/transfer';
import type { WithdrawalRecord } from './model/withdrawal';
import { validateSha256Hex } from './domain/validators';

/**
 * Free texts (reject / dispute / fail messages, reversal reasons) kept out of public state. The
 * argument carries the keyed hash of the NFC text (`freeTextHash`, HMAC with a key derived from K),
 * the text travels in the transient map, and it is written as a
 * blind write to the implicit collections of the centres concerned. Every endorser checks the text
 * against the hash, so the hash on the ledger is the fingerprint of exactly the stored text.
 */

export function implicitCollection(mspId: string): string {
  return `_implicit_org_${mspId}`;
}

/** Private-data key of the text of one transfer step (the transaction that took it). */
const TRANSFER_TEXT = 'transfer-text';
/** Private-data key of a withdrawal's reversal reason, in the recording centre's own collection. */
export const reversalReasonKey = (withdrawalId: string): string => `withdrawal-reversal~${withdrawalId}`;

/**
 * The free text of transient key `key`, validated (no ID-number-shaped run after folding) and
 * checked against the hash given as argument. Returns the NFC text.
 */
export function transientText(ctx: Context, key: string, field: string, expectedHash: string): string {
  const bytes = ctx.stub.getTransient().get(key);
  if (bytes === undefined || bytes.length === 0) {
    throw invalid(field, `required in the transient map (key "${key}")`);
  }
  const text = validateFreeText(Buffer.from(bytes).toString('utf8'), field);
  if (freeTextHash(chaincodeHashKeys(), text) !== expectedHash) {
    throw invalid(`${field}Hash`, `does not match the ${key} in the transient map`);
  }
  return text;
}

export type StepText = { readonly message: string; readonly reasonCode?: string };

function stepTextKey(ctx: Context, transferId: string, txId: string): string {
  return ctx.stub.createCompositeKey(TRANSFER_TEXT, [transferId, txId]);
}

/** Writes a step's text to both centres' implicit collections (blind writes, no read). */
export async function writeStepText(
  ctx: Context,
  record: TransferRecord,
  entry: HistoryEntry,
  text: StepText,
): Promise<void> {
  const bytes = Buffer.from(
    canonicalJson({
      transferId: record.transferId,
      step: entry.step,
      by: entry.by,
      at: entry.at,
      txId: entry.txId,
      messageHash: entry.messageHash,
      reasonCode: text.reasonCode,
      message: text.message,
    }),
    'utf8',
  );
  const key = stepTextKey(ctx, record.transferId, entry.txId);
  await ctx.stub.putPrivateData(implicitCollection(record.fromMsp), key, bytes);
  await ctx.stub.putPrivateData(implicitCollection(record.toMsp), key, bytes);
}

export type StepTextView = {
  readonly step: string;
  readonly by: string;
  readonly at: string;
  readonly txId: string;
  readonly messageHash: string;
  readonly reasonCode?: string;
  readonly message?: string;
};

/**
 * The texts of every step of the transfer that has one, from the caller's own implicit collection,
 * in history order. A text missing on this peer is listed without `message`.
 */
export async function readStepTexts(ctx: Context, record: TransferRecord): Promise<StepTextView[]> {
  const collection = implicitCollection(ctx.clientIdentity.getMSPID());
  const views: StepTextView[] = [];
  for (const entry of record.history) {
    if (entry.messageHash === undefined) {
      continue;
    }
    const bytes = await ctx.stub.getPrivateData(collection, stepTextKey(ctx, record.transferId, entry.txId));
    const stored = bytes.length === 0 ? undefined : readObject(decodeJson(bytes, 'step text'), 'step text');
    views.push({
      step: entry.step,
      by: entry.by,
      at: entry.at,
      txId: entry.txId,
      messageHash: entry.messageHash,
      reasonCode: stored === undefined ? undefined : readOptionalString(stored, 'reasonCode', 'step text'),
      message: stored === undefined ? undefined : readString(stored, 'message', 'step text'),
    });
  }
  return views;
}

/** `{"reasonHash"}` of withdrawal:Reverse. */
export function reversalHashFromJson(value: unknown): string {
  const object = readObject(value, 'reversal', ['reasonHash']);
  return validateSha256Hex(readString(object, 'reasonHash', 'reversal'), 'reversal.reasonHash');
}

/** The reversal reason, in the recording centre's own implicit collection (blind write). */
export async function writeReversalReason(
  ctx: Context,
  centreMsp: string,
  record: WithdrawalRecord,
  reason: string,
): Promise<void> {
  const bytes = Buffer.from(
    canonicalJson({
      withdrawalId: record.withdrawalId,
      centre: record.centre,
      reasonHash: record.reversal?.reasonHash,
      reason,
      at: record.reversal?.at,
      txId: record.reversal?.txId,
    }),
    'utf8',
  );
  await ctx.stub.putPrivateData(implicitCollection(centreMsp), reversalReasonKey(record.withdrawalId), bytes);
}
