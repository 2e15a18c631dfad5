import type { Context } from 'fabric-contract-api';

import { decodeJson } from '../codec';
import { BAN_GROUNDS, DEFAULT_RECURRING_INTERVAL_MONTHS, type BanGround } from '../domain/codes';
import { hpfError, invalid } from '../domain/errors';
import { readArray, readObject, readOptionalInteger, readString } from '../domain/json-fields';
import { validateCentreCode, validateMspId, validateText } from '../domain/validators';
import { readJson, REGISTRY_KEY } from '../ledger';

/** A centre (管理中心) and the organisation (MSP) that hosts it; an organisation hosts one or more. */
export type CentreEntry = { readonly code: string; readonly mspId: string; readonly name: string };
export type RegulatorEntry = { readonly mspId: string; readonly name: string };
export type Rules = {
  readonly evidenceWindowMonths: number;
  readonly multiCentreAlertThreshold: number;
  /**
   * Minimum months between two withdrawals for one recurring reason by one person at one centre;
   * only the reasons the registry sets (the others keep the table's default: {@link intervalMonthsOf}).
   */
  readonly recurringIntervalMonths?: Readonly<Record<string, number>>;
  /** Years a national fraud ban lasts from its decision date, per ground the registry sets (Art. 41). */
  readonly banYears?: Readonly<Partial<Record<BanGround, number>>>;
};

/** The minimum interval in months of a recurring reason (registry rules, else the table), or undefined. */
export function intervalMonthsOf(rules: Rules, reasonCode: string): number | undefined {
  return rules.recurringIntervalMonths?.[reasonCode] ?? DEFAULT_RECURRING_INTERVAL_MONTHS[reasonCode];
}

/** The years of a ban on this ground (registry rules, else the table: 3 and 5). */
export function banYearsOf(rules: Rules, ground: BanGround): number {
  return rules.banYears?.[ground] ?? BAN_GROUNDS[ground].years;
}
export type Registry = {
  readonly regulator: RegulatorEntry;
  readonly centres: readonly CentreEntry[];
  readonly rules: Rules;
};

/** The defaults; the recurring intervals and ban durations default to the code table's (codes.ts). */
export const DEFAULT_RULES: Rules = { evidenceWindowMonths: 12, multiCentreAlertThreshold: 2 };
/** Centres in the registry key itself (Init and organisations joining); ~370 in the national table. */
const MAX_CENTRES = 1000;

/**
 * Composite key type of centres added to an existing organisation after Init ([code]): a key of their
 * own, so that adding one needs that organisation and one independent endorser (the chaincode's
 * policy, any 2 organisations) rather than the registry key's majority.
 */
export const ADDED_CENTRE_KEY_TYPE = 'registry-centre';

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
  const object = readObject(value, 'rules', [
    'evidenceWindowMonths',
    'multiCentreAlertThreshold',
    'recurringIntervalMonths',
    'banYears',
  ]);
  return {
    evidenceWindowMonths:
      readOptionalInteger(object, 'evidenceWindowMonths', 1, 120, 'rules') ??
      DEFAULT_RULES.evidenceWindowMonths,
    multiCentreAlertThreshold:
      readOptionalInteger(object, 'multiCentreAlertThreshold', 1, 100, 'rules') ??
      DEFAULT_RULES.multiCentreAlertThreshold,
    recurringIntervalMonths: intervalsFromJson(object.recurringIntervalMonths),
    banYears: banYearsFromJson(object.banYears),
  };
}

/** `{"07": 1, …}`: only recurring reasons, 1–120 months; absent when the registry sets none. */
function intervalsFromJson(value: unknown): Rules['recurringIntervalMonths'] {
  if (value === undefined) {
    return undefined;
  }
  const recurring = Object.keys(DEFAULT_RECURRING_INTERVAL_MONTHS);
  const object = readObject(value, 'rules.recurringIntervalMonths', recurring);
  return Object.fromEntries(
    recurring.flatMap((code) => {
      const months = readOptionalInteger(object, code, 1, 120, 'rules.recurringIntervalMonths');
      return months === undefined ? [] : [[code, months]];
    }),
  );
}

/** `{"WITHDRAWAL_FRAUD": 3, "LOAN_FRAUD": 5}`: 1–20 years; absent when the registry sets none. */
function banYearsFromJson(value: unknown): Rules['banYears'] {
  if (value === undefined) {
    return undefined;
  }
  const grounds = Object.keys(BAN_GROUNDS);
  const object = readObject(value, 'rules.banYears', grounds);
  return Object.fromEntries(
    grounds.flatMap((ground) => {
      const years = readOptionalInteger(object, ground, 1, 20, 'rules.banYears');
      return years === undefined ? [] : [[ground, years]];
    }),
  );
}

