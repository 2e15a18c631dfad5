import { Context, Info, Returns, Transaction } from 'fabric-contract-api';

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
import { readBoolean, readObject, readOptionalString, readString } from './domain/json-fields';
import { validateCentreCode, validateWithdrawalId } from './domain/validators';
import { ownKey, writeOwned } from './endorsement';
import {
  emitEvent,
  indexKey,
  INDEX,
  readIndex,
  readJson,
  REGISTRY_KEY,
  txTime,
  withdrawalKey,
  writeJson,
  type AlertJson,
} from './ledger';
import {
  accountInTransferMessage,
  accountStatusKey,
  appendAccountEvent,
  readAccountStatus,
} from './model/account';
import { banViolation, readSubjectBans, sealedBansInForce, subjectBansKey } from './model/ban';
import {
  intervalMonthsOf,
  loadRegistry,
  requireCallerCentre,
  type CentreEntry,
  type Rules,
} from './model/registry';
import { checkWithdrawalSubject } from './model/subject-check';
import {
  inputOf,
  withdrawalFromJson,
  withdrawalInputFromJson,
  type WithdrawalInput,
  type WithdrawalRecord,
} from './model/withdrawal';
import { reversalHashFromJson, transientText, writeReversalReason } from './private-texts';
import { LedgerContext, LedgerContract, prefetchStates } from './batched-stub';

/** The look-back of the multi-centre alert (within 12 months: docs/rules.md "Withdrawal rules"). */
const MULTI_CENTRE_WINDOW_MONTHS = 12;
/** Distinct subjects per evidence hash above which EVIDENCE_SHARED is raised (co-buyers are fine). */
const SHARED_EVIDENCE_LIMIT = 2;

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

type EvidenceUse = {
  readonly subjectRef: string;
  readonly at: string;
  readonly centre: string;
  readonly kind: string;
  readonly reasonCode: string;
};

function evidenceUses(entries: Awaited<ReturnType<typeof readIndex>>): EvidenceUse[] {
  return entries.map((entry) => {
    const value = readObject(entry.value, 'evidence index');
    return {
      subjectRef: entry.attributes[1] ?? '',
      at: readString(value, 'at', 'evidence index'),
      centre: readString(value, 'centre', 'evidence index'),
      kind: readString(value, 'kind', 'evidence index'),
      reasonCode: readString(value, 'reasonCode', 'evidence index'),
    };
  });
}

function reasonName(code: string): string {
  return isWithdrawalReasonCode(code) ? `${code} ${WITHDRAWAL_REASONS[code].name}` : code;
}

/**
 * Checks one evidence hash: duplicate use by the same subject inside the window for a conflicting
 * purpose (the same reason, or purchase/build together: docs/rules.md "Duplicate evidence"), and sharing.
 * Evidence entries exist only for live withdrawals (a reversal deletes them).
 */
async function assessEvidence(
  ctx: Context,
  input: WithdrawalInput,
  hash: string,
  windowStart: string,
  windowMonths: number,
): Promise<Assessment> {
  const uses = evidenceUses(await readIndex(ctx, INDEX.evidence, [hash]));
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

/** A live withdrawal of the subject, from its subject index entry. */
type SubjectWithdrawal = {
  readonly centre: string;
  readonly withdrawalId: string;
  readonly at: string;
  readonly active: boolean;
  /** Absent on entries written before recurring reasons were told apart. */
  readonly reasonCode?: string;
  readonly withdrawnOn?: string;
};

/** The subject's withdrawals (one range query), this one excluded. */
async function subjectWithdrawals(ctx: Context, input: WithdrawalInput): Promise<SubjectWithdrawal[]> {
  return (await readIndex(ctx, INDEX.subject, [input.subjectRef, 'withdrawal']))
    .filter((entry) => !(entry.attributes[2] === input.centre && entry.attributes[3] === input.withdrawalId))
    .map((entry) => {
      const value = readObject(entry.value, 'subject index');
      return {
        centre: readString(value, 'centre', 'subject index'),
        withdrawalId: entry.attributes[3] ?? '',
        at: readString(value, 'at', 'subject index'),
        active: readBoolean(value, 'active', 'subject index'),
        reasonCode: readOptionalString(value, 'reasonCode', 'subject index'),
        withdrawnOn: readOptionalString(value, 'withdrawnOn', 'subject index'),
      };
    });
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
      w.withdrawnOn !== undefined &&
      input.withdrawnOn < addMonths(w.withdrawnOn, months) &&
      w.withdrawnOn < addMonths(input.withdrawnOn, months),
  );
  return tooClose === undefined
    ? undefined
    : {
        code: 'WITHDRAWAL_TOO_FREQUENT',
        message: `withdrawnOn: reason ${reasonName(input.reasonCode)} at most once every ${months} month(s) at centre ${input.centre}; withdrawal ${tooClose.withdrawalId} was on ${tooClose.withdrawnOn ?? ''}`,
      };
}

