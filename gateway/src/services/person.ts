import { normaliseIdNumber, subjectRefOf } from '../domain';
import { invalidField } from '../errors';

export interface PersonInput {
  readonly idType: string;
  readonly idNumber: string;
  readonly name: string;
}

export interface NormalisedPerson {
  readonly idType: string;
  readonly idNumber: string;
  readonly name: string;
}

/**
 * Normalises a person as the chaincode expects it: resident IDs in their 18-character form (check
 * character verified), other ID numbers upper-cased without whitespace, names trimmed.
 */
export function normalisePerson(person: PersonInput, path: string): NormalisedPerson {
  const idNumber = normaliseIdNumber(person.idType, person.idNumber, `${path}.idNumber`);
  const name = person.name.trim();
  if (name === '') {
    throw invalidField(`${path}.name`, 'must not be blank');
  }
  return { idType: person.idType, idNumber, name };
}

/** The pseudonym the ledger knows a person by. */
export function subjectRefFor(key: Uint8Array, person: NormalisedPerson): string {
  return subjectRefOf(key, person.idType, person.idNumber);
}
