import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';

import { canonicalJson, parseJson } from './codec';
import { withdrawalAttestationId } from './domain/attestation-id';
import {
  isRecurringReason,
  reasonsConflict,
  WITHDRAWAL_REASONS,
  isWithdrawalReasonCode,
} from './domain/codes';
import { addMonths, chinaDateOf, monthsBefore } from './domain/dates';
import { hpfError, invalid } from './domain/errors';
import { readArray, readObject, readString } from './domain/json-fields';
import { validateCentreCode, validateWithdrawalId } from './domain/validators';
import {
  emitEvent,
  indexKey,
  INDEX,
  readJson,
  txTime,
  withdrawalKey,
  writeJson,
  type AlertJson,
} from './ledger';
import { accountInTransferMessage, appendAccountEvent, readAccountStatus } from './model/account';
import { banViolation, readSubjectBans } from './model/ban';
import { intervalMonthsOf, loadRegistry, requireCallerCentre, type Rules } from './model/registry';
import { checkWithdrawalSubject } from './model/subject-check';
import {
  inputOf,
  subjectWithdrawalsFromJson,
  SUBJECT_WITHDRAWALS,
  type SubjectWithdrawal,
  withdrawalFromJson,
  withdrawalInputFromJson,
  type WithdrawalInput,
  type WithdrawalRecord,
} from './model/withdrawal';
import { reversalHashFromJson, transientText, writeReversalReason } from './private-texts';

/** The look-back of the multi-centre alert (within 12 months: docs/rules.md "Withdrawal rules"). */
const MULTI_CENTRE_WINDOW_MONTHS = 12;
/** Distinct subjects per evidence hash above which EVIDENCE_SHARED is raised (co-buyers are fine). */
const SHARED_EVIDENCE_LIMIT = 2;
/** A guard on the length of a stored list of uses (no evidence hash comes near it). */
const MAX_LIST = 100_000;

type Violation = {
  readonly code:
    | 'SUBJECT_BANNED'
    | 'ACCOUNT_IN_TRANSFER'
    | 'ACCOUNT_CLOSED'
    | 'DUPLICATE_EVIDENCE'
    | 'WITHDRAWAL_TOO_FREQUENT'
    | 'CONFLICT';
  readonly message: string;
};
type Assessment = { readonly violations: Violation[]; readonly alerts: AlertJson[] };

/** One live use of an evidence hash (a reversal removes its own). */
type EvidenceUse = {
  readonly subjectRef: string;
  readonly centre: string;
  readonly withdrawalId: string;
  readonly at: string;
  readonly kind: string;
  readonly reasonCode: string;
};

/** The key of an evidence hash's live uses: `evidence` [hash] (one point read per hash). */
function evidenceUsesKey(ctx: Context, hash: string): string {
  return indexKey(ctx, INDEX.evidence, [hash]);
}

async function readEvidenceUses(ctx: Context, hash: string): Promise<EvidenceUse[]> {
  const stored = await readJson(ctx, evidenceUsesKey(ctx, hash), 'evidence uses');
  if (stored === undefined) {
    return [];
  }
  return readArray(readObject(stored, 'evidence uses'), 'uses', MAX_LIST, 'evidence uses').map(
    (item, index) => {
      const path = `evidence uses[${index}]`;
      const value = readObject(item, path);
      return {
        subjectRef: readString(value, 'subjectRef', path),
        centre: readString(value, 'centre', path),
        withdrawalId: readString(value, 'withdrawalId', path),
        at: readString(value, 'at', path),
        kind: readString(value, 'kind', path),
        reasonCode: readString(value, 'reasonCode', path),
      };
    },
  );
}

async function writeEvidenceUses(ctx: Context, hash: string, uses: readonly EvidenceUse[]): Promise<void> {
  const key = evidenceUsesKey(ctx, hash);
  if (uses.length === 0) {
    await ctx.stub.deleteState(key);
    return;
  }
  await writeJson(ctx, key, { uses: uses.map((use) => ({ ...use })) });
}

function reasonName(code: string): string {
  return isWithdrawalReasonCode(code) ? `${code} ${WITHDRAWAL_REASONS[code].name}` : code;
}

/**
 * Checks one evidence hash: duplicate use by the same subject inside the window for a conflicting
 * purpose (the same reason, or purchase/build together: docs/rules.md "Duplicate evidence"), and sharing.
 * Evidence entries exist only for live withdrawals (a reversal deletes them).
 */
