import { canonicalIdentity, chinaToday, subjectRefOf, type CanonicalIdentity } from '../domain';
import { invalidField } from '../errors';

export interface PersonInput {
  readonly idType: string;
  readonly idNumber: string;
  readonly name: string;
}

export interface NormalisedPerson {
  readonly idType: string;
  /** The canonical number (chaincode/src/domain/identity.ts), whatever form was typed. */
  readonly idNumber: string;
  readonly name: string;
}

/**
 * Normalises a person as the chaincode checks it: the canonical number of the one identity rule
 * (resident IDs in their 18-character form, other numbers folded), a birth date not after today
 * (in China), the name trimmed. The claimed idType is kept; it does not change who the person is.
 */
export function normalisePerson(person: PersonInput, path: string): NormalisedPerson {
  const identity = canonicalIdentity(person.idType, person.idNumber, chinaToday(), `${path}.idNumber`);
  const name = person.name.trim();
  if (name === '') {
    throw invalidField(`${path}.name`, 'must not be blank');
  }
  const normalised = { idType: identity.idType, idNumber: identity.number, name };
  identities.set(normalised, identity);
  return normalised;
}

/** The identity {@link normalisePerson} computed for the person it returned, so it is not folded twice. */
const identities = new WeakMap<NormalisedPerson, CanonicalIdentity>();

/** The pseudonym the ledger knows a person by: the same under every claimed ID type. */
export function subjectRefFor(key: Uint8Array, person: NormalisedPerson): string {
  return subjectRefOf(
    key,
    identities.get(person) ??
      canonicalIdentity(person.idType, person.idNumber, chinaToday(), 'person.idNumber'),
  );
}

/**
 * What a write that names a person sends to the endorsers in the transient map (key `person`): the
 * claimed type and the number, no name. Each endorser recomputes the subjectRef from it.
 */
export function personTransient(person: NormalisedPerson): string {
  return JSON.stringify({ idNumber: person.idNumber, idType: person.idType });
}
