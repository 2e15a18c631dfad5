import { canonicalJson, moneyToFen, newSalt, normaliseUscc, toFen } from '../domain';
import { ApiError, invalidField } from '../errors';
import type { LedgerClient } from '../fabric/ledger-client';
import { actingCentre, type Caller } from './caller';
import type { CentreDirectory } from './centre-directory';
import {
  arrayField,
  isJsonObject,
  optionalObject,
  parseJsonObject,
  stringField,
  type JsonObject,
} from './json-record';
import type { LedgerWriter } from './ledger-writer';
import { normalisePerson, subjectRefFor, type PersonInput } from './person';
import type { ServiceSettings, WriteOutcome } from './settings';
import { bookmarkOf, pageTokenOf } from './page-token';

export interface TransferRequestBody {
  readonly transferId: string;
  readonly fromCentre: string;
  readonly person: PersonInput;
  readonly formerEmployer?: { readonly code: string; readonly name: string };
  readonly formerAccount?: string;
  readonly receivingAccount?: string;
}

export interface ConfirmOutBody {
  readonly principal: string;
  readonly interest: string;
  readonly openedOn: string;
  readonly paidUpTo: string;
  readonly continuous6Months: boolean;
  readonly loanCount: number;
  readonly unsettledLoan: boolean;
  readonly fraudRecord: boolean;
  readonly settlementRef: string;
}

export type TransferStep = 'accept' | 'reject' | 'confirm-out' | 'dispute' | 'complete' | 'cancel' | 'fail';

export type StepBody = Readonly<Record<string, unknown>>;

export interface TransferListQuery {
  readonly direction: 'incoming' | 'outgoing';
  readonly status?: string;
  readonly pageSize?: number;
  readonly pageToken?: string;
  readonly centre?: string;
}

interface StepDefinition {
  readonly transaction: string;
  readonly actor: 'source' | 'destination' | 'either';
  readonly target: string;
  /** The record field that holds this step's data, compared on a repeated request. */
  readonly detail?: 'reject' | 'transferOut' | 'completion';
}

const STEPS: Readonly<Record<TransferStep, StepDefinition>> = {
  accept: { transaction: 'Accept', actor: 'source', target: 'ACCEPTED' },
  reject: { transaction: 'Reject', actor: 'source', target: 'REJECTED', detail: 'reject' },
  'confirm-out': {
    transaction: 'ConfirmOut',
    actor: 'source',
    target: 'OUT_CONFIRMED',
    detail: 'transferOut',
  },
  dispute: { transaction: 'Dispute', actor: 'destination', target: 'NEGOTIATING' },
  complete: { transaction: 'Complete', actor: 'destination', target: 'COMPLETED', detail: 'completion' },
  cancel: { transaction: 'Cancel', actor: 'destination', target: 'CANCELLED' },
  fail: { transaction: 'Fail', actor: 'either', target: 'FAILED' },
};

const DEFAULT_FAIL_MESSAGE = 'closed as failed (失败办结)';

export interface TransferServiceOptions {
  readonly ledger: LedgerClient;
  readonly writer: LedgerWriter;
  readonly directory: CentreDirectory;
  readonly settings: ServiceSettings;
}

export interface TransferService {
  request(caller: Caller, body: TransferRequestBody): Promise<WriteOutcome>;
  step(caller: Caller, transferId: string, step: TransferStep, body: StepBody): Promise<WriteOutcome>;
  get(transferId: string): Promise<JsonObject>;
  list(caller: Caller, query: TransferListQuery): Promise<JsonObject>;
}

/** The step's data as the chaincode takes it; validates amounts the schema cannot. */
function stepArgument(step: TransferStep, body: StepBody): JsonObject | undefined {
  switch (step) {
    case 'confirm-out':
      moneyToFen(String(body.principal), 'principal');
      moneyToFen(String(body.interest), 'interest', true);
      return body;
    case 'complete':
      moneyToFen(String(body.receivedAmount), 'receivedAmount');
      return body;
    case 'reject':
    case 'dispute':
      return body;
    case 'fail':
      return { message: typeof body.message === 'string' ? body.message : DEFAULT_FAIL_MESSAGE };
    default:
      return undefined;
  }
}

function sameFen(stored: unknown, amount: unknown): boolean {
  return typeof amount === 'string' && stored === toFen(amount);
}

/** Whether a step's stored data equals the data of a repeated request. */
function sameStepDetail(definition: StepDefinition, record: JsonObject, body: StepBody): boolean {
  const stored = definition.detail ? optionalObject(record, definition.detail) : undefined;
  if (!definition.detail) {
    return true;
  }
  if (!stored) {
    return false;
  }
  if (definition.detail === 'reject') {
    return stored.reasonCode === body.reasonCode && stored.message === body.message;
  }
  if (definition.detail === 'completion') {
    return sameFen(stored.receivedFen, body.receivedAmount) && stored.receivedOn === body.receivedOn;
  }
  const keys = [
    'openedOn',
    'paidUpTo',
    'continuous6Months',
    'loanCount',
    'unsettledLoan',
    'fraudRecord',
    'settlementRef',
  ];
  return (
    sameFen(stored.principalFen, body.principal) &&
    sameFen(stored.interestFen, body.interest) &&
    keys.every((k) => stored[k] === body[k])
  );
}

function checkActor(definition: StepDefinition, record: JsonObject, own: string): void {
  const from = stringField(record, 'fromCentre');
  const to = stringField(record, 'toCentre');
  const allowed =
    definition.actor === 'source'
      ? own === from
      : definition.actor === 'destination'
        ? own === to
        : own === from || own === to;
  if (!allowed) {
    throw new ApiError('FORBIDDEN', `only the ${definition.actor} centre of the transfer may do this`);
  }
}

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
  async #isSameRequest(existing: JsonObject, expected: JsonObject, details: JsonObject): Promise<boolean> {
    const keys = ['fromCentre', 'toCentre', 'subjectRef'];
    if (!keys.every((k) => existing[k] === expected[k])) {
      return false;
    }
    const stored = parseJsonObject(
      await this.#options.ledger.evaluate('transfer', 'GetPersonalDetails', [
        stringField(existing, 'transferId'),
      ]),
      'personal details',
    );
    return canonicalJson(withoutSalt(stored)) === canonicalJson(details);
  }

  async #existingOutcome(
    transferId: string,
    expected: JsonObject,
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

  async step(caller: Caller, transferId: string, step: TransferStep, body: StepBody): Promise<WriteOutcome> {
    const own = actingCentre(caller);
    const definition = STEPS[step];
    const argument = stepArgument(step, body);
    const record = await this.get(transferId);
    checkActor(definition, record, own);
    if (record.status === definition.target) {
      if (!sameStepDetail(definition, record, body)) {
        throw new ApiError('CONFLICT', `the transfer is already ${definition.target} with different data`);
      }
      return { status: 200, record };
    }
    const [sourceMsp, destinationMsp] = await Promise.all([
      this.#options.directory.mspIdOf(stringField(record, 'fromCentre')),
      this.#options.directory.mspIdOf(stringField(record, 'toCentre')),
    ]);
    const result = await this.#options.writer.write({
      contract: 'transfer',
      transaction: definition.transaction,
      args: argument ? [transferId, canonicalJson(argument)] : [transferId],
      endorsementSets: [[sourceMsp, destinationMsp]],
    });
    return { status: 201, record: parseJsonObject(result.result, 'transfer'), txId: result.txId };
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
