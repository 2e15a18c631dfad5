import { Context, Info, Returns, Transaction } from 'fabric-contract-api';
import type { Iterators } from 'fabric-shim';

import { canonicalJson, decodeJson, parseJson } from './codec';
import { transferAttestationId } from './domain/attestation-id';
import { TRANSFER_STATUSES, isTransferStatus } from './domain/codes';
import { hpfError, invalid } from './domain/errors';
import { readObject, readOptionalInteger, readOptionalString, readString } from './domain/json-fields';
import {
  formatFen,
  sha256Hex,
  validateCentreCode,
  validateContactLetterNumber,
  validateSubjectRef,
} from './domain/validators';
import { allOfPeersPolicy } from './endorsement';
import { emitEvent, indexKey, INDEX, readJson, transferKey, txTime, writeJson } from './ledger';
import { appendTransferAccountEvents, markTransferOut, refuseSecondTransferOut } from './model/account';
import { personFromJson } from './model/person';
import {
  implicitCollection,
  readStepTexts,
  transientText,
  writeStepText,
  type StepText,
} from './private-texts';
import { isStepReplay, type StepData } from './step-replay';
import { findCentre, loadRegistry, requireCallerCentre } from './model/registry';
import { checkTransferSubject } from './model/subject-check';
import {
  completionFromJson,
  isOpenTransfer,
  isTerminalTransfer,
  messageHashFromJson,
  platformCodeFor,
  rejectionFromJson,
  STEP_RULES,
  transferFromJson,
  transferOutFromJson,
  type Actor,
  type HistoryEntry,
  type TransferRecord,
  type TransferStep,
} from './model/transfer';
import { LedgerContext, LedgerContract } from './batched-stub';

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

export { implicitCollection };

async function loadTransfer(ctx: Context, transferId: string): Promise<TransferRecord> {
  const stored = await readJson(ctx, transferKey(transferId), 'transfer');
  if (stored === undefined) {
    throw hpfError('NOT_FOUND', `transferId: no transfer ${transferId}`);
  }
  return transferFromJson(stored);
}

/** Which side of the transfer the caller's MSP is; anyone else (the regulator included) is FORBIDDEN. */
function callerSide(ctx: Context, record: TransferRecord): Exclude<Actor, 'either'> {
  const mspId = ctx.clientIdentity.getMSPID();
  if (mspId === record.fromMsp) {
    return 'source';
  }
  if (mspId === record.toMsp) {
    return 'destination';
  }
  throw hpfError('FORBIDDEN', 'caller is neither the source nor the destination centre of this transfer');
}

function queueKeys(ctx: Context, record: TransferRecord): [string, string] {
  return [
    indexKey(ctx, INDEX.transferQueue, [record.toCentre, 'incoming', record.status, record.transferId]),
    indexKey(ctx, INDEX.transferQueue, [record.fromCentre, 'outgoing', record.status, record.transferId]),
  ];
}

function transferEvent(ctx: Context, type: string, record: TransferRecord, replay = false): void {
  emitEvent(ctx, {
    type,
    id: record.transferId,
    attestationId: record.attestationId,
    centres: [record.fromCentre, record.toCentre],
    status: record.status,
    replay: replay ? true : undefined,
    record,
  });
}

type StepChange = Partial<Pick<TransferRecord, 'transferOut' | 'completion' | 'reject'>> & {
  readonly messageHash?: string;
};

/** Writes that follow a status change: queue index, the account's status and history. */
async function writeStepIndexes(ctx: Context, before: TransferRecord, after: TransferRecord): Promise<void> {
  for (const key of queueKeys(ctx, before)) {
    await ctx.stub.deleteState(key);
  }
  for (const key of queueKeys(ctx, after)) {
    await writeJson(ctx, key, {});
  }
  // The account freezes when the source accepts (decision 0220) and thaws when the transfer ends.
  if (isOpenTransfer(after.status) && !isOpenTransfer(before.status)) {
    await markTransferOut(ctx, after.fromCentre, after.subjectRef, after.transferId, true);
  }
  if (isTerminalTransfer(after.status) && isOpenTransfer(before.status)) {
    await markTransferOut(ctx, after.fromCentre, after.subjectRef, after.transferId, false);
  }
  // Funds sent close the source account (04); completion continues it at the destination.
  await appendTransferAccountEvents(ctx, before, after);
}

/**
 * One step of the state machine: 1 read (the transfer), then the record, index moves and the
 * event. The caller's side and the current status are checked against STEP_RULES.
 */