function assessEvidence(
  input: WithdrawalInput,
  hash: string,
  uses: readonly EvidenceUse[],
  windowStart: string,
  windowMonths: number,
): Assessment {
  const violations: Violation[] = [];
  // A recurring purpose (rent, repayment, property fees) may cite its contract again at the same
  // centre (the interval rule applies instead); at another centre it is a duplicate.
  const recurring = isRecurringReason(input.reasonCode);
  const duplicate = uses.find(
    (use) =>
      use.subjectRef === input.subjectRef &&
      use.at >= windowStart &&
      reasonsConflict(use.reasonCode, input.reasonCode) &&
      !(recurring && use.centre === input.centre),
  );
  if (duplicate !== undefined) {
    violations.push({
      code: 'DUPLICATE_EVIDENCE',
      message: `evidence: this subject already withdrew for reason ${reasonName(duplicate.reasonCode)} against this ${duplicate.kind} at centre ${duplicate.centre} within ${windowMonths} months`,
    });
  }
  const subjects = new Set([...uses.map((use) => use.subjectRef), input.subjectRef]);
  const alerts: AlertJson[] =
    subjects.size > SHARED_EVIDENCE_LIMIT
      ? [
          {
            code: 'EVIDENCE_SHARED',
            message: `evidence: used by ${subjects.size} distinct subjects`,
            evidenceHash: hash,
            count: subjects.size,
          },
        ]
      : [];
  return { violations, alerts };
}

/**
 * The key of every withdrawal about a subject: `subject` [subjectRef, 'withdrawals'] (one point read
 * for the interval and multi-centre rules; the timeline reads it with the subject's other entries).
 */
function subjectWithdrawalsKey(ctx: Context, subjectRef: string): string {
  return indexKey(ctx, INDEX.subject, [subjectRef, SUBJECT_WITHDRAWALS]);
}

/** The subject's withdrawals, live and reversed (one point read). */
async function readSubjectWithdrawals(ctx: Context, subjectRef: string): Promise<SubjectWithdrawal[]> {
  const stored = await readJson(ctx, subjectWithdrawalsKey(ctx, subjectRef), 'subject withdrawals');
  if (stored === undefined) {
    return [];
  }
  return subjectWithdrawalsFromJson(stored);
}

/** What the rules read: the subject's other withdrawals. */
function otherWithdrawals(
  withdrawals: readonly SubjectWithdrawal[],
  input: WithdrawalInput,
): SubjectWithdrawal[] {
  return withdrawals.filter((w) => !(w.centre === input.centre && w.withdrawalId === input.withdrawalId));
}

function assessMultiCentre(
  input: WithdrawalInput,
  withdrawals: readonly SubjectWithdrawal[],
  rules: Rules,
  now: string,
): AlertJson[] {
  const since = monthsBefore(now, MULTI_CENTRE_WINDOW_MONTHS);
  const recent = withdrawals.filter((w) => w.active && w.at >= since).map((w) => w.centre);
  const count = recent.length + 1;
  const centres = [...new Set([...recent, input.centre])].sort();
  if (count > rules.multiCentreAlertThreshold && centres.length >= 2) {
    return [
      {
        code: 'MULTI_CENTRE',
        message: `subject: ${count} withdrawals at ${centres.length} centres within ${MULTI_CENTRE_WINDOW_MONTHS} months`,
        count,
        centres,
      },
    ];
  }
  return [];
}

/**
 * A recurring reason at most once per interval at one centre (docs/rules.md "Withdrawal reasons"):
 * no live withdrawal of the subject for the same reason at the same centre whose `withdrawnOn` is
 * less than the interval before or after this one's.
 */
function assessInterval(
  input: WithdrawalInput,
  withdrawals: readonly SubjectWithdrawal[],
  rules: Rules,
): Violation | undefined {
  const months = intervalMonthsOf(rules, input.reasonCode);
  if (months === undefined) {
    return undefined;
  }
  const tooClose = withdrawals.find(
    (w) =>
      w.active &&
      w.centre === input.centre &&
      w.reasonCode === input.reasonCode &&
      input.withdrawnOn < addMonths(w.withdrawnOn, months) &&
      w.withdrawnOn < addMonths(input.withdrawnOn, months),
  );
  return tooClose === undefined
    ? undefined
    : {
        code: 'WITHDRAWAL_TOO_FREQUENT',
        message: `withdrawnOn: reason ${reasonName(input.reasonCode)} at most once every ${months} month(s) at centre ${input.centre}; withdrawal ${tooClose.withdrawalId} was on ${tooClose.withdrawnOn}`,
      };
}

