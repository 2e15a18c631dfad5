import type { Context } from 'fabric-contract-api';

import { transferAttestationId } from '../domain/attestation-id';
import { ACCOUNT_CLOSED_BY_TRANSFER_OUT } from '../domain/codes';
import { hpfError, invalid } from '../domain/errors';
import { readArray, readObject, readOptionalString, readString } from '../domain/json-fields';
import { indexKey, INDEX, readIndex, readJson, txTime, writeJson } from '../ledger';
import type { TransferRecord } from './transfer';

/**
 * A person's account at one centre, as far as the ledger knows it (docs/rules.md "Accounts and
 * transfer-outs"). It is a history that nothing erases: every event is its own key
 * `account` [centre, subjectRef, at, txId], written blind and never deleted, so no later event can
 * silently lose an earlier closure.
 *
 * - `TRANSFER_OUT`: the source confirmed a transfer-out and sent the funds (closure, status 04);
 * - `WITHDRAWAL_CLOSE`: a withdrawal whose reason closes the account (销户提取);
 * - `WITHDRAWAL_CLOSE_REVERSED`: that withdrawal was reversed; it cancels only its own closure;
 * - `TRANSFER_IN`: a transfer into this centre for this person completed: the account continues
 *   here, so it is open again.
 *
 * Closed = some closure that is not reversed and not followed by a `TRANSFER_IN`.
 *
 * What the rules read is the account's status, one key `account-status` [centre, subjectRef]: the
 * closures in force and the open transfer-outs, updated by every event and by every transfer-out
 * that opens or ends. A withdrawal reads it with one point read (no range query to re-check at
 * commit); two transactions that change the same account conflict on it (MVCC), so neither update
 * is lost.
 */
export const ACCOUNT_EVENT_TYPES = [
  'TRANSFER_OUT',
  'WITHDRAWAL_CLOSE',
  'WITHDRAWAL_CLOSE_REVERSED',
  'TRANSFER_IN',
] as const;

export type AccountEventType = (typeof ACCOUNT_EVENT_TYPES)[number];

export type AccountEvent = {
  readonly type: AccountEventType;
  /** The typed attestation ID that caused the event (`transfer:…`, `withdrawal:<centre>:…`). */
  readonly attestationId: string;
  readonly at: string;
  readonly txId: string;
  /** The national platform's account status for a transfer-out closure (04). */
  readonly platformCode?: string;
};

export type AccountState = {
  readonly closed: boolean;
  /** The closures still in force, oldest first. */
  readonly closures: readonly AccountEvent[];
};

function isAccountEventType(value: string): value is AccountEventType {
  return (ACCOUNT_EVENT_TYPES as readonly string[]).includes(value);
}

function accountEventFromJson(value: unknown): AccountEvent {
  const object = readObject(value, 'account event');
  const type = readString(object, 'type', 'account event');
  if (!isAccountEventType(type)) {
    throw invalid('account event.type', 'unknown account event');
  }
  return {
    type,
    attestationId: readString(object, 'attestationId', 'account event'),
    at: readString(object, 'at', 'account event'),
    txId: readString(object, 'txId', 'account event'),
    platformCode: readOptionalString(object, 'platformCode', 'account event'),
  };
}

/** Folds a history (in ledger-key order: time, then txId) into the account's state. Pure. */
export function accountStateOf(events: readonly AccountEvent[]): AccountState {
  let closures: AccountEvent[] = [];
  for (const event of events) {
    switch (event.type) {
      case 'TRANSFER_OUT':
      case 'WITHDRAWAL_CLOSE':
        closures.push(event);
        break;
      case 'WITHDRAWAL_CLOSE_REVERSED':
        closures = closures.filter(
          (closure) =>
            !(closure.type === 'WITHDRAWAL_CLOSE' && closure.attestationId === event.attestationId),
        );
        break;
      case 'TRANSFER_IN':
        closures = [];
        break;
    }
  }
  return { closed: closures.length > 0, closures };
}

/** The account's history at a centre (one range query; not read by any rule, which read the status). */
export async function readAccountHistory(
  ctx: Context,
  centre: string,
  subjectRef: string,
): Promise<AccountEvent[]> {
  const entries = await readIndex(ctx, INDEX.account, [centre, subjectRef]);
  return entries.map((entry) => accountEventFromJson(entry.value));
}

/** Composite key type of the account status: [centre, subjectRef]. */
export const ACCOUNT_STATUS_KEY_TYPE = 'account-status';

/** The account's status now: what the rules read (one key per centre and person). */
export type AccountStatus = AccountState & {
  /** The accepted, unfinished transfer-outs from this centre (transfer IDs), oldest first. */
  readonly openTransferOuts: readonly string[];
};

const OPEN_ACCOUNT: AccountStatus = { closed: false, closures: [], openTransferOuts: [] };

export function accountStatusKey(ctx: Context, centre: string, subjectRef: string): string {
  return indexKey(ctx, ACCOUNT_STATUS_KEY_TYPE, [centre, subjectRef]);
}

function accountStatusFromJson(value: unknown): AccountStatus {
  const object = readObject(value, 'account status');
  const closures = readArray(object, 'closures', 1000, 'account status').map(accountEventFromJson);
  const openTransferOuts = readArray(object, 'openTransferOuts', 1000, 'account status').map((id, index) => {
    if (typeof id !== 'string') {
      throw invalid(`account status.openTransferOuts[${index}]`, 'must be a string');
    }
    return id;
  });
  return { closed: closures.length > 0, closures, openTransferOuts };
}

