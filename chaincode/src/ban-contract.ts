import { Context, Info, Returns, Transaction } from 'fabric-contract-api';

import { canonicalJson, parseJson } from './codec';
import { chinaDateOf } from './domain/dates';
import { hpfError, invalid } from './domain/errors';
import { readObject, readString } from './domain/json-fields';
import { validateCentreCode, validateSha256Hex } from './domain/validators';
import { writeOwned } from './endorsement';
import { emitEvent, indexKey, INDEX, readJson, txTime, writeJson } from './ledger';
import {
  addYears,
  banAttestationId,
  banFromJson,
  banInputFromJson,
  banInputOf,
  banKey,
  notFoundBan,
  readSubjectBans,
  validateBanId,
  writeSubjectBans,
  type BanRecord,
} from './model/ban';
import { banYearsOf, loadRegistry, requireCallerCentre } from './model/registry';
import { checkBanSubject } from './model/subject-check';
import { transientText, writeBanReason } from './private-texts';
import { LedgerContext, LedgerContract } from './batched-stub';

async function loadBan(ctx: Context, centre: string, banId: string): Promise<BanRecord | undefined> {
  const stored = await readJson(ctx, banKey(ctx, centre, banId), 'ban');
  return stored === undefined ? undefined : banFromJson(stored);
}

function banEvent(ctx: Context, type: string, record: BanRecord, replay = false): void {
  emitEvent(ctx, {
    type,
    id: record.banId,
    attestationId: record.attestationId,
    centres: [record.centre],
    status: record.status,
    replay: replay ? true : undefined,
    record,
  });
}

async function writeSubjectIndex(ctx: Context, record: BanRecord): Promise<void> {
  const key = indexKey(ctx, INDEX.subject, [record.subjectRef, 'ban', record.centre, record.banId]);
  await writeJson(ctx, key, {
    active: record.status === 'ACTIVE',
    at: record.recordedAt,
    centre: record.centre,
    centres: [record.centre],
  });
}

function liftHashFromJson(value: unknown): string {
  const object = readObject(value, 'lift', ['reasonHash']);
  return validateSha256Hex(readString(object, 'reasonHash', 'lift'), 'lift.reasonHash');
}

/**
 * National fraud bans (Art. 41; docs/rules.md "Fraud bans"). The issuing centre imposes and lifts;
 * every centre's withdrawal reads the subject's ban key (one point read) and refuses a banned person
 * with SUBJECT_BANNED. Reason texts are private (the issuing centre's implicit collection).
 */
@Info({ title: 'ban', description: 'National fraud bans on withdrawals' })
export class BanContract extends LedgerContract {
  constructor() {
    super('ban');
  }

  /**
   * Argument `{banId, centre, subjectRef, ground, decidedOn, reasonHash}`; transient `person`
   * {idType, idNumber} (every endorser recomputes the subjectRef) and `reason` (the text of
   * reasonHash). The same input again is a replay; another input under the same ID is CONFLICT.
   */
  @Transaction()
  @Returns('string')
  public async Impose(ctx: LedgerContext, inputJson: string): Promise<string> {
    const input = banInputFromJson(parseJson(inputJson, 'ban'));
    checkBanSubject(ctx, input.subjectRef);
    const reason = transientText(ctx, 'reason', 'reason', input.reasonHash);
    const registry = await loadRegistry(ctx);
    const caller = await requireCallerCentre(ctx, registry, input.centre, 'centre');
    const now = txTime(ctx);
    const today = chinaDateOf(now);
    if (input.decidedOn > today) {
      throw invalid('decidedOn', 'must not be in the future');
    }
    const existing = await loadBan(ctx, input.centre, input.banId);
    if (existing !== undefined) {
      if (canonicalJson(banInputOf(existing)) !== canonicalJson(input)) {
        throw hpfError('CONFLICT', `banId: ${input.banId} exists with different content`);
      }
      banEvent(ctx, 'ban.imposed', existing, true);
      return canonicalJson(existing);
    }
    const record: BanRecord = {
      ...input,
      attestationId: banAttestationId(input.centre, input.banId),
      from: input.decidedOn,
      until: addYears(input.decidedOn, banYearsOf(registry.rules, input.ground)),
      status: 'ACTIVE',
      recordedAt: now,
      txId: ctx.stub.getTxID(),
    };
    await writeOwned(ctx, banKey(ctx, record.centre, record.banId), record, [caller.mspId], 'create');
    // The subject's ban key keeps the bans not yet over; expired ones are dropped as it is rewritten.
    const current = (await readSubjectBans(ctx, record.subjectRef)).filter((ban) => ban.until > today);
    if (record.until > today) {
      current.push({
        centre: record.centre,
        banId: record.banId,
        ground: record.ground,
        from: record.from,
        until: record.until,
      });
    }
    await writeSubjectBans(ctx, record.subjectRef, current);
    await writeSubjectIndex(ctx, record);
    await writeBanReason(ctx, caller.mspId, record, 'imposed', {
      reasonHash: record.reasonHash,
      reason,
      at: now,
      txId: record.txId,
    });
    banEvent(ctx, 'ban.imposed', record);
    return canonicalJson(record);
  }

  /**
   * Lifts a ban of the caller's own centre (another centre's ban is not in its scope: NOT_FOUND).
   * The record stays, with `status: LIFTED` and the lift; the subject's ban key drops it.
   */
  @Transaction()
  @Returns('string')
  public async Lift(ctx: LedgerContext, centre: string, banId: string, liftJson: string): Promise<string> {
    const reasonHash = liftHashFromJson(parseJson(liftJson, 'lift'));
    const reason = transientText(ctx, 'reason', 'lift.reason', reasonHash);
    const code = validateCentreCode(centre, 'centre');
    const id = validateBanId(banId);
    const caller = await requireCallerCentre(ctx, await loadRegistry(ctx), code, 'centre');
    const record = await loadBan(ctx, caller.code, id);
    if (record === undefined) {
      throw notFoundBan(caller.code, id);
    }
    if (record.status === 'LIFTED') {
      if (record.lift?.reasonHash !== reasonHash) {
        throw hpfError('CONFLICT', `banId: ${id} is already lifted with another reason`);
      }
      banEvent(ctx, 'ban.lifted', record, true);
      return canonicalJson(record);
    }
    const now = txTime(ctx);
    const lifted: BanRecord = {
      ...record,
      status: 'LIFTED',
      lift: { reasonHash, at: now, txId: ctx.stub.getTxID() },
    };
    await writeOwned(ctx, banKey(ctx, lifted.centre, lifted.banId), lifted, [caller.mspId], 'update');
    const remaining = (await readSubjectBans(ctx, lifted.subjectRef)).filter(
      (ban) => !(ban.centre === lifted.centre && ban.banId === lifted.banId),
    );
    await writeSubjectBans(ctx, lifted.subjectRef, remaining);
    await writeSubjectIndex(ctx, lifted);
    await writeBanReason(ctx, caller.mspId, lifted, 'lifted', {
      reasonHash,
      reason,
      at: now,
      txId: ctx.stub.getTxID(),
    });
    banEvent(ctx, 'ban.lifted', lifted);
    return canonicalJson(lifted);
  }

  @Transaction(false)
  @Returns('string')
  public async Get(ctx: LedgerContext, centre: string, banId: string): Promise<string> {
    const code = validateCentreCode(centre, 'centre');
    const id = validateBanId(banId);
    const record = await loadBan(ctx, code, id);
    if (record === undefined) {
      throw notFoundBan(code, id);
    }
    return canonicalJson(record);
  }
}