/** What the rules read, kept for the writes that follow (Fabric does not read a transaction's own writes). */
type Reads = {
  readonly evidenceUses: ReadonlyMap<string, readonly EvidenceUse[]>;
  readonly withdrawals: readonly SubjectWithdrawal[];
};

/**
 * Every rule and alert of docs/rules.md "Withdrawal rules" for one withdrawal. Point reads only (none
 * is a range query to re-check at commit): the subject's ban key, the account status at the centre
 * (closures and open transfer-outs), one key per evidence hash (its live uses), and the subject's
 * withdrawals key. Violations in this order: SUBJECT_BANNED, ACCOUNT_IN_TRANSFER, ACCOUNT_CLOSED,
 * DUPLICATE_EVIDENCE, WITHDRAWAL_TOO_FREQUENT.
 */
async function assess(
  ctx: Context,
  input: WithdrawalInput,
  rules: Rules,
  now: string,
): Promise<Assessment & { reads: Reads }> {
  const violations: Violation[] = [];
  const alerts: AlertJson[] = [];
  const banned = banViolation(await readSubjectBans(ctx, input.subjectRef), chinaDateOf(now));
  if (banned !== undefined) {
    violations.push({ code: 'SUBJECT_BANNED', message: banned });
  }
  const account = await readAccountStatus(ctx, input.centre, input.subjectRef);
  const inTransfer = account.openTransferOuts.length > 0;
  if (inTransfer) {
    violations.push({ code: 'ACCOUNT_IN_TRANSFER', message: accountInTransferMessage(input.centre) });
  }
  if (account.closed && !inTransfer) {
    // While the transfer-out is open the answer stays ACCOUNT_IN_TRANSFER (docs/decisions/0019).
    violations.push({
      code: 'ACCOUNT_CLOSED',
      message: `subjectRef: the account at centre ${input.centre} is closed (${account.closures
        .map((closure) => closure.type)
        .join(', ')}); no withdrawal can be recorded against it`,
    });
  }
  const windowStart = monthsBefore(now, rules.evidenceWindowMonths);
  const evidenceUses = new Map<string, readonly EvidenceUse[]>();
  for (const evidence of input.evidence) {
    const uses = (await readEvidenceUses(ctx, evidence.hash)).filter(
      (use) => !(use.centre === input.centre && use.withdrawalId === input.withdrawalId),
    );
    evidenceUses.set(evidence.hash, uses);
    const result = assessEvidence(input, evidence.hash, uses, windowStart, rules.evidenceWindowMonths);
    violations.push(...result.violations);
    alerts.push(...result.alerts);
  }
  const withdrawals = await readSubjectWithdrawals(ctx, input.subjectRef);
  const others = otherWithdrawals(withdrawals, input);
  const frequent = assessInterval(input, others, rules);
  if (frequent !== undefined) {
    violations.push(frequent);
  }
  alerts.push(...assessMultiCentre(input, others, rules, now));
  return { violations, alerts, reads: { evidenceUses, withdrawals } };
}

/** Parses the input and checks that the caller is the paying centre. One registry read. */
async function callerInput(
  ctx: Context,
  inputJson: string,
): Promise<{ input: WithdrawalInput; rules: Rules }> {
  const input = withdrawalInputFromJson(parseJson(inputJson, 'withdrawal'));
  checkWithdrawalSubject(ctx, input);
  const registry = await loadRegistry(ctx);
  await requireCallerCentre(ctx, registry, input.centre, 'centre');
  return { input, rules: registry.rules };
}

function checkWithdrawnOn(input: WithdrawalInput, now: string): void {
  // One day of slack: the paying centre's local date (UTC+8) may be ahead of the UTC date.
  const latest = new Date(Date.parse(now) + 86_400_000).toISOString().slice(0, 10);
  if (input.withdrawnOn > latest) {
    throw invalid('withdrawnOn', 'must not be in the future');
  }
}

