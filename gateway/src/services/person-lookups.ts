import type { Logger } from 'pino';
import type { AuditService } from './audit-service';
import { newBudget, type Budget } from './budget';
import { arrayField, type JsonObject } from './json-record';
import { normalisePerson, subjectRefFor, type PersonInput } from './person';

/**
 * Turning a person into a subjectRef is a privilege: with it, a key holder can test guesses of ID
 * numbers against a pseudonym. So every lookup, by the API (`POST /v1/subjects/lookup`) or the
 * console's person form, is charged to one budget per API key (a minute and a day) and logged with
 * the key, the time and the number of results, never the person, the number or the subjectRef.
 * Bad input is refused (400) before the budget is charged; a lookup over budget is refused (429 with
 * Retry-After) before anything is computed.
 */

export interface LookupLimits {
  readonly perMinute: number;
  readonly perDay: number;
}

/** Who looks up: the key charged and the request's logger (which carries the request ID). */
export interface Looker {
  readonly keyId: string;
  readonly log: Logger;
}

export interface PersonLookups {
  /** The subjectRef (API): one result. */
  subjectRef(looker: Looker, person: PersonInput): { subjectRef: string };
  /** The subjectRef and the person's timeline (console): as many results as attestations. */
  timeline(looker: Looker, person: PersonInput): Promise<{ subjectRef: string; timeline: JsonObject }>;
}

export interface PersonLookupOptions {
  readonly pseudonymKey: Uint8Array;
  readonly limits: LookupLimits;
  readonly audit: AuditService;
}

export function lookupBudget(limits: LookupLimits): Budget {
  return newBudget('person lookups', [
    { ms: 60_000, limit: limits.perMinute, per: 'a minute' },
    { ms: 86_400_000, limit: limits.perDay, per: 'a day' },
  ]);
}

/** The audit line of a lookup: who, when, how many results; nothing about the person. */
function logged(looker: Looker, results: number): void {
  looker.log.info(
    { event: 'person-lookup', keyId: looker.keyId, at: new Date().toISOString(), results },
    'person looked up',
  );
}

export function newPersonLookups(options: Readonly<PersonLookupOptions>): PersonLookups {
  const budget = lookupBudget(options.limits);
  const charged = (looker: Looker, person: PersonInput): string => {
    const normalised = normalisePerson(person, 'person');
    try {
      budget.take(looker.keyId, 1);
    } catch (err) {
      looker.log.warn(
        { event: 'person-lookup-refused', keyId: looker.keyId, at: new Date().toISOString() },
        'person lookup refused: over the budget',
      );
      throw err;
    }
    return subjectRefFor(options.pseudonymKey, normalised);
  };
  return {
    subjectRef(looker, person) {
      const subjectRef = charged(looker, person);
      logged(looker, 1);
      return { subjectRef };
    },
    async timeline(looker, person) {
      const subjectRef = charged(looker, person);
      let timeline: JsonObject;
      try {
        timeline = await options.audit.timeline(subjectRef);
      } catch (err) {
        logged(looker, 0);
        throw err;
      }
      logged(looker, arrayField(timeline, 'attestations').length);
      return { subjectRef, timeline };
    },
  };
}
