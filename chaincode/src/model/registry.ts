import type { Context } from 'fabric-contract-api';

import { hpfError, invalid } from '../domain/errors';
import { readArray, readObject, readOptionalInteger, readString } from '../domain/json-fields';
import { validateCentreCode, validateMspId, validateText } from '../domain/validators';
import { readJson, REGISTRY_KEY } from '../ledger';

export type CentreEntry = { readonly code: string; readonly mspId: string; readonly name: string };
export type RegulatorEntry = { readonly mspId: string; readonly name: string };
export type Rules = { readonly evidenceWindowMonths: number; readonly multiCentreAlertThreshold: number };
export type Registry = {
  readonly regulator: RegulatorEntry;
  readonly centres: readonly CentreEntry[];
  readonly rules: Rules;
};

export const DEFAULT_RULES: Rules = { evidenceWindowMonths: 12, multiCentreAlertThreshold: 2 };
const MAX_CENTRES = 64;

export function centreFromJson(value: unknown, path: string): CentreEntry {
  const object = readObject(value, path, ['code', 'mspId', 'name']);
  return {
    code: validateCentreCode(readString(object, 'code', path), `${path}.code`),
    mspId: validateMspId(readString(object, 'mspId', path), `${path}.mspId`),
    name: validateText(readString(object, 'name', path), `${path}.name`, 100),
  };
}

function regulatorFromJson(value: unknown): RegulatorEntry {
  const object = readObject(value, 'regulator', ['mspId', 'name']);
  return {
    mspId: validateMspId(readString(object, 'mspId', 'regulator'), 'regulator.mspId'),
    name: validateText(readString(object, 'name', 'regulator'), 'regulator.name', 100),
  };
}

function rulesFromJson(value: unknown): Rules {
  if (value === undefined) {
    return DEFAULT_RULES;
  }
  const object = readObject(value, 'rules', ['evidenceWindowMonths', 'multiCentreAlertThreshold']);
  return {
    evidenceWindowMonths:
      readOptionalInteger(object, 'evidenceWindowMonths', 1, 120, 'rules') ??
      DEFAULT_RULES.evidenceWindowMonths,
    multiCentreAlertThreshold:
      readOptionalInteger(object, 'multiCentreAlertThreshold', 1, 100, 'rules') ??
      DEFAULT_RULES.multiCentreAlertThreshold,
  };
}

/** Refuses duplicate codes and MSP IDs (the regulator's MSP ID included). */
export function checkRegistryUnique(registry: Registry): void {
  const codes = new Set(registry.centres.map((centre) => centre.code));
  if (codes.size !== registry.centres.length) {
    throw invalid('centres', 'centre codes must be unique');
  }
  const mspIds = new Set([registry.regulator.mspId, ...registry.centres.map((centre) => centre.mspId)]);
  if (mspIds.size !== registry.centres.length + 1) {
    throw invalid('centres', 'MSP IDs must be unique, the regulator included');
  }
}

export function sortCentres(centres: readonly CentreEntry[]): CentreEntry[] {
  return [...centres].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** Builds a registry (Init argument or stored state) from parsed JSON; centres come out sorted by code. */
export function registryFromJson(value: unknown): Registry {
  const object = readObject(value, 'registry', ['regulator', 'centres', 'rules']);
  const centres = readArray(object, 'centres', MAX_CENTRES).map((item, index) =>
    centreFromJson(item, `centres[${index}]`),
  );
  if (centres.length === 0) {
    throw invalid('centres', 'must list at least one centre');
  }
  const registry: Registry = {
    regulator: regulatorFromJson(object.regulator),
    centres: sortCentres(centres),
    rules: rulesFromJson(object.rules),
  };
  checkRegistryUnique(registry);
  return registry;
}

/** Reads the registry; NOT_FOUND before `registry:Init`. */
export async function loadRegistry(ctx: Context): Promise<Registry> {
  const stored = await readJson(ctx, REGISTRY_KEY, 'registry');
  if (stored === undefined) {
    throw hpfError('NOT_FOUND', 'registry: not initialised; call registry:Init first');
  }
  return registryFromJson(stored);
}

export function findCentreByCode(registry: Registry, code: string): CentreEntry | undefined {
  return registry.centres.find((centre) => centre.code === code);
}

export function findCentreByMsp(registry: Registry, mspId: string): CentreEntry | undefined {
  return registry.centres.find((centre) => centre.mspId === mspId);
}

/**
 * The centre the caller's MSP belongs to. The regulator and unknown orgs are refused with
 * FORBIDDEN: only centres write business records.
 */
export function requireCallerCentre(ctx: Context, registry: Registry): CentreEntry {
  const mspId = ctx.clientIdentity.getMSPID();
  const centre = findCentreByMsp(registry, mspId);
  if (centre !== undefined) {
    return centre;
  }
  if (mspId === registry.regulator.mspId) {
    throw hpfError('FORBIDDEN', 'the regulator reads and co-endorses but writes no business records');
  }
  throw hpfError('FORBIDDEN', 'caller MSP is not a registered centre');
}