async function applyStep(
  ctx: Context,
  transferId: string,
  step: Exclude<TransferStep, 'REQUEST'>,
  change: (record: TransferRecord) => StepChange,
  data: StepData = {},
  text?: StepText,
): Promise<string> {
  const record = await loadTransfer(ctx, transferId);
  const side = callerSide(ctx, record);
  const rule = STEP_RULES[step];
  if (rule.actor !== 'either' && rule.actor !== side) {
    throw hpfError('FORBIDDEN', `${step}: only the ${rule.actor} centre may take this step`);
  }
  if (!rule.from.includes(record.status)) {
    if (isStepReplay(record, step, ctx.clientIdentity.getMSPID(), data)) {
      transferEvent(ctx, rule.event, record, true);
      return canonicalJson(record);
    }
    throw hpfError('INVALID_STATE', `${step}: not allowed when the transfer is ${record.status}`);
  }
  if (isOpenTransfer(rule.to) && !isOpenTransfer(record.status)) {
    // Accepting freezes the account at the source: at most one accepted transfer-out per person.
    await refuseSecondTransferOut(ctx, record.fromCentre, record.subjectRef);
  }
  const { messageHash, ...fields } = change(record);
  const at = txTime(ctx);
  const entry: HistoryEntry = {
    step,
    status: rule.to,
    platformCode: platformCodeFor(rule.to, record.history),
    by: ctx.clientIdentity.getMSPID(),
    centre: side === 'source' ? record.fromCentre : record.toCentre,
    at,
    txId: ctx.stub.getTxID(),
    messageHash,
  };
  const updated: TransferRecord = {
    ...record,
    ...fields,
    status: rule.to,
    platformCode: entry.platformCode,
    history: [...record.history, entry],
    updatedAt: at,
  };
  await writeJson(ctx, transferKey(transferId), updated);
  await writeStepIndexes(ctx, record, updated);
  if (text !== undefined) {
    await writeStepText(ctx, updated, entry, text);
  }
  transferEvent(ctx, rule.event, updated);
  return canonicalJson(updated);
}

function validTransferId(transferId: string): string {
  validateContactLetterNumber(transferId, 'transferId');
  return transferId;
}

type RequestInput = { readonly transferId: string; readonly fromCentre: string; readonly subjectRef: string };

function requestFromJson(value: unknown): RequestInput {
  const object = readObject(value, 'request', ['transferId', 'fromCentre', 'subjectRef']);
  return {
    transferId: validTransferId(readString(object, 'transferId')),
    fromCentre: validateCentreCode(readString(object, 'fromCentre'), 'fromCentre'),
    subjectRef: validateSubjectRef(readString(object, 'subjectRef')),
  };
}

function transientPerson(ctx: Context): { json: string; hash: string } {
  const bytes = ctx.stub.getTransient().get('person');
  if (bytes === undefined || bytes.length === 0) {
    throw invalid('person', 'required in the transient map');
  }
  const json = canonicalJson(personFromJson(decodeJson(bytes, 'person')));
  return { json, hash: sha256Hex(json) };
}

function sameRequest(a: TransferRecord, b: TransferRecord): boolean {
  return (
    a.fromCentre === b.fromCentre &&
    a.toCentre === b.toCentre &&
    a.subjectRef === b.subjectRef &&
    a.personHash === b.personHash
  );
}

async function writeNewTransfer(ctx: Context, record: TransferRecord, personJson: string): Promise<void> {
  const key = transferKey(record.transferId);
  await writeJson(ctx, key, record);
  await ctx.stub.setStateValidationParameter(key, allOfPeersPolicy([record.fromMsp, record.toMsp]));
  const personBytes = Buffer.from(personJson, 'utf8');
  await ctx.stub.putPrivateData(implicitCollection(record.fromMsp), key, personBytes);
  await ctx.stub.putPrivateData(implicitCollection(record.toMsp), key, personBytes);
  for (const queueKey of queueKeys(ctx, record)) {
    await writeJson(ctx, queueKey, {});
  }
  await writeJson(ctx, indexKey(ctx, INDEX.subject, [record.subjectRef, 'transfer', record.transferId]), {
    at: record.createdAt,
    centres: [record.fromCentre, record.toCentre],
  });
}

/**
 * What a paginated query answers. The peer omits the metadata when it would be empty (no record
 * fetched and no bookmark: an empty page), and fabric-shim then leaves `metadata` undefined although
 * its type says otherwise.
 */
type QueryPage = {
  readonly iterator: Iterators.StateQueryIterator;
  readonly metadata?: { readonly bookmark: string; readonly fetchedRecordsCount: number };
};

type ListInput = {
  readonly centre: string;
  readonly direction: 'incoming' | 'outgoing';
  readonly status?: string;
  readonly pageSize: number;
  readonly bookmark: string;
};

