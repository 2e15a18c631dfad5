import {
  canonicalJson,
  freeTextHash,
  moneyToFen,
  newSalt,
  normaliseUscc,
  refuseIdShaped,
  validateFreeText,
} from '../domain';
import type { BodyOf, Schemas } from '../api-types';
import { decodeTransfer, STEP_RULES, type TransferRecord } from '../domain/records';
import { ApiError, invalidField } from '../errors';
import { actingCentre, type Caller } from './caller';
import type { CentreDirectory } from './centre-directory';
import { arrayField, isJsonObject, parseJsonArray, parseJsonObject, type JsonObject } from './json-record';
import { normalisePerson, subjectRefFor } from './person';
import type { WriteOutcome, WritingServiceOptions } from './settings';
import { bookmarkOf, pageTokenOf } from './page-token';

/** A transfer request (POST /v1/transfers), as the OpenAPI document defines it. */
export type TransferRequestBody = Schemas['TransferRequest'];

/** A step and its body, as the OpenAPI document defines each step's request. */
export type StepInput =
  | { readonly step: 'accept'; readonly body?: BodyOf<'acceptTransfer'> }
  | { readonly step: 'reject'; readonly body: BodyOf<'rejectTransfer'> }
  | { readonly step: 'confirm-out'; readonly body: BodyOf<'confirmTransferOut'> }
  | { readonly step: 'dispute'; readonly body: BodyOf<'disputeTransfer'> }
  | { readonly step: 'complete'; readonly body: BodyOf<'completeTransfer'> }
  | { readonly step: 'cancel'; readonly body?: BodyOf<'cancelTransfer'> }
  | { readonly step: 'fail'; readonly body?: BodyOf<'failTransfer'> };

export type TransferStep = StepInput['step'];

export interface TransferListQuery {
  readonly direction: 'incoming' | 'outgoing';
  readonly status?: string;
  readonly pageSize?: number;
  readonly pageToken?: string;
  readonly centre?: string;
}

/** Each step's chaincode transaction and its name in the chaincode's state machine (`STEP_RULES`). */
const STEPS: Readonly<Record<TransferStep, { transaction: string; rule: keyof typeof STEP_RULES }>> = {
  accept: { transaction: 'Accept', rule: 'ACCEPT' },
  reject: { transaction: 'Reject', rule: 'REJECT' },
  'confirm-out': { transaction: 'ConfirmOut', rule: 'CONFIRM_OUT' },
  dispute: { transaction: 'Dispute', rule: 'DISPUTE' },
  complete: { transaction: 'Complete', rule: 'COMPLETE' },
  cancel: { transaction: 'Cancel', rule: 'CANCEL' },
  fail: { transaction: 'Fail', rule: 'FAIL' },
};

export interface TransferServiceOptions extends WritingServiceOptions {
  /** Centre codes to MSP IDs, from the registry. */
  readonly directory: CentreDirectory;
}

export interface TransferService {
  request(caller: Caller, body: TransferRequestBody): Promise<WriteOutcome>;
  step(caller: Caller, transferId: string, input: StepInput): Promise<WriteOutcome>;
  get(transferId: string): Promise<JsonObject>;
  personalDetails(caller: Caller, transferId: string): Promise<JsonObject>;
  list(caller: Caller, query: TransferListQuery): Promise<JsonObject>;
}

const DEFAULT_FAIL_MESSAGE = 'closed as failed (失败办结)';

/**
 * The step's argument as the chaincode takes it, and its transient map. Free texts never go in the
 * argument: it carries their hash (`messageHash`), the text goes in the transient key `message`.
 */
function stepArgument(
  input: StepInput,
  pseudonymKey: Uint8Array,
): { argument?: JsonObject; transient?: Record<string, string> } {
  const withText = (field: string, text: string, extra: JsonObject = {}) => {
    const message = validateFreeText(text, field);
    return {
      argument: { ...extra, messageHash: freeTextHash(pseudonymKey, message) },
      transient: { message },
    };
  };
  switch (input.step) {
    case 'confirm-out':
      moneyToFen(input.body.principal, 'principal');
      moneyToFen(input.body.interest, 'interest', true);
      refuseIdShaped(input.body.settlementRef, 'settlementRef');
      return { argument: input.body };
    case 'complete':
      moneyToFen(input.body.receivedAmount, 'receivedAmount');
      return { argument: input.body };
    case 'reject':
      return withText('message', input.body.message, { reasonCode: input.body.reasonCode });
    case 'dispute':
      return withText('message', input.body.message);
    case 'fail':
      return withText('message', input.body?.message ?? DEFAULT_FAIL_MESSAGE);
    default:
      return {};
  }
}