async function loadExisting(
  ctx: Context,
  centre: string,
  withdrawalId: string,
): Promise<WithdrawalRecord | undefined> {
  const stored = await readJson(ctx, withdrawalKey(ctx, centre, withdrawalId), 'withdrawal');
  return stored === undefined ? undefined : withdrawalFromJson(stored);
}

function sameInput(record: WithdrawalRecord, input: WithdrawalInput): boolean {
  return canonicalJson(inputOf(record)) === canonicalJson(input);
}

/**
 * The withdrawal's entries in the keys the rules read: its evidence uses (a reversal frees them) and
 * its line in the subject's withdrawals (active, or not after a reversal). `reads` are the values the
 * transaction read before (this withdrawal's own entries left out or not, either is replaced here).
 */
async function writeIndexes(ctx: Context, record: WithdrawalRecord, reads: Reads): Promise<void> {
  const active = record.status === 'RECORDED';
  const mine = (entry: { centre: string; withdrawalId: string }): boolean =>
    entry.centre === record.centre && entry.withdrawalId === record.withdrawalId;
  for (const evidence of record.evidence) {
    const others = (reads.evidenceUses.get(evidence.hash) ?? []).filter((use) => !mine(use));
    const own: EvidenceUse = {
      subjectRef: record.subjectRef,
      centre: record.centre,
      withdrawalId: record.withdrawalId,
      at: record.recordedAt,
      kind: evidence.kind,
      reasonCode: record.reasonCode,
    };
    await writeEvidenceUses(ctx, evidence.hash, active ? [...others, own] : others);
  }
  const withdrawals = reads.withdrawals.filter((w) => !mine(w));
  const line: SubjectWithdrawal = {
    centre: record.centre,
    withdrawalId: record.withdrawalId,
    at: record.recordedAt,
    active,
    reasonCode: record.reasonCode,
    withdrawnOn: record.withdrawnOn,
  };
  await writeJson(ctx, subjectWithdrawalsKey(ctx, record.subjectRef), {
    withdrawals: [...withdrawals, line].map((w) => ({ ...w })),
  });
}

/** The keys a reversal rewrites, read as they are. */
async function readsFor(ctx: Context, record: WithdrawalRecord): Promise<Reads> {
  const evidenceUses = new Map<string, readonly EvidenceUse[]>();
  for (const evidence of record.evidence) {
    evidenceUses.set(evidence.hash, await readEvidenceUses(ctx, evidence.hash));
  }
  return { evidenceUses, withdrawals: await readSubjectWithdrawals(ctx, record.subjectRef) };
}

function withdrawalEvent(ctx: Context, type: string, record: WithdrawalRecord, replay = false): void {
  emitEvent(ctx, {
    type,
    id: record.withdrawalId,
    attestationId: record.attestationId,
    centres: [record.centre],
    status: record.status,
    alerts: type === 'withdrawal.recorded' && record.alerts.length > 0 ? record.alerts : undefined,
    replay: replay ? true : undefined,
    record,
  });
}

async function loadWithdrawal(ctx: Context, centre: string, withdrawalId: string): Promise<WithdrawalRecord> {
  const code = validateCentreCode(centre, 'centre');
  const record = await loadExisting(ctx, code, validateWithdrawalId(withdrawalId));
  if (record === undefined) {
    throw hpfError('NOT_FOUND', `withdrawalId: no withdrawal ${withdrawalId} at centre ${code}`);
  }
  return record;
}

/**
 * Withdrawal attestations (提取). The paying centre records; the rules that must hold across
 * provinces (no duplicate evidence, no withdrawal during a transfer-out) are checked atomically in
 * the same transaction; alerts never block but are stored in the record and sent in the event.
 */
@Info({ title: 'withdrawal', description: 'Withdrawal attestations with cross-province rules' })
export class WithdrawalContract extends Contract {
  constructor() {
    super('withdrawal');
  }

