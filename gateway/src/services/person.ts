import { RESIDENT_ID_TYPE, normaliseResidentId, subjectRefOf } from '../domain';
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

const OTHER_ID_NUMBER = /^[A-Z0-9-]{1,32}$/;

/**
 * Normalises a person as the chaincode expects it: resident IDs in their 18-character form (check
 * character verified), other ID numbers upper-cased without whitespace, names trimmed.
 */
export function normalisePerson(person: PersonInput, path: string): NormalisedPerson {
  let idNumber: string;
  if (person.idType === RESIDENT_ID_TYPE) {
    const result = normaliseResidentId(person.idNumber);
    if (!result.ok) {
      throw invalidField(`${path}.idNumber`, result.problem);
    }
    idNumber = result.value;
  } else {
    idNumber = person.idNumber.replace(/\s+/g, '').toUpperCase();
    if (!OTHER_ID_NUMBER.test(idNumber)) {
      throw invalidField(`${path}.idNumber`, 'must be 1-32 characters [A-Z0-9-]');
    }
  }
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