/** The txId of the last history entry: the transaction that wrote the record as it now is. */
function lastStepTxId(record: TransferRecord): string | undefined {
  return record.history.at(-1)?.txId;
}

/** The chaincode's rule of who takes the step, checked before endorsing (the chaincode checks it again). */
function checkActor(step: TransferStep, record: TransferRecord, own: string): void {
  const { actor } = STEP_RULES[STEPS[step].rule];
  const allowed =
    actor === 'source'
      ? own === record.fromCentre
      : actor === 'destination'
        ? own === record.toCentre
        : own === record.fromCentre || own === record.toCentre;
  if (!allowed) {
    throw new ApiError('FORBIDDEN', `only the ${actor} centre of the transfer may do this`);
  }
}

/** What a repeated Request must match: the same centres and the same person (subjectRef). */
type RequestKeys = Pick<TransferRecord, 'transferId' | 'fromCentre' | 'toCentre' | 'subjectRef'>;

function withoutSalt(details: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(details).filter(([k]) => k !== 'salt'));
}

class TransferServiceImpl implements TransferService {
  readonly #options: Readonly<TransferServiceOptions>;

  constructor(options: Readonly<TransferServiceOptions>) {
    this.#options = options;
  }

  async get(transferId: string): Promise<JsonObject> {
    return parseJsonObject(await this.#options.ledger.evaluate('transfer', 'Get', [transferId]), 'transfer');
  }

  async #find(transferId: string): Promise<JsonObject | undefined> {
    try {
      return await this.get(transferId);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'NOT_FOUND') {
        return undefined;
      }
      throw err;
    }
  }

  /** Same transfer ID: is it the same request? The salt differs per request, so compare without it. */
  async #isSameRequest(existing: JsonObject, expected: RequestKeys, details: JsonObject): Promise<boolean> {
    const record = decodeTransfer(existing);
    const keys = ['fromCentre', 'toCentre', 'subjectRef'] as const;
    if (!keys.every((k) => record[k] === expected[k])) {
      return false;
    }
    const stored = parseJsonObject(
      await this.#options.ledger.evaluate('transfer', 'GetPersonalDetails', [record.transferId]),
      'personal details',
    );
    return canonicalJson(withoutSalt(stored)) === canonicalJson(details);
  }

  async #existingOutcome(
    transferId: string,
    expected: RequestKeys,
    details: JsonObject,
  ): Promise<WriteOutcome | undefined> {
    const existing = await this.#find(transferId);
    if (!existing) {
      return undefined;
    }
    if (!(await this.#isSameRequest(existing, expected, details))) {
      throw new ApiError('CONFLICT', 'transferId exists with different content');
    }
    return { status: 200, record: existing };
  }

  #personalDetails(body: TransferRequestBody): { subjectRef: string; details: JsonObject } {
    const person = normalisePerson(body.person, 'person');
    const details: Record<string, unknown> = { ...person };
    if (body.formerEmployer) {
      details.formerEmployer = {
        code: normaliseUscc(body.formerEmployer.code, 'formerEmployer.code'),
        name: body.formerEmployer.name.trim(),
      };
    }
    if (body.formerAccount !== undefined) {
      details.formerAccount = body.formerAccount;
    }
    if (body.receivingAccount !== undefined) {
      details.receivingAccount = body.receivingAccount;
    }
    return { subjectRef: subjectRefFor(this.#options.settings.pseudonymKey, person), details };
  }

  async request(caller: Caller, body: TransferRequestBody): Promise<WriteOutcome> {
    const own = actingCentre(caller);
    if (!body.transferId.startsWith(own)) {
      throw invalidField('transferId', `must start with the destination centre code ${own}`);
    }
    if (body.fromCentre === own) {
      throw invalidField('fromCentre', 'must be another centre than the destination');
    }
    const sourceMsp = await this.#options.directory.mspIdForField(body.fromCentre, 'fromCentre');
    if (sourceMsp === this.#options.settings.mspId) {
      // Both sides in one organisation would leave the transfer with no independent endorser.
      throw invalidField('fromCentre', `must be a centre of another organisation than ${sourceMsp}`);
    }
    const { subjectRef, details } = this.#personalDetails(body);
    const expected = { transferId: body.transferId, fromCentre: body.fromCentre, toCentre: own, subjectRef };
    const repeated = await this.#existingOutcome(body.transferId, expected, details);
    if (repeated) {
      return repeated;
    }
    try {
      const result = await this.#options.writer.write({
        contract: 'transfer',
        transaction: 'Request',
        args: [canonicalJson({ transferId: body.transferId, fromCentre: body.fromCentre, subjectRef })],
        transient: { person: canonicalJson({ ...details, salt: newSalt() }) },
        endorsementSets: [[this.#options.settings.mspId, sourceMsp]],
      });
      return { status: 201, record: parseJsonObject(result.result, 'transfer'), txId: result.txId };
    } catch (err) {
      // A concurrent identical request may have won the race: answer as a repeat if so.
      const raced = err instanceof ApiError && err.code === 'CONFLICT';
      const outcome = raced ? await this.#existingOutcome(body.transferId, expected, details) : undefined;
      if (outcome) {
        return outcome;
      }
      throw err;
    }
  }

  /**
   * One step. Idempotency is the chaincode's (docs/decisions/0022-idempotent-steps.md): an identical repeat of
   * the latest entry of the step is answered with the record as it is, which this transaction did
   * not write (its last history txId is another's), so it is dropped before ordering and answered 200.
   * After an MVCC retry the second of two concurrent identical steps becomes such a replay.
   */
  async step(caller: Caller, transferId: string, input: StepInput): Promise<WriteOutcome> {
    const own = actingCentre(caller);
    const { step } = input;
    const { argument, transient } = stepArgument(input, this.#options.settings.pseudonymKey);
    const record = decodeTransfer(await this.get(transferId));
    checkActor(step, record, own);
    const [sourceMsp, destinationMsp] = await Promise.all([
      this.#options.directory.mspIdOf(record.fromCentre),
      this.#options.directory.mspIdOf(record.toCentre),
    ]);
    const result = await this.#options.writer.write({
      contract: 'transfer',
      transaction: STEPS[step].transaction,
      args: argument ? [transferId, canonicalJson(argument)] : [transferId],
      transient,
      endorsementSets: [[sourceMsp, destinationMsp]],
      skipCommit: (endorsed, txId) =>
        lastStepTxId(decodeTransfer(parseJsonObject(endorsed, 'transfer'))) !== txId,
    });
    const written = parseJsonObject(result.result, 'transfer');
    return result.replayed === true
      ? { status: 200, record: written }
      : { status: 201, record: written, txId: result.txId };
  }

  /**
   * The personal details and step texts of a transfer, from this centre's own implicit collection:
   * operators of the source or destination only (the chaincode checks the caller's MSP again).
   */
  async personalDetails(caller: Caller, transferId: string): Promise<JsonObject> {
    const own = actingCentre(caller);
    const { fromCentre, toCentre } = decodeTransfer(await this.get(transferId));
    if (own !== fromCentre && own !== toCentre) {
      throw new ApiError(
        'FORBIDDEN',
        'only the source or the destination centre may read the personal details',
      );
    }
    const [details, texts] = await Promise.all([
      this.#options.ledger.evaluate('transfer', 'GetPersonalDetails', [transferId]),
      this.#options.ledger.evaluate('transfer', 'GetStepTexts', [transferId]),
    ]);
    const { idType, idNumber, name, ...rest } = withoutSalt(parseJsonObject(details, 'personal details'));
    return {
      transferId,
      fromCentre,
      toCentre,
      person: { idType, idNumber, name },
      ...rest,
      messages: parseJsonArray(texts, 'step texts'),
    };
  }

  async list(caller: Caller, query: TransferListQuery): Promise<JsonObject> {
    const centre = query.centre ?? caller.centreCode;
    if (centre === null) {
      throw invalidField('centre', 'is required on the regulator gateway');
    }
    if (caller.role === 'operator' && centre !== caller.centreCode) {
      throw new ApiError('FORBIDDEN', "an operator may list only its own centre's transfers");
    }
    const page = parseJsonObject(
      await this.#options.ledger.evaluate('transfer', 'List', [
        canonicalJson({
          centre,
          direction: query.direction,
          status: query.status,
          pageSize: query.pageSize,
          bookmark: query.pageToken === undefined ? undefined : bookmarkOf(query.pageToken),
        }),
      ]),
      'transfer list',
    );
    return {
      items: arrayField(page, 'items').filter(isJsonObject),
      nextPageToken: pageTokenOf(page.bookmark),
    };
  }
}

/** Transfer-and-continue: the destination requests, the source answers; both peers endorse every step. */
export function newTransferService(options: Readonly<TransferServiceOptions>): TransferService {
  return new TransferServiceImpl(options);
}
