import { readObject, readOptionalString, readString } from '../domain/json-fields';
import { normaliseUscc } from '../domain/uscc';
import { normaliseIdNumber } from '../domain/identity';
import { validateIdType, validateReference, validateText } from '../domain/validators';
import { invalid } from '../domain/errors';

/**
 * Personal details of a transfer. They arrive only in the transient map (key `person`) and are
 * written only to the source's and the destination's implicit private collections.
 */
export type PersonDetails = {
  readonly idType: string;
  readonly idNumber: string;
  readonly name: string;
  readonly formerEmployer?: { readonly code: string; readonly name: string };
  readonly formerAccount?: string;
  readonly receivingAccount?: string;
  readonly salt: string;
};

const PERSON_KEYS = [
  'idType',
  'idNumber',
  'name',
  'formerEmployer',
  'formerAccount',
  'receivingAccount',
  'salt',
];

function employerFromJson(value: unknown): PersonDetails['formerEmployer'] {
  if (value === undefined) {
    return undefined;
  }
  const object = readObject(value, 'person.formerEmployer', ['code', 'name']);
  return {
    code: normaliseUscc(readString(object, 'code', 'person.formerEmployer'), 'person.formerEmployer.code'),
    name: validateText(
      readString(object, 'name', 'person.formerEmployer'),
      'person.formerEmployer.name',
      100,
    ),
  };
}

function optionalAccount(value: string | undefined, field: string): string | undefined {
  return value === undefined ? undefined : validateReference(value, field, 40);
}

/** Validates and normalises the transient `person` JSON (ID number normalised, USCC checked). */
export function personFromJson(value: unknown): PersonDetails {
  const object = readObject(value, 'person', PERSON_KEYS);
  const idType = validateIdType(readString(object, 'idType', 'person'), 'person.idType');
  const salt = readString(object, 'salt', 'person');
  if (!/^[A-Za-z0-9_-]{22,88}$/.test(salt)) {
    throw invalid('person.salt', 'must be at least 16 random bytes in base64url (22-88 characters)');
  }
  return {
    idType,
    idNumber: normaliseIdNumber(idType, readString(object, 'idNumber', 'person'), 'person.idNumber'),
    name: validateText(readString(object, 'name', 'person'), 'person.name', 64),
    formerEmployer: employerFromJson(object.formerEmployer),
    formerAccount: optionalAccount(
      readOptionalString(object, 'formerAccount', 'person'),
      'person.formerAccount',
    ),
    receivingAccount: optionalAccount(
      readOptionalString(object, 'receivingAccount', 'person'),
      'person.receivingAccount',
    ),
    salt,
  };
}