/**
 * Every rule and alert of docs/rules.md "Withdrawal rules" for one withdrawal. Reads: the subject's
 * ban key and the account status at the centre (closures and open transfer-outs; point reads), one
 * per evidence hash and the subject's withdrawals (range queries over entries each owned by its
 * centre's organisation, so re-checked at commit). Violations in this order: SUBJECT_BANNED,
 * ACCOUNT_IN_TRANSFER, ACCOUNT_CLOSED, DUPLICATE_EVIDENCE, WITHDRAWAL_TOO_FREQUENT.
 */
async function assess(ctx: Context, input: WithdrawalInput, rules: Rules, now: string): Promise<Assessment> {
  const violations: Violation[] = [];
  const alerts: AlertJson[] = [];
  const today = chinaDateOf(now);
  const bans = await sealedBansInForce(ctx, await readSubjectBans(ctx, input.subjectRef), today);
  const banned = banViolation(bans, today);
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
  for (const evidence of input.evidence) {
    const result = await assessEvidence(ctx, input, evidence.hash, windowStart, rules.evidenceWindowMonths);
    violations.push(...result.violations);
    alerts.push(...result.alerts);
  }
  const withdrawals = await subjectWithdrawals(ctx, input);
  const frequent = assessInterval(input, withdrawals, rules);
  if (frequent !== undefined) {
    violations.push(frequent);
  }
  alerts.push(...assessMultiCentre(input, withdrawals, rules, now));
  return { violations, alerts };
}

/**
 * Parses the input and checks that the caller is the paying centre. The four point reads of a
 * withdrawal's checks (the registry, an existing record of this ID, the subject's bans, the account's
 * status) go to the peer in one message first.
 */
async function callerInput(
  ctx: Context,
  inputJson: string,
): Promise<{ input: WithdrawalInput; rules: Rules; centre: CentreEntry }> {
  const input = withdrawalInputFromJson(parseJson(inputJson, 'withdrawal'));
  checkWithdrawalSubject(ctx, input);
  await prefetchStates(ctx, [
    REGISTRY_KEY,
    withdrawalKey(ctx, input.centre, input.withdrawalId),
    subjectBansKey(ctx, input.subjectRef),
    accountStatusKey(ctx, input.centre, input.subjectRef),
  ]);
  const registry = await loadRegistry(ctx);
  const centre = await requireCallerCentre(ctx, registry, input.centre, 'centre');
  return { input, rules: registry.rules, centre };
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
 * The evidence and subject index entries of a withdrawal. Both carry the paying organisation's
 * key-level policy from creation, so only its peers can delete an evidence entry (which frees the
 * evidence) or mark the withdrawal inactive.
 */
async function writeIndexes(ctx: Context, record: WithdrawalRecord, owner: string): Promise<void> {
  const active = record.status === 'RECORDED';
  for (const evidence of record.evidence) {
    const key = indexKey(ctx, INDEX.evidence, [
      evidence.hash,
      record.subjectRef,
      record.centre,
      record.withdrawalId,
    ]);
    if (active) {
      await writeJson(ctx, key, {
        at: record.recordedAt,
        centre: record.centre,
        kind: evidence.kind,
        reasonCode: record.reasonCode,
      });
      await ownKey(ctx, key, [owner]);
    } else {
      await ctx.stub.deleteState(key); // a reversal frees the evidence
    }
  }
  const subjectKey = indexKey(ctx, INDEX.subject, [
    record.subjectRef,
    'withdrawal',
    record.centre,
    record.withdrawalId,
  ]);
  await writeJson(ctx, subjectKey, {
    active,
    at: record.recordedAt,
    centre: record.centre,
    centres: [record.centre],
    reasonCode: record.reasonCode,
    withdrawnOn: record.withdrawnOn,
  });
  if (active) {
    await ownKey(ctx, subjectKey, [owner]);
  }
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
export class WithdrawalContract extends LedgerContract {
  constructor() {
    super('withdrawal');
  }

  @Transaction()
  @Returns('string')
  public async Record(ctx: LedgerContext, inputJson: string): Promise<string> {
    const { input, rules, centre } = await callerInput(ctx, inputJson);
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
    const { violations, alerts } = await assess(ctx, input, rules, now);
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
    await writeOwned(
      ctx,
      withdrawalKey(ctx, record.centre, record.withdrawalId),
      record,
      [centre.mspId],
      'create',
    );
    await writeIndexes(ctx, record, centre.mspId);
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
  public async Precheck(ctx: LedgerContext, inputJson: string): Promise<string> {
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
    ctx: LedgerContext,
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
    await writeOwned(
      ctx,
      withdrawalKey(ctx, record.centre, record.withdrawalId),
      reversed,
      [caller.mspId],
      'update',
    );
    await writeIndexes(ctx, reversed, caller.mspId);
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
  public async Get(ctx: LedgerContext, centre: string, withdrawalId: string): Promise<string> {
    return canonicalJson(await loadWithdrawal(ctx, centre, withdrawalId));
  }
}
