import { canonicalJson, containsIdShapedRun, freeTextHash, validateFreeText } from '../domain';
import { invalidField } from '../errors';
import type { LedgerClient } from '../fabric/ledger-client';
import type { Schemas } from '../api-types';
import { actingCentre, type Caller } from './caller';
import { optionalObject, parseJsonObject, type JsonObject } from './json-record';
import type { LedgerWriter } from './ledger-writer';
import { normalisePerson, personTransient, subjectRefFor } from './person';
import {
  independentEndorsementSets,
  writeOutcome,
  type ServiceSettings,
  type WriteOutcome,
} from './settings';

/** A ban (POST /v1/bans), as the OpenAPI document defines it. */
export type BanBody = Schemas['BanRequest'];

export interface BanServiceOptions {
  readonly ledger: LedgerClient;
  readonly writer: LedgerWriter;
  readonly settings: ServiceSettings;
}

export interface BanService {
  impose(caller: Caller, body: BanBody): Promise<WriteOutcome>;
  lift(caller: Caller, banId: string, reason: string): Promise<WriteOutcome>;
  /** A ban of `centre` (default: the gateway's own; required on the regulator's gateway). */
  get(caller: Caller, banId: string, centre?: string): Promise<JsonObject>;
}

class BanServiceImpl implements BanService {
  readonly #options: Readonly<BanServiceOptions>;

  constructor(options: Readonly<BanServiceOptions>) {
    this.#options = options;
  }

  /** Endorsed like a withdrawal: own peer + regulator, then own peer + each fallback centre. */
  #endorsementSets(): string[][] {
    return independentEndorsementSets(this.#options.settings);
  }

  /**
   * The argument carries the subjectRef and the reason's hash; the person (every endorser recomputes
   * the subjectRef) and the reason text travel in the transient map, never in a block.
   */
  async impose(caller: Caller, body: BanBody): Promise<WriteOutcome> {
    const centre = actingCentre(caller);
    if (containsIdShapedRun(body.banId)) {
      // The chaincode refuses it too; refused here before anything is sent.
      throw invalidField('banId', 'must not contain an ID number; IDs are public');
    }
    const person = normalisePerson(body.person, 'person');
    const reason = validateFreeText(body.reason, 'reason');
    const input = {
      banId: body.banId,
      centre,
      subjectRef: subjectRefFor(this.#options.settings.pseudonymKey, person),
      ground: body.ground,
      decidedOn: body.decidedOn,
      reasonHash: freeTextHash(this.#options.settings.pseudonymKey, reason),
    };
    const result = await this.#options.writer.write({
      contract: 'ban',
      transaction: 'Impose',
      args: [canonicalJson(input)],
      transient: { person: personTransient(person), reason },
      endorsementSets: this.#endorsementSets(),
      skipCommit: (endorsed, txId) => parseJsonObject(endorsed, 'ban').txId !== txId,
    });
    return writeOutcome(result, parseJsonObject(result.result, 'ban'));
  }

  async lift(caller: Caller, banId: string, reason: string): Promise<WriteOutcome> {
    // Only an operator lifts, for its key's centre; another centre's ban is not in its scope (404).
    const centre = actingCentre(caller);
    const text = validateFreeText(reason, 'reason');
    const result = await this.#options.writer.write({
      contract: 'ban',
      transaction: 'Lift',
      args: [
        centre,
        banId,
        canonicalJson({ reasonHash: freeTextHash(this.#options.settings.pseudonymKey, text) }),
      ],
      transient: { reason: text },
      endorsementSets: this.#endorsementSets(),
      skipCommit: (endorsed, txId) => optionalObject(parseJsonObject(endorsed, 'ban'), 'lift')?.txId !== txId,
    });
    return writeOutcome(result, parseJsonObject(result.result, 'ban'));
  }

  async get(caller: Caller, banId: string, centre?: string): Promise<JsonObject> {
    const scope = centre ?? caller.centreCode;
    if (scope === null) {
      throw invalidField('centre', 'is required on the regulator gateway (ban IDs are per centre)');
    }
    return parseJsonObject(await this.#options.ledger.evaluate('ban', 'Get', [scope, banId]), 'ban');
  }
}

/** National fraud bans: imposed and lifted by the issuing centre, endorsed by it and the regulator. */
export function newBanService(options: Readonly<BanServiceOptions>): BanService {
  return new BanServiceImpl(options);
}
