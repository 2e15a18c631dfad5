import type { Context } from 'fabric-contract-api';

import { BAN_GROUNDS, isBanGround, type BanGround } from '../domain/codes';
import { hpfError, invalid } from '../domain/errors';
import { containsIdShapedRun } from '../domain/free-text';
import { readArray, readObject, readString, type UncheckedObject } from '../domain/json-fields';
import {
  validateCentreCode,
  validateDate,
  validateSha256Hex,
  validateSubjectRef,
  validateWithdrawalId,
} from '../domain/validators';
import { sealedByCentre } from '../endorsement';
import { readJson, writeJson } from '../ledger';

/**
 * National fraud bans (Art. 41 of the amended Regulation; docs/rules.md "Fraud bans"). A centre
 * records that a person is banned from withdrawals (and loans) for 3 years after a fraudulent
 * withdrawal or 5 after a fraudulent loan; every centre's withdrawal and precheck refuses the person
 * meanwhile with SUBJECT_BANNED. Ban IDs are each centre's own, like withdrawal IDs.
 */

/** `{banId, centre, subjectRef, ground, decidedOn, reasonHash}`: the Impose argument. */
export type BanInput = {
  readonly banId: string;
  readonly centre: string;
  readonly subjectRef: string;
  readonly ground: BanGround;
  readonly decidedOn: string;
  readonly reasonHash: string;
};

export type BanLift = { readonly reasonHash: string; readonly at: string; readonly txId: string };

export type BanRecord = BanInput & {
  /** `ban:<centre>:<banId>` (derived). */
  readonly attestationId: string;
  /** The first day of the ban (the decision date) and the first day after it (exclusive). */
  readonly from: string;
  readonly until: string;
  readonly status: 'ACTIVE' | 'LIFTED';
  readonly recordedAt: string;
  readonly txId: string;
  readonly lift?: BanLift;
};

/** The entry of one active ban in its subject's ban key. */
export type ActiveBan = {
  readonly centre: string;
  readonly banId: string;
  readonly ground: string;
  readonly from: string;
  readonly until: string;
};

/** The withdrawal ID's rule (letters, digits, hyphens) and never an ID-number-shaped run. */
export function validateBanId(value: string, field = 'banId'): string {
  const id = validateWithdrawalId(value, field);
  if (containsIdShapedRun(id)) {
    throw invalid(field, 'must not contain an ID number; IDs are public');
  }
  return id;
}

export function banAttestationId(centre: string, banId: string): string {
  return `ban:${centre}:${banId}`;
}

/** Composite key type of ban records: [centre, banId]. */
export const BAN_KEY_TYPE = 'ban';
/** Composite key type of the one key per subject holding its active bans: [subjectRef]. */
export const SUBJECT_BANS_KEY_TYPE = 'ban-subject';

export function banKey(ctx: Context, centre: string, banId: string): string {
  return ctx.stub.createCompositeKey(BAN_KEY_TYPE, [centre, banId]);
}

export function subjectBansKey(ctx: Context, subjectRef: string): string {
  return ctx.stub.createCompositeKey(SUBJECT_BANS_KEY_TYPE, [subjectRef]);
}

/** `decidedOn` plus whole years; 29 February becomes 1 March in a common year (calendar arithmetic). */
export function addYears(date: string, years: number): string {
  const [year = 0, month = 1, day = 1] = date.split('-').map(Number);
  return new Date(Date.UTC(year + years, month - 1, day)).toISOString().slice(0, 10);
}

const INPUT_KEYS = ['banId', 'centre', 'subjectRef', 'ground', 'decidedOn', 'reasonHash'];

function groundFrom(object: UncheckedObject): BanGround {
  const ground = readString(object, 'ground');
  if (!isBanGround(ground)) {
    throw invalid('ground', `must be one of ${Object.keys(BAN_GROUNDS).join(', ')}`);
  }
  return ground;
}

export function banInputFromJson(value: unknown): BanInput {
  const object = readObject(value, 'ban', INPUT_KEYS);
  return {
    banId: validateBanId(readString(object, 'banId')),
    centre: validateCentreCode(readString(object, 'centre'), 'centre'),
    subjectRef: validateSubjectRef(readString(object, 'subjectRef')),
    ground: groundFrom(object),
    decidedOn: validateDate(readString(object, 'decidedOn'), 'decidedOn'),
    reasonHash: validateSha256Hex(readString(object, 'reasonHash'), 'reasonHash'),
  };
}