/**
 * Statuses this transaction has read or written, by key: Fabric's getState answers the committed
 * value, not the transaction's own write, and one step may read and change an account twice (a
 * check, then the change); a second read would be one more round trip to the peer.
 */
const known = new WeakMap<Context['stub'], Map<string, AccountStatus>>();

function remember(ctx: Context, key: string, status: AccountStatus): AccountStatus {
  const own = known.get(ctx.stub) ?? new Map<string, AccountStatus>();
  known.set(ctx.stub, own.set(key, status));
  return status;
}

/** The account's status at a centre: one point read (an account nothing happened to is open). */
export async function readAccountStatus(
  ctx: Context,
  centre: string,
  subjectRef: string,
): Promise<AccountStatus> {
  const key = accountStatusKey(ctx, centre, subjectRef);
  const own = known.get(ctx.stub)?.get(key);
  if (own !== undefined) {
    return own;
  }
  const stored = await readJson(ctx, key, 'account status');
  return remember(ctx, key, stored === undefined ? OPEN_ACCOUNT : accountStatusFromJson(stored));
}

async function writeAccountStatus(
  ctx: Context,
  centre: string,
  subjectRef: string,
  status: AccountStatus,
): Promise<void> {
  const key = accountStatusKey(ctx, centre, subjectRef);
  const before = known.get(ctx.stub)?.get(key);
  if (status.closures.length === 0 && status.openTransferOuts.length === 0) {
    remember(ctx, key, OPEN_ACCOUNT);
    // An open account with nothing stored stays without a key (no write at all).
    if (before !== OPEN_ACCOUNT) {
      await ctx.stub.deleteState(key);
    }
    return;
  }
  remember(ctx, key, status);
  await writeJson(ctx, key, {
    closures: status.closures.map((closure) => ({ ...closure })),
    openTransferOuts: [...status.openTransferOuts],
  });
}

export async function readAccountState(
  ctx: Context,
  centre: string,
  subjectRef: string,
): Promise<AccountState> {
  const { closed, closures } = await readAccountStatus(ctx, centre, subjectRef);
  return { closed, closures };
}

/** Appends one event to the account's history at `centre` (a blind write of a new key). */
export async function appendAccountEvent(
  ctx: Context,
  centre: string,
  subjectRef: string,
  type: AccountEventType,
  attestationId: string,
): Promise<void> {
  const at = txTime(ctx);
  const txId = ctx.stub.getTxID();
  const event: AccountEvent = {
    type,
    attestationId,
    at,
    txId,
    platformCode: type === 'TRANSFER_OUT' ? ACCOUNT_CLOSED_BY_TRANSFER_OUT : undefined,
  };
  await writeJson(ctx, indexKey(ctx, INDEX.account, [centre, subjectRef, at, txId]), event);
  const status = await readAccountStatus(ctx, centre, subjectRef);
  await writeAccountStatus(ctx, centre, subjectRef, {
    ...status,
    ...accountStateOf([...status.closures, event]),
  });
}

/**
 * The account events a transfer step causes: funds sent (ACCEPTED → OUT_CONFIRMED) close the source
 * account (04); completion continues the account at the destination (open there).
 */
export async function appendTransferAccountEvents(
  ctx: Context,
  before: TransferRecord,
  after: TransferRecord,
): Promise<void> {
  const attestationId = transferAttestationId(after.transferId);
  if (after.status === 'OUT_CONFIRMED' && before.status === 'ACCEPTED') {
    await appendAccountEvent(ctx, after.fromCentre, after.subjectRef, 'TRANSFER_OUT', attestationId);
  }
  if (after.status === 'COMPLETED' && before.status !== 'COMPLETED') {
    await appendAccountEvent(ctx, after.toCentre, after.subjectRef, 'TRANSFER_IN', attestationId);
  }
}

/**
 * The open transfer-outs (accepted and not finished: ACCEPTED, OUT_CONFIRMED, NEGOTIATING) of a
 * person at a source centre. A request alone is not open: it freezes nothing.
 */
export async function openTransferOuts(ctx: Context, centre: string, subjectRef: string): Promise<string[]> {
  return [...(await readAccountStatus(ctx, centre, subjectRef)).openTransferOuts];
}

/** A transfer-out from `centre` opens (the source accepted) or ends: the account's status says so. */
export async function markTransferOut(
  ctx: Context,
  centre: string,
  subjectRef: string,
  transferId: string,
  open: boolean,
): Promise<void> {
  const status = await readAccountStatus(ctx, centre, subjectRef);
  const others = status.openTransferOuts.filter((id) => id !== transferId);
  await writeAccountStatus(ctx, centre, subjectRef, {
    ...status,
    openTransferOuts: open ? [...others, transferId] : others,
  });
}

export function accountInTransferMessage(centre: string): string {
  return `subjectRef: the account at centre ${centre} is in an open transfer-out`;
}

/**
 * At most one open transfer-out per (source centre, person), checked when the source accepts. One
 * point read of the account status in the submit: a concurrent second acceptance reads the same
 * version of that key, and whichever commits second fails the MVCC check, so on retry it sees the
 * first and is refused here.
 */
export async function refuseSecondTransferOut(
  ctx: Context,
  centre: string,
  subjectRef: string,
): Promise<void> {
  const open = await openTransferOuts(ctx, centre, subjectRef);
  if (open.length > 0) {
    throw hpfError(
      'ACCOUNT_IN_TRANSFER',
      `${accountInTransferMessage(centre)} (${open.join(', ')} is accepted); the source accepts at most one transfer-out per person`,
    );
  }
}
