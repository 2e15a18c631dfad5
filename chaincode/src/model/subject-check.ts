import type { Context } from 'fabric-contract-api';

import { decodeJson } from '../codec';
import { chaincodeConfig, chaincodeHashKeys } from '../config';
import { chinaDateOf } from '../domain/dates';
import { hpfError, invalid } from '../domain/errors';
import { evidenceHashOf, validateEvidenceReference } from '../domain/evidence';
import { canonicalIdentity, subjectRefOf } from '../domain/identity';
import { readArray, readObject, readString } from '../domain/json-fields';
import { txTime } from '../ledger';
import type { Evidence } from './withdrawal';

/**
 * Endorser-side verification of the pseudonyms a gateway computed. A write that names a person
 * carries the person (transient key `person`) and, for withdrawals, the evidence references
 * (transient key `evidence`); the transient map reaches every endorser but never the block. Each
 * endorser recomputes the subjectRef and the evidence hashes with the key from its own chaincode
 * server's environment and refuses a mismatch with FORBIDDEN, so a misbehaving centre cannot mint a
 * fresh pseudonym per request: its own peer may sign, the independent endorser will not.
 */

const MAX_EVIDENCE = 20;

function transientValue(ctx: Context, key: string): unknown {
  const bytes = ctx.stub.getTransient().get(key);
  if (bytes === undefined || bytes.length === 0) {
    throw invalid(key, 'required in the transient map');
  }
  return decodeJson(bytes, key);
}

/**
 * Recomputes the subjectRef of the transient person (its birth date checked against the
 * transaction date in China) and compares it with the one in the arguments.
 */
function checkPerson(ctx: Context, subjectRef: string, allowedKeys?: readonly string[]): void {
  const person = readObject(transientValue(ctx, 'person'), 'person', allowedKeys);
  const identity = canonicalIdentity(
    readString(person, 'idType', 'person'),
    readString(person, 'idNumber', 'person'),
    chinaDateOf(txTime(ctx)),
    'person.idNumber',
  );
  if (subjectRefOf(chaincodeConfig().pseudonymKey, identity) !== subjectRef) {
    throw hpfError('FORBIDDEN', 'subjectRef does not match the person in the transient map');
  }
}

/**
 * The (kind, keyed hash) of each transient evidence reference. A reference holding an ID number is
 * refused (VALIDATION_FAILED naming it) before anything is hashed.
 */
function transientEvidence(ctx: Context): string[] {
  const list = readArray({ evidence: transientValue(ctx, 'evidence') }, 'evidence', MAX_EVIDENCE);
  const keys = chaincodeHashKeys();
  return list.map((item, index) => {
    const path = `evidence[${index}]`;
    const object = readObject(item, path, ['kind', 'reference']);
    const reference = validateEvidenceReference(readString(object, 'reference', path), `${path}.reference`);
    return `${readString(object, 'kind', path)}:${evidenceHashOf(keys, reference)}`;
  });
}

/** Every (kind, hash) of the arguments must come from a reference in the transient map, one for one. */
function checkEvidence(ctx: Context, evidence: readonly Evidence[]): void {
  const recomputed = transientEvidence(ctx);
  for (const item of evidence) {
    const at = recomputed.indexOf(`${item.kind}:${item.hash}`);
    if (at < 0) {
      throw hpfError(
        'FORBIDDEN',
        `evidence hash ${item.hash} does not match any ${item.kind} reference in the transient map`,
      );
    }
    recomputed.splice(at, 1);
  }
  if (recomputed.length > 0) {
    throw hpfError('FORBIDDEN', 'evidence hash: the transient map has references that match no hash');
  }
}

/** withdrawal:Record and Precheck: transient `person` {idType, idNumber} and `evidence` [{kind, reference}]. */
export function checkWithdrawalSubject(
  ctx: Context,
  input: { readonly subjectRef: string; readonly evidence: readonly Evidence[] },
): void {
  checkPerson(ctx, input.subjectRef, ['idType', 'idNumber']);
  checkEvidence(ctx, input.evidence);
}

/** transfer:Request: the transient `person` (full personal details) must be the subjectRef's person. */
export function checkTransferSubject(ctx: Context, subjectRef: string): void {
  checkPerson(ctx, subjectRef);
}

/** certificate:Request: the transient `person` {idType, idNumber, name} must be the subjectRef's person. */
export function checkCertificateRequestSubject(ctx: Context, subjectRef: string): void {
  checkPerson(ctx, subjectRef, ['idType', 'idNumber', 'name']);
}

/**
 * certificate:Issue: the person inside the content (from the transient map) must be the subjectRef's
 * person, checked with the same key as every other write, so an issuer cannot file content about one
 * person under another's pseudonym.
 */
export function checkCertificateSubject(
  ctx: Context,
  subjectRef: string,
  person: { readonly idType: string; readonly idNumber: string },
): void {
  const identity = canonicalIdentity(
    person.idType,
    person.idNumber,
    chinaDateOf(txTime(ctx)),
    'content.person.idNumber',
  );
  if (subjectRefOf(chaincodeConfig().pseudonymKey, identity) !== subjectRef) {
    throw hpfError('FORBIDDEN', 'subjectRef does not match the person in the certificate content');
  }
}