function listFromJson(value: unknown): ListInput {
  const object = readObject(value, 'query', ['centre', 'direction', 'status', 'pageSize', 'bookmark']);
  const direction = readString(object, 'direction');
  if (direction !== 'incoming' && direction !== 'outgoing') {
    throw invalid('direction', 'must be incoming or outgoing');
  }
  const status = readOptionalString(object, 'status');
  if (status !== undefined && !isTransferStatus(status)) {
    throw invalid('status', `must be one of ${Object.keys(TRANSFER_STATUSES).join(', ')}`);
  }
  const bookmark = readOptionalString(object, 'bookmark') ?? '';
  if (bookmark.length > 512) {
    throw invalid('bookmark', 'must be at most 512 characters');
  }
  return {
    centre: validateCentreCode(readString(object, 'centre'), 'centre'),
    direction,
    status,
    pageSize: readOptionalInteger(object, 'pageSize', 1, MAX_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE,
    bookmark,
  };
}

/**
 * Transfer-and-continue (异地转移接续). The destination centre requests with a contact letter; the
 * source accepts, confirms the transfer-out, and the destination completes. Request sets the
 * key-level policy AND(source peer, destination peer) on the record, so every later step needs
 * both centres' endorsements.
 */
@Info({ title: 'transfer', description: 'Transfer-and-continue between two centres' })
export class TransferContract extends LedgerContract {
  constructor() {
    super('transfer');
  }

  @Transaction()
  @Returns('string')
  public async Request(ctx: LedgerContext, requestJson: string): Promise<string> {
    const input = requestFromJson(parseJson(requestJson, 'request'));
    const person = transientPerson(ctx);
    checkTransferSubject(ctx, input.subjectRef);
    const registry = await loadRegistry(ctx);
    // The letter number starts with the destination centre's code: a centre of the caller's organisation.
    const destination = await requireCallerCentre(ctx, registry, input.transferId.slice(0, 6), 'transferId');
    const source = await findCentre(ctx, registry, input.fromCentre);
    if (source === undefined) {
      throw invalid('fromCentre', `centre ${input.fromCentre} is not registered`);
    }
    if (source.mspId === destination.mspId) {
      // One organisation on both sides would leave the record with no independent endorser.
      throw invalid('fromCentre', `must be a centre of another organisation than ${destination.mspId}`);
    }
    const at = txTime(ctx);
    const record: TransferRecord = {
      transferId: input.transferId,
      attestationId: transferAttestationId(input.transferId),
      fromCentre: source.code,
      toCentre: destination.code,
      fromMsp: source.mspId,
      toMsp: destination.mspId,
      subjectRef: input.subjectRef,
      personHash: person.hash,
      status: 'REQUESTED',
      platformCode: TRANSFER_STATUSES.REQUESTED,
      history: [
        {
          step: 'REQUEST',
          status: 'REQUESTED',
          platformCode: '01',
          by: destination.mspId,
          centre: destination.code,
          at,
          txId: ctx.stub.getTxID(),
        },
      ],
      createdAt: at,
      updatedAt: at,
    };
    const stored = await readJson(ctx, transferKey(input.transferId), 'transfer');
    if (stored !== undefined) {
      const existing = transferFromJson(stored);
      if (!sameRequest(existing, record)) {
        throw hpfError('CONFLICT', `transferId: ${input.transferId} exists with different content`);
      }
      transferEvent(ctx, 'transfer.requested', existing, true);
      return canonicalJson(existing);
    }
    // A request freezes nothing: several destinations may ask; the source accepts at most one.
    await writeNewTransfer(ctx, record, person.json);
    transferEvent(ctx, 'transfer.requested', record);
    return canonicalJson(record);
  }

  @Transaction()
  @Returns('string')
  public async Cancel(ctx: LedgerContext, transferId: string): Promise<string> {
    return applyStep(ctx, validTransferId(transferId), 'CANCEL', () => ({}));
  }

  @Transaction()
  @Returns('string')
  public async Accept(ctx: LedgerContext, transferId: string): Promise<string> {
    return applyStep(ctx, validTransferId(transferId), 'ACCEPT', () => ({}));
  }

  @Transaction()
  @Returns('string')
  public async Reject(ctx: LedgerContext, transferId: string, rejectJson: string): Promise<string> {
    const reject = rejectionFromJson(parseJson(rejectJson, 'reject'));
    const message = transientText(ctx, 'message', 'reject.message', reject.messageHash);
    return applyStep(
      ctx,
      validTransferId(transferId),
      'REJECT',
      () => ({ reject, messageHash: reject.messageHash }),
      reject,
      {
        message,
        reasonCode: reject.reasonCode,
      },
    );
  }

  @Transaction()
  @Returns('string')
  public async ConfirmOut(ctx: LedgerContext, transferId: string, transferOutJson: string): Promise<string> {
    const transferOut = transferOutFromJson(parseJson(transferOutJson, 'transferOut'));
    return applyStep(ctx, validTransferId(transferId), 'CONFIRM_OUT', () => ({ transferOut }), transferOut);
  }

  @Transaction()
  @Returns('string')
  public async Dispute(ctx: LedgerContext, transferId: string, disputeJson: string): Promise<string> {
    const messageHash = messageHashFromJson(parseJson(disputeJson, 'dispute'), 'dispute');
    const message = transientText(ctx, 'message', 'dispute.message', messageHash);
    return applyStep(
      ctx,
      validTransferId(transferId),
      'DISPUTE',
      () => ({ messageHash }),
      { messageHash },
      {
        message,
      },
    );
  }

  /** Completion must match the amount sent (principal + interest) to the fen. */
  @Transaction()
  @Returns('string')
  public async Complete(ctx: LedgerContext, transferId: string, completionJson: string): Promise<string> {
    const input = completionFromJson(parseJson(completionJson, 'completion'));
    return applyStep(
      ctx,
      validTransferId(transferId),
      'COMPLETE',
      (record) => {
        if (record.transferOut?.amountFen !== input.receivedFen) {
          throw invalid('completion.receivedAmount', 'must equal the amount sent (principal + interest)');
        }
        return {
          completion: {
            receivedFen: input.receivedFen,
            receivedAmount: formatFen(input.receivedFen),
            receivedOn: input.receivedOn,
          },
        };
      },
      { receivedFen: input.receivedFen, receivedOn: input.receivedOn },
    );
  }

  @Transaction()
  @Returns('string')
  public async Fail(ctx: LedgerContext, transferId: string, failJson: string): Promise<string> {
    const messageHash = messageHashFromJson(parseJson(failJson, 'fail'), 'fail');
    const message = transientText(ctx, 'message', 'fail.message', messageHash);
    return applyStep(
      ctx,
      validTransferId(transferId),
      'FAIL',
      () => ({ messageHash }),
      { messageHash },
      {
        message,
      },
    );
  }

  @Transaction(false)
  @Returns('string')
  public async Get(ctx: LedgerContext, transferId: string): Promise<string> {
    return canonicalJson(await loadTransfer(ctx, validTransferId(transferId)));
  }

  /** The personal details from the caller's own implicit collection; source or destination only. */
  @Transaction(false)
  @Returns('string')
  public async GetPersonalDetails(ctx: LedgerContext, transferId: string): Promise<string> {
    const record = await loadTransfer(ctx, validTransferId(transferId));
    callerSide(ctx, record);
    const bytes = await ctx.stub.getPrivateData(
      implicitCollection(ctx.clientIdentity.getMSPID()),
      transferKey(record.transferId),
    );
    if (bytes.length === 0) {
      throw hpfError('NOT_FOUND', `transferId: no personal details for ${record.transferId} on this peer`);
    }
    return canonicalJson(personFromJson(decodeJson(bytes, 'person')));
  }

  /**
   * The free texts of the transfer's steps (reject / dispute / fail messages) from the caller's own
   * implicit collection; source or destination only. Public state holds only their hashes.
   */
  @Transaction(false)
  @Returns('string')
  public async GetStepTexts(ctx: LedgerContext, transferId: string): Promise<string> {
    const record = await loadTransfer(ctx, validTransferId(transferId));
    callerSide(ctx, record);
    return canonicalJson(await readStepTexts(ctx, record));
  }

  /** A centre's work queue by direction and optional status, paginated with Fabric bookmarks. */
  @Transaction(false)
  @Returns('string')
  public async List(ctx: LedgerContext, queryJson: string): Promise<string> {
    const query = listFromJson(parseJson(queryJson, 'query'));
    const attributes = [query.centre, query.direction, ...(query.status === undefined ? [] : [query.status])];
    // Fabric starts the page at the bookmark and ends it at the end of the partial key's range, so a
    // bookmark from outside that range would read keys the query never named.
    if (
      query.bookmark !== '' &&
      !query.bookmark.startsWith(ctx.stub.createCompositeKey(INDEX.transferQueue, attributes))
    ) {
      throw invalid('bookmark', 'is not a bookmark of this query; pass the one the previous page returned');
    }
    const response: QueryPage = await ctx.stub.getStateByPartialCompositeKeyWithPagination(
      INDEX.transferQueue,
      attributes,
      query.pageSize,
      query.bookmark,
    );
    const { iterator } = response;
    const ids: string[] = [];
    try {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        const id = ctx.stub.splitCompositeKey(next.value.key).attributes[3];
        if (id !== undefined) {
          ids.push(id);
        }
      }
    } finally {
      await iterator.close();
    }
    const items: TransferRecord[] = [];
    for (const id of ids) {
      items.push(await loadTransfer(ctx, id));
    }
    return canonicalJson({ items, bookmark: response.metadata?.bookmark ?? '' });
  }
}