  @Transaction()
  @Returns('string')
  public async Record(ctx: Context, inputJson: string): Promise<string> {
    const { input, rules } = await callerInput(ctx, inputJson);
    const now = txTime(ctx);
    checkWithdrawnOn(input, now);
    const existing = await loadExisting(ctx, input.centre, input.withdrawalId);
    if (existing !== undefined) {
      if (!sameInput(existing, input)) {
        throw hpfError('CONFLICT', `withdrawalId: ${input.withdrawalId} exists with different content`);
      }
      withdrawalEvent(ctx, 'withdrawal.recorded', existing, true);
      return canonicalJson(existing);
    }
    const { violations, alerts, reads } = await assess(ctx, input, rules, now);
    const first = violations[0];
    if (first !== undefined) {
      throw hpfError(first.code, first.message);
    }
    const record: WithdrawalRecord = {
      ...input,
      attestationId: withdrawalAttestationId(input.centre, input.withdrawalId),
      status: 'RECORDED',
      alerts,
      recordedAt: now,
      txId: ctx.stub.getTxID(),
    };
    await writeJson(ctx, withdrawalKey(ctx, record.centre, record.withdrawalId), record);
    await writeIndexes(ctx, record, reads);
    if (record.closesAccount) {
      await appendAccountEvent(
        ctx,
        record.centre,
        record.subjectRef,
        'WITHDRAWAL_CLOSE',
        record.attestationId,
      );
    }
    withdrawalEvent(ctx, 'withdrawal.recorded', record);
    return canonicalJson(record);
  }

  /** Would Record succeed now, and why not; the same checks, nothing written. */
  @Transaction(false)
  @Returns('string')
  public async Precheck(ctx: Context, inputJson: string): Promise<string> {
    const { input, rules } = await callerInput(ctx, inputJson);
    const now = txTime(ctx);
    checkWithdrawnOn(input, now);
    const existing = await loadExisting(ctx, input.centre, input.withdrawalId);
    if (existing !== undefined) {
      const same = sameInput(existing, input);
      const violations: Violation[] = same
        ? []
        : [
            {
              code: 'CONFLICT',
              message: `withdrawalId: ${input.withdrawalId} exists with different content`,
            },
          ];
      return canonicalJson({ allowed: same, violations, alerts: existing.alerts });
    }
    const { violations, alerts } = await assess(ctx, input, rules, now);
    return canonicalJson({ allowed: violations.length === 0, violations, alerts });
  }

  /**
   * 红冲: the same centre reverses with a reason. The record stays; its evidence is freed. The reason
   * is private: the argument carries `{"reasonHash"}` (sha256 of the NFC text) and the text comes in
   * the transient map (key `reason`) and goes to the recording centre's implicit collection. An
   * identical reversal is a replay (the record as it is, nothing written); another reason is CONFLICT.
   */
  @Transaction()
  @Returns('string')
  public async Reverse(
    ctx: Context,
    centre: string,
    withdrawalId: string,
    reversalJson: string,
  ): Promise<string> {
    const reasonHash = reversalHashFromJson(parseJson(reversalJson, 'reversal'));
    const reason = transientText(ctx, 'reason', 'reversal.reason', reasonHash);
    // IDs are scoped per centre: a centre reverses its own withdrawal with that ID, never another's.
    const code = validateCentreCode(centre, 'centre');
    const caller = await requireCallerCentre(ctx, await loadRegistry(ctx), code, 'centre');
    const record = await loadWithdrawal(ctx, caller.code, withdrawalId);
    if (record.status === 'REVERSED') {
      if (record.reversal?.reasonHash !== reasonHash) {
        throw hpfError(
          'CONFLICT',
          `withdrawalId: ${record.withdrawalId} is already reversed with another reason`,
        );
      }
      withdrawalEvent(ctx, 'withdrawal.reversed', record, true);
      return canonicalJson(record);
    }
    const reversed: WithdrawalRecord = {
      ...record,
      status: 'REVERSED',
      reversal: { reasonHash, at: txTime(ctx), txId: ctx.stub.getTxID() },
    };
    await writeJson(ctx, withdrawalKey(ctx, record.centre, record.withdrawalId), reversed);
    await writeIndexes(ctx, reversed, await readsFor(ctx, record));
    if (record.closesAccount) {
      // Cancels this withdrawal's closure only; any other closure (a transfer-out 04) stays.
      await appendAccountEvent(
        ctx,
        record.centre,
        record.subjectRef,
        'WITHDRAWAL_CLOSE_REVERSED',
        record.attestationId,
      );
    }
    await writeReversalReason(ctx, caller.mspId, reversed, reason);
    withdrawalEvent(ctx, 'withdrawal.reversed', reversed);
    return canonicalJson(reversed);
  }

  @Transaction(false)
  @Returns('string')
  public async Get(ctx: Context, centre: string, withdrawalId: string): Promise<string> {
    return canonicalJson(await loadWithdrawal(ctx, centre, withdrawalId));
  }
}
