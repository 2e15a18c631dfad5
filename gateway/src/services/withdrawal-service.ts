import {
  canonicalJson,
  evidenceHashOf,
  freeTextHash,
  moneyToFen,
  reasonClosesAccount,
  refuseIdShaped,
  validateEvidenceReference,
  validateFreeText,
} from '../domain';
import { invalidField } from '../errors';
import { actingCentre, type Caller } from './caller';
import { optionalObject, parseJsonObject, type JsonObject } from './json-record';
import { normalisePerson, personTransient, subjectRefFor } from './person';
import { independentEndorsementSets, writeOutcome } from './settings';
import type { WriteOutcome, WritingServiceOptions } from './settings';
import type { Schemas } from '../api-types';

/** A withdrawal (POST /v1/withdrawals and …/precheck), as the OpenAPI document defines it. */
export type WithdrawalBody = Schemas['Withdrawal'];

export type WithdrawalServiceOptions = WritingServiceOptions;

export interface WithdrawalService {
  record(caller: Caller, body: WithdrawalBody): Promise<WriteOutcome>;
  precheck(caller: Caller, body: WithdrawalBody): Promise<JsonObject>;
  reverse(caller: Caller, withdrawalId: string, reason: string): Promise<WriteOutcome>;
  /** A withdrawal of `centre` (default: the gateway's own; required on the regulator's gateway). */
  get(caller: Caller, withdrawalId: string, centre?: string): Promise<JsonObject>;
}

interface WithdrawalInput {
  readonly withdrawalId: string;
  readonly centre: string;
  readonly subjectRef: string;
  readonly reasonCode: string;
  readonly amount: string;
  readonly closesAccount: boolean;
  readonly evidence: readonly { readonly kind: string; readonly hash: string }[];
  readonly withdrawnOn: string;
}

class WithdrawalServiceImpl implements WithdrawalService {
  readonly #options: Readonly<WithdrawalServiceOptions>;

  constructor(options: Readonly<WithdrawalServiceOptions>) {
    this.#options = options;
  }

  /** Own peer + regulator; then own peer + each fallback centre when an endorser is unavailable. */
  #endorsementSets(): string[][] {
    return independentEndorsementSets(this.#options.settings);
  }

  /**
   * The argument (subjectRef and evidence hashes only) and the transient map the endorsers check it
   * against: the person (`person`) and the evidence references (`evidence`), which never reach a block.
   */
  #input(
    caller: Caller,
    body: WithdrawalBody,
  ): { input: WithdrawalInput; transient: Record<string, string> } {
    const centre = actingCentre(caller);
    const { pseudonymKey } = this.#options.settings;
    refuseIdShaped(body.withdrawalId, 'withdrawalId');
    moneyToFen(body.amount, 'amount');
    if (reasonClosesAccount(body.reasonCode) && !body.closesAccount) {
      throw invalidField('closesAccount', `must be true for reason ${body.reasonCode}`);
    }
    const person = normalisePerson(body.person, 'person');
    const evidence = body.evidence.map((e, i) => {
      if (e.reference.trim() === '') {
        throw invalidField(`evidence[${i}].reference`, 'must not be blank');
      }
      validateEvidenceReference(e.reference, `evidence[${i}].reference`);
      return { kind: e.kind, reference: e.reference, hash: evidenceHashOf(pseudonymKey, e.reference) };
    });
    const input: WithdrawalInput = {
      withdrawalId: body.withdrawalId,
      centre,
      subjectRef: subjectRefFor(pseudonymKey, person),
      reasonCode: body.reasonCode,
      amount: body.amount,
      closesAccount: body.closesAccount,
      evidence: evidence.map(({ kind, hash }) => ({ kind, hash })),
      withdrawnOn: body.withdrawnOn,
    };
    const transient = {
      person: personTransient(person),
      evidence: canonicalJson(evidence.map(({ kind, reference }) => ({ kind, reference }))),
    };
    return { input, transient };
  }

  /** Withdrawal IDs are each centre's own (docs/decisions/0020): the key is (centre, ID). */
  async get(caller: Caller, withdrawalId: string, centre?: string): Promise<JsonObject> {
    const scope = centre ?? caller.centreCode;
    if (scope === null) {
      throw invalidField('centre', 'is required on the regulator gateway (withdrawal IDs are per centre)');
    }
    return parseJsonObject(
      await this.#options.ledger.evaluate('withdrawal', 'Get', [scope, withdrawalId]),
      'withdrawal',
    );
  }

  /**
   * Idempotent on withdrawalId without a read first: the chaincode answers an identical resubmission
   * with the existing record (whose txId is not this transaction's), and a different one with CONFLICT.
   * A replay is seen at endorsement and never sent to the orderer.
   */
  async record(caller: Caller, body: WithdrawalBody): Promise<WriteOutcome> {
    const { input, transient } = this.#input(caller, body);
    const result = await this.#options.writer.write({
      contract: 'withdrawal',
      transaction: 'Record',
      args: [canonicalJson(input)],
      transient,
      endorsementSets: this.#endorsementSets(),
      skipCommit: (endorsed, txId) => parseJsonObject(endorsed, 'withdrawal').txId !== txId,
    });
    return writeOutcome(result, parseJsonObject(result.result, 'withdrawal'));
  }

  async precheck(caller: Caller, body: WithdrawalBody): Promise<JsonObject> {
    const { input, transient } = this.#input(caller, body);
    return parseJsonObject(
      await this.#options.ledger.evaluate('withdrawal', 'Precheck', [canonicalJson(input)], { transient }),
      'precheck result',
    );
  }

  /**
   * Reversal (红冲) with the same replay mechanism as Record: the chaincode answers an identical
   * reversal with the record as it is (its `reversal.txId` is not this transaction's) and another
   * reason with CONFLICT. The reason is private: its hash is the argument, the text goes in the
   * transient map (key `reason`) to the recording centre's implicit collection.
   */
  async reverse(caller: Caller, withdrawalId: string, reason: string): Promise<WriteOutcome> {
    // Only an operator acts, for its key's centre (FORBIDDEN for the regulator); the ID is scoped to
    // that centre, so another centre's withdrawal with the same ID is never touched (NOT_FOUND).
    const centre = actingCentre(caller);
    const text = validateFreeText(reason, 'reason');
    const result = await this.#options.writer.write({
      contract: 'withdrawal',
      transaction: 'Reverse',
      args: [
        centre,
        withdrawalId,
        canonicalJson({ reasonHash: freeTextHash(this.#options.settings.pseudonymKey, text) }),
      ],
      transient: { reason: text },
      endorsementSets: this.#endorsementSets(),
      skipCommit: (endorsed, txId) =>
        optionalObject(parseJsonObject(endorsed, 'withdrawal'), 'reversal')?.txId !== txId,
    });
    return writeOutcome(result, parseJsonObject(result.result, 'withdrawal'));
  }
}

/** Withdrawals: recorded by the paying centre, endorsed by it and the regulator (or a fallback centre). */
export function newWithdrawalService(options: Readonly<WithdrawalServiceOptions>): WithdrawalService {
  return new WithdrawalServiceImpl(options);
}