export function banInputOf(record: BanInput): BanInput {
  return {
    banId: record.banId,
    centre: record.centre,
    subjectRef: record.subjectRef,
    ground: record.ground,
    decidedOn: record.decidedOn,
    reasonHash: record.reasonHash,
  };
}

function liftFromJson(value: unknown): BanLift | undefined {
  if (value === undefined) {
    return undefined;
  }
  const object = readObject(value, 'lift');
  return {
    reasonHash: readString(object, 'reasonHash', 'lift'),
    at: readString(object, 'at', 'lift'),
    txId: readString(object, 'txId', 'lift'),
  };
}

/** Rebuilds a ban record from stored state (never a cast). */
export function banFromJson(value: unknown): BanRecord {
  const object = readObject(value, 'ban record');
  const input = banInputOf(banInputFromJson(Object.fromEntries(INPUT_KEYS.map((key) => [key, object[key]]))));
  const status = readString(object, 'status');
  if (status !== 'ACTIVE' && status !== 'LIFTED') {
    throw invalid('status', 'unknown ban status');
  }
  return {
    ...input,
    attestationId: banAttestationId(input.centre, input.banId),
    from: validateDate(readString(object, 'from'), 'from'),
    until: validateDate(readString(object, 'until'), 'until'),
    status,
    recordedAt: readString(object, 'recordedAt'),
    txId: readString(object, 'txId'),
    lift: liftFromJson(object.lift),
  };
}

function activeBanFromJson(value: unknown, path: string): ActiveBan {
  const object = readObject(value, path);
  return {
    centre: readString(object, 'centre', path),
    banId: readString(object, 'banId', path),
    ground: readString(object, 'ground', path),
    from: readString(object, 'from', path),
    until: readString(object, 'until', path),
  };
}

/** The subject's unlifted bans: one point read of its ban key (no range query on the hot path). */
export async function readSubjectBans(ctx: Context, subjectRef: string): Promise<ActiveBan[]> {
  const stored = await readJson(ctx, subjectBansKey(ctx, subjectRef), 'subject bans');
  if (stored === undefined) {
    return [];
  }
  return readArray(readObject(stored, 'subject bans'), 'bans', 1000, 'subject bans').map((item, index) =>
    activeBanFromJson(item, `bans[${index}]`),
  );
}

export async function writeSubjectBans(
  ctx: Context,
  subjectRef: string,
  bans: readonly ActiveBan[],
): Promise<void> {
  if (bans.length === 0) {
    await ctx.stub.deleteState(subjectBansKey(ctx, subjectRef));
    return;
  }
  await writeJson(ctx, subjectBansKey(ctx, subjectRef), { bans: [...bans] });
}

/** A ban is in force on `today` (YYYY-MM-DD) from its first day up to the day before `until`. */
export function inForce(ban: { readonly from: string; readonly until: string }, today: string): boolean {
  return ban.from <= today && today < ban.until;
}

/**
 * The bans in force on `today` whose records the issuing centre's organisation sealed: a ban written
 * in a centre's name by other organisations does not count (docs/decisions/0183). Reads only when a
 * ban is in force.
 */
export async function sealedBansInForce(
  ctx: Context,
  bans: readonly ActiveBan[],
  today: string,
): Promise<ActiveBan[]> {
  const sealed: ActiveBan[] = [];
  for (const ban of bans) {
    if (inForce(ban, today) && (await sealedByCentre(ctx, banKey(ctx, ban.centre, ban.banId), ban.centre))) {
      sealed.push(ban);
    }
  }
  return sealed;
}

/** The message of SUBJECT_BANNED for the first ban in force, or undefined. */
export function banViolation(bans: readonly ActiveBan[], today: string): string | undefined {
  const ban = bans.find((candidate) => inForce(candidate, today));
  return ban === undefined
    ? undefined
    : `subjectRef: banned from withdrawals until ${ban.until} (${ban.ground}, ban ${banAttestationId(ban.centre, ban.banId)})`;
}

export function notFoundBan(centre: string, banId: string): Error {
  return hpfError('NOT_FOUND', `banId: no ban ${banId} at centre ${centre}`);
}