/**
 * Refuses duplicate centre codes and a centre hosted by the regulator. An organisation (MSP ID) may
 * host several centres.
 */
export function checkRegistryUnique(registry: Registry): void {
  const codes = new Set(registry.centres.map((centre) => centre.code));
  if (codes.size !== registry.centres.length) {
    throw invalid('centres', 'centre codes must be unique');
  }
  if (registry.centres.some((centre) => centre.mspId === registry.regulator.mspId)) {
    throw invalid('centres', "the regulator's MSP ID hosts no centre");
  }
  for (const centre of registry.centres) {
    checkSameProvince(registry.centres, centre, 'centres');
  }
}

/**
 * A province-level organisation hosts the centres of its province only: every centre of one MSP ID
 * shares the first two digits of its code (440000, 440100, 440300).
 */
export function checkSameProvince(centres: readonly CentreEntry[], centre: CentreEntry, field: string): void {
  const other = centres.find(
    (c) => c.mspId === centre.mspId && c.code.slice(0, 2) !== centre.code.slice(0, 2),
  );
  if (other !== undefined) {
    throw invalid(
      field,
      `centre ${centre.code} is not in the province of ${centre.mspId}'s centre ${other.code}`,
    );
  }
}

/** The member organisations' MSP IDs (the regulator's excluded), sorted, each once. */
export function organisationsOf(registry: Registry): string[] {
  return [...new Set(registry.centres.map((centre) => centre.mspId))].sort();
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

export function addedCentreKey(ctx: Context, code: string): string {
  return ctx.stub.createCompositeKey(ADDED_CENTRE_KEY_TYPE, [code]);
}

/** A centre by code: in the registry key, else added to its organisation later (one point read). */
export async function findCentre(
  ctx: Context,
  registry: Registry,
  code: string,
): Promise<CentreEntry | undefined> {
  const listed = registry.centres.find((centre) => centre.code === code);
  if (listed !== undefined) {
    return listed;
  }
  const stored = await readJson(ctx, addedCentreKey(ctx, code), 'centre');
  return stored === undefined ? undefined : centreFromJson(stored, 'centre');
}

/** The centres added to existing organisations since Init (a range read; listings only). */
export async function addedCentres(ctx: Context): Promise<CentreEntry[]> {
  const centres: CentreEntry[] = [];
  const iterator = await ctx.stub.getStateByPartialCompositeKey(ADDED_CENTRE_KEY_TYPE, []);
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      centres.push(centreFromJson(decodeJson(next.value.value, 'centre'), 'centre'));
    }
  } finally {
    await iterator.close();
  }
  return centres;
}

export function isOrganisation(registry: Registry, mspId: string): boolean {
  return registry.centres.some((centre) => centre.mspId === mspId);
}

/**
 * The caller's organisation, which must be a member hosting centres. The regulator and unknown
 * orgs are refused with FORBIDDEN: only organisations write business records, for their centres.
 */
export function requireCallerOrganisation(ctx: Context, registry: Registry): string {
  const mspId = ctx.clientIdentity.getMSPID();
  if (isOrganisation(registry, mspId)) {
    return mspId;
  }
  if (mspId === registry.regulator.mspId) {
    throw hpfError('FORBIDDEN', 'the regulator reads and co-endorses but writes no business records');
  }
  throw hpfError('FORBIDDEN', 'caller MSP is not a member organisation');
}

/**
 * The centre a record names, which must be registered to the caller's organisation: endorsers
 * refuse (FORBIDDEN, naming the field) a record in the name of an unknown centre or of a centre that
 * another organisation hosts.
 */
export async function requireCallerCentre(
  ctx: Context,
  registry: Registry,
  code: string,
  field: string,
): Promise<CentreEntry> {
  const mspId = requireCallerOrganisation(ctx, registry);
  const centre = await findCentre(ctx, registry, code);
  if (centre === undefined) {
    throw hpfError('FORBIDDEN', `${field}: centre ${code} is not registered`);
  }
  if (centre.mspId !== mspId) {
    throw hpfError('FORBIDDEN', `${field}: centre ${code} is not registered to ${mspId}`);
  }
  return centre;
}
