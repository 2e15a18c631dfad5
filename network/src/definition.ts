import { readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { isCentreCode, isProvinceCode } from '../../chaincode/src/domain';
import { joinedCentresSchema, readState, StateFileError } from './state-store';

/**
 * The consortium definition: one YAML file describes the local consortium. Everything the network
 * scripts generate (crypto, channel config, ports, process layout) is derived from it, so every field
 * is validated here once, and every error names the field it is about.
 */

/** Highest port we allocate: above it lies Linux's default ephemeral range. */
export const MAX_PORT = 32767;
/** Ports reserved per node (see {@link OrgPorts} / {@link OrdererPorts}). */
export const PORTS_PER_NODE = 10;
/** Orderer nodes occupy basePort .. basePort + 10 * MAX_ORDERERS - 1; organisations start after. */
export const MAX_ORDERERS = 5;
export const ORG_PORT_OFFSET = PORTS_PER_NODE * MAX_ORDERERS + 50;

const mspIdSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9]{0,38}MSP$/, 'must look like NameMSP (letters and digits, ending in MSP)');
const nameSchema = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
const portSchema = z
  .number()
  .int()
  .min(1024, 'must be at least 1024')
  .max(MAX_PORT, `must be at most ${MAX_PORT}`);
const fabricName = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,48}$/, 'must be lower-case letters, digits, _ or -, starting with a letter');

/**
 * Where an organisation's nodes listen and are reached: an IPv4 address or a DNS name. The wildcard
 * 0.0.0.0 is refused (others must be able to dial it); IPv6 is refused because Fabric endpoints are
 * written `host:port` here.
 */
export const hostSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(253, 'must be at most 253 characters')
  .refine((host) => !isIPv6(host), 'must be an IPv4 address or a DNS name (IPv6 is not supported)')
  .refine((host) => host !== '0.0.0.0', 'must be an address others can reach, not the wildcard 0.0.0.0')
  .refine(
    (host) =>
      isIPv4(host) ||
      (!/^[\d.]+$/.test(host) &&
        host.split('.').every((label) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label))),
    'must be an IPv4 address or a DNS name (letters, digits and -, dot-separated labels)',
  );

/** A real centre (管理中心) hosted by an organisation: a code from the table of centre codes. */
const hostedCentreSchema = z.strictObject({
  code: z
    .string()
    .regex(/^\d{6}$/, 'must be a 6-digit GB/T 2260 division code')
    .refine(
      (code) => isCentreCode(code),
      'must be a known GB/T 2260 centre code (chaincode/src/domain/centre-codes.ts): province level such as 110000 or prefecture level such as 440300',
    ),
  name: nameSchema,
});

/**
 * A province-level member organisation: one MSP, peer and gateway. `code` is its province-level
 * code (the MSP ID is C<code>MSP); `centres` are the real centres it hosts, one of its own code
 * (the 省直 or municipality centre) when the list is left out.
 */
const organisationSchema = z.strictObject({
  code: z
    .string()
    .regex(/^\d{6}$/, 'must be a 6-digit GB/T 2260 division code')
    .refine((code) => isProvinceCode(code), 'must be a province-level GB/T 2260 code such as 110000'),
  mspId: mspIdSchema,
  name: nameSchema,
  centres: z.array(hostedCentreSchema).min(1, 'an organisation hosts at least one centre').optional(),
  basePort: portSchema.optional(),
  host: hostSchema.optional(),
});

const definitionSchema = z.strictObject({
  channel: fabricName,
  chaincode: z.strictObject({
    name: fabricName,
    label: z.string().regex(/^[A-Za-z0-9_.+-]{1,64}$/, 'must be 1-64 characters of letters, digits, _ . + -'),
    version: z
      .string()
      .regex(/^[A-Za-z0-9_.+-]{1,32}$/, 'must be 1-32 characters of letters, digits, _ . + -')
      .default('1.0'),
  }),
  orderers: z.strictObject({
    mspId: mspIdSchema,
    nodes: z.union([z.literal(1), z.literal(3), z.literal(5)], { error: 'must be 1, 3 or 5 Raft nodes' }),
    host: hostSchema.optional(),
  }),
  regulator: z.strictObject({
    mspId: mspIdSchema,
    name: nameSchema,
    basePort: portSchema.optional(),
    host: hostSchema.optional(),
  }),
  organisations: z.array(organisationSchema).min(2, 'a consortium needs at least 2 organisations'),
  /** The default host of every organisation that names none (loopback: the one-machine consortium). */
  host: hostSchema.default('127.0.0.1'),
  basePort: portSchema,
  dataDir: z.string().min(1, 'must not be empty'),
  gateways: z
    .strictObject({
      rateLimitPerMinute: z.number().int().min(1).max(1_000_000),
      // Optional: the gateway's own defaults apply when absent (docs/gateway.md, configuration).
      personLookupsPerMinute: z.number().int().min(1).max(10_000).optional(),
      personLookupsPerDay: z.number().int().min(1).max(1_000_000).optional(),
      sseStreamsPerKey: z.number().int().min(1).max(10_000).optional(),
      sseStreamsPerGateway: z.number().int().min(1).max(10_000).optional(),
      sseReplayBlocks: z.number().int().min(1).max(100_000_000).optional(),
    })
    .default({ rateLimitPerMinute: 6000 }),
  rules: z
    .strictObject({
      evidenceWindowMonths: z.number().int().min(1).max(120),
      multiCentreAlertThreshold: z.number().int().min(1).max(100),
      // Optional overrides of the chaincode's code table (chaincode/src/domain/codes.ts).
      recurringIntervalMonths: z
        .strictObject({
          '06': z.number().int().min(1).max(120).optional(),
          '07': z.number().int().min(1).max(120).optional(),
          '11': z.number().int().min(1).max(120).optional(),
        })
        .optional(),
      banYears: z
        .strictObject({
          WITHDRAWAL_FRAUD: z.number().int().min(1).max(20).optional(),
          LOAN_FRAUD: z.number().int().min(1).max(20).optional(),
        })
        .optional(),
    })
    .default({ evidenceWindowMonths: 12, multiCentreAlertThreshold: 2 }),
});

type RawDefinition = z.infer<typeof definitionSchema>;

/** Ports of one organisation's peer and the processes that run beside it. */
export interface OrgPorts {
  readonly peer: number;
  readonly chaincodeListen: number;
  readonly operations: number;
  readonly chaincodeServer: number;
  readonly gateway: number;
  /** The gateway's operations listener (/metrics), on the host's loopback. */
  readonly gatewayOperations: number;
}

export interface OrdererPorts {
  readonly listen: number;
  readonly admin: number;
  readonly operations: number;
}

/** A real centre an organisation hosts (GB/T 2260 code and registered name). */
export interface CentreDefinition {
  readonly code: string;
  readonly name: string;
}

export interface OrgDefinition {
  /** Short lower-case key used for directories and host names: `c110000`, `regulator`. */
  readonly key: string;
  readonly mspId: string;
  readonly name: string;
  /** The organisation's province-level code; null for the regulator. */
  readonly code: string | null;
  /** The centres it hosts, its first centre first; none for the regulator. */
  readonly centres: readonly CentreDefinition[];
  readonly domain: string;
  readonly peerHost: string;
  /**
   * Where this organisation's peer, chaincode server and gateway listen and are dialled: its `host`
   * from the definition (IPv4 address or DNS name; the definition's `host`, loopback by default).
   */
  readonly address: string;
  readonly ports: OrgPorts;
}

export interface OrdererNode {
  readonly name: string;
  /** The node's TLS host name (cryptogen's), not where it listens: see `address`. */
  readonly host: string;
  /** Where the orderer listens and is dialled: `orderers.host` (or the definition's `host`). */
  readonly address: string;
  readonly ports: OrdererPorts;
}

export interface Consortium {
  readonly channel: string;
  readonly chaincode: { readonly name: string; readonly label: string; readonly version: string };
  readonly ordererOrg: {
    readonly mspId: string;
    readonly domain: string;
    readonly nodes: readonly OrdererNode[];
  };
  readonly regulator: OrgDefinition;
  /**
   * The member organisations (`organisations:` in the file), each hosting its centres
   * (`org.centres`); the name predates organisations hosting several centres.
   */
  readonly centres: readonly OrgDefinition[];
  /** Regulator first, then the organisations in definition order. */
  readonly orgs: readonly OrgDefinition[];
  readonly host: string;
  readonly basePort: number;
  /** Absolute path. */
  readonly dataDir: string;
  readonly rules: {
    readonly evidenceWindowMonths: number;
    readonly multiCentreAlertThreshold: number;
    readonly recurringIntervalMonths?: Readonly<Record<string, number | undefined>>;
    readonly banYears?: Readonly<Record<string, number | undefined>>;
  };
  /**
   * Requests per minute each API key may make to a gateway (429 RATE_LIMITED beyond), and optional
   * overrides of the gateway's other limits (person lookups, event streams, replay window).
   */
  readonly gateways: GatewayLimits;
}

/** The gateways' limits a definition may set (the gateway's defaults apply to those it omits). */
export interface GatewayLimits {
  readonly rateLimitPerMinute: number;
  readonly personLookupsPerMinute?: number;
  readonly personLookupsPerDay?: number;
  readonly sseStreamsPerKey?: number;
  readonly sseStreamsPerGateway?: number;
  readonly sseReplayBlocks?: number;
}

/** A definition that failed validation; `issues` holds one `field: problem` line per finding. */
export class DefinitionError extends Error {
  readonly issues: readonly string[];

  constructor(source: string, issues: readonly string[]) {
    super(`invalid consortium definition ${source}:\n  - ${issues.join('\n  - ')}`);
    this.name = 'DefinitionError';
    this.issues = issues;
  }
}

function fieldPath(parts: readonly PropertyKey[]): string {
  return parts.reduce<string>(
    (acc, part) =>
      typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part),
    '',
  );
}

function zodIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${fieldPath([...issue.path, key])}: unknown key`).join('; ');
    }
    const field = fieldPath(issue.path) || '(root)';
    const missing = issue.code === 'invalid_type' && issue.message.includes('received undefined');
    return `${field}: ${missing ? 'is required' : issue.message}`;
  });
}

/** The centres an organisation entry hosts: its list, or its own code and name when it gives none. */
function hostedCentres(org: RawDefinition['organisations'][number]): CentreDefinition[] {
  return org.centres ?? [{ code: org.code, name: org.name }];
}

function centreIssues(raw: RawDefinition): string[] {
  const issues: string[] = [];
  const seen = new Map<string, string>();
  raw.organisations.forEach((org, i) => {
    hostedCentres(org).forEach((centre, j) => {
      const field =
        org.centres === undefined ? `organisations[${i}].code` : `organisations[${i}].centres[${j}].code`;
      const previous = seen.get(centre.code);
      if (previous !== undefined) {
        issues.push(`${field}: duplicate centre code ${centre.code} (also ${previous})`);
      }
      seen.set(centre.code, field);
      if (centre.code.slice(0, 2) !== org.code.slice(0, 2)) {
        issues.push(`${field}: centre ${centre.code} is not in the province of ${org.code} (${org.mspId})`);
      }
    });
  });
  return issues;
}

function duplicateIssues(raw: RawDefinition): string[] {
  const issues: string[] = [];
  const codes = new Map<string, number>();
  const msps = new Map<string, string>([
    [raw.orderers.mspId, 'orderers.mspId'],
    [raw.regulator.mspId, 'regulator.mspId'],
  ]);
  if (raw.orderers.mspId === raw.regulator.mspId) {
    issues.push(`regulator.mspId: duplicate MSP ID ${raw.regulator.mspId} (also orderers.mspId)`);
  }
  raw.organisations.forEach((org, i) => {
    const previousCode = codes.get(org.code);
    if (previousCode !== undefined) {
      issues.push(
        `organisations[${i}].code: duplicate organisation code ${org.code} (also organisations[${previousCode}].code)`,
      );
    }
    codes.set(org.code, i);
    const previousMsp = msps.get(org.mspId);
    if (previousMsp !== undefined) {
      issues.push(`organisations[${i}].mspId: duplicate MSP ID ${org.mspId} (also ${previousMsp})`);
    }
    msps.set(org.mspId, `organisations[${i}].mspId`);
    if (org.mspId !== `C${org.code}MSP`) {
      issues.push(`organisations[${i}].mspId: must be C${org.code}MSP for organisation code ${org.code}`);
    }
  });
  return [...issues, ...centreIssues(raw)];
}

interface PortBlock {
  readonly field: string;
  readonly start: number;
  readonly size: number;
}

function portBlocks(raw: RawDefinition): PortBlock[] {
  const blocks: PortBlock[] = [
    { field: 'orderers', start: raw.basePort, size: PORTS_PER_NODE * raw.orderers.nodes },
  ];
  const orgs = [
    { field: 'regulator', basePort: raw.regulator.basePort },
    ...raw.organisations.map((c, i) => ({ field: `organisations[${i}]`, basePort: c.basePort })),
  ];
  orgs.forEach((org, j) => {
    const explicit = org.basePort !== undefined;
    blocks.push({
      field: explicit ? `${org.field}.basePort` : `${org.field} (from basePort)`,
      start: org.basePort ?? raw.basePort + ORG_PORT_OFFSET + PORTS_PER_NODE * j,
      size: PORTS_PER_NODE,
    });
  });
  return blocks;
}

function portIssues(raw: RawDefinition): string[] {
  const issues: string[] = [];
  const blocks = portBlocks(raw);
  blocks.forEach((block, i) => {
    const end = block.start + block.size - 1;
    if (end > MAX_PORT) {
      issues.push(`${block.field}: ports ${block.start}-${end} go above ${MAX_PORT}`);
    }
    blocks.slice(0, i).forEach((other) => {
      const otherEnd = other.start + other.size - 1;
      if (block.start <= otherEnd && other.start <= end) {
        issues.push(
          `${block.field}: duplicate ports ${block.start}-${end} overlap ${other.field} (${other.start}-${otherEnd})`,
        );
      }
    });
  });
  return issues;
}

function orgPorts(start: number): OrgPorts {
  return {
    peer: start,
    chaincodeListen: start + 1,
    operations: start + 2,
    chaincodeServer: start + 3,
    gateway: start + 4,
    gatewayOperations: start + 5,
  };
}

function buildConsortium(raw: RawDefinition, baseDir: string): Consortium {
  const blocks = portBlocks(raw);
  const orgStart = (j: number): number =>
    blocks[j + 1]?.start ?? raw.basePort + ORG_PORT_OFFSET + PORTS_PER_NODE * j;
  const regulatorKey = 'regulator';
  const regulator: OrgDefinition = {
    key: regulatorKey,
    mspId: raw.regulator.mspId,
    name: raw.regulator.name,
    code: null,
    centres: [],
    domain: `${regulatorKey}.hpf.local`,
    peerHost: `peer0.${regulatorKey}.hpf.local`,
    address: raw.regulator.host ?? raw.host,
    ports: orgPorts(orgStart(0)),
  };
  const centres = raw.organisations.map((c, i): OrgDefinition => {
    const key = `c${c.code}`;
    return {
      key,
      mspId: c.mspId,
      name: c.name,
      code: c.code,
      centres: hostedCentres(c),
      domain: `${key}.hpf.local`,
      peerHost: `peer0.${key}.hpf.local`,
      address: c.host ?? raw.host,
      ports: orgPorts(orgStart(i + 1)),
    };
  });
  const nodes = Array.from({ length: raw.orderers.nodes }, (_, i): OrdererNode => {
    const start = raw.basePort + PORTS_PER_NODE * i;
    return {
      name: `orderer${i}`,
      host: `orderer${i}.orderer.hpf.local`,
      address: raw.orderers.host ?? raw.host,
      ports: { listen: start, admin: start + 1, operations: start + 2 },
    };
  });
  return {
    channel: raw.channel,
    chaincode: raw.chaincode,
    ordererOrg: { mspId: raw.orderers.mspId, domain: 'orderer.hpf.local', nodes },
    regulator,
    centres,
    orgs: [regulator, ...centres],
    host: raw.host,
    basePort: raw.basePort,
    dataDir: path.resolve(baseDir, raw.dataDir),
    rules: raw.rules,
    gateways: raw.gateways,
  };
}

/**
 * Validates parsed definition content. `baseDir` resolves a relative dataDir; `source` names the input in errors.
 * @throws DefinitionError listing every problem found, each naming its field.
 */
export function validateDefinition(content: unknown, baseDir: string, source = '(inline)'): Consortium {
  const parsed = definitionSchema.safeParse(content);
  if (!parsed.success) {
    throw new DefinitionError(source, zodIssues(parsed.error));
  }
  const issues = [...duplicateIssues(parsed.data), ...portIssues(parsed.data)];
  if (issues.length > 0) {
    throw new DefinitionError(source, issues);
  }
  return buildConsortium(parsed.data, baseDir);
}

/**
 * Organisations that joined a running consortium are recorded in the data dir, beside the ledger
 * they belong to, and merged into the definition on every load, so every command knows them and
 * `network:down` + `network:up` keeps them. `--purge` forgets them with the ledger.
 */
export const JOINED_CENTRES_FILE = 'joined-centres.json';

/**
 * An organisation that joined (its province-level code, MSP ID and name); it hosts one centre of its
 * own code until more are added on the ledger (`centre:add`).
 */
export interface CentreEntry {
  readonly code: string;
  readonly mspId: string;
  readonly name: string;
  /** Where the centre's nodes listen (IPv4 address or DNS name); the definition's `host` when absent. */
  readonly host?: string;
}

function joinedCentresFile(content: unknown, baseDir: string): string | null {
  const dataDir = (content as { dataDir?: unknown } | null)?.dataDir;
  return typeof dataDir === 'string' && dataDir !== ''
    ? path.join(path.resolve(baseDir, dataDir), JOINED_CENTRES_FILE)
    : null;
}

/** The centres recorded as joined in the data dir named by `content` (empty when none). */
export function readJoinedCentres(dataDir: string): CentreEntry[] {
  const file = path.join(dataDir, JOINED_CENTRES_FILE);
  try {
    return readState(file, joinedCentresSchema) ?? [];
  } catch (error) {
    if (error instanceof StateFileError)
      throw new DefinitionError(file, [`${error.field}: ${error.message}`]);
    throw error;
  }
}

/** Appends the joined organisations to raw definition content; validation then treats them like any. */
export function withCentres(content: unknown, extra: readonly CentreEntry[]): unknown {
  const organisations = (content as { organisations?: unknown } | null)?.organisations;
  if (extra.length === 0 || !Array.isArray(organisations)) return content;
  return { ...(content as object), organisations: [...(organisations as unknown[]), ...extra] };
}

/** Every centre of the consortium with its organisation, in definition order. */
export function centresOf(
  consortium: Consortium,
): { readonly code: string; readonly name: string; readonly mspId: string }[] {
  return consortium.centres.flatMap((org) => org.centres.map((c) => ({ ...c, mspId: org.mspId })));
}

/** Reads a definition file's YAML content, unvalidated. */
export function readDefinitionContent(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DefinitionError(file, [`(file): cannot be read: ${(error as Error).message}`]);
  }
  try {
    return parseYaml(text, { uniqueKeys: true }) as unknown;
  } catch (error) {
    throw new DefinitionError(file, [
      `(yaml): ${(error as Error).message.split('\n')[0] ?? 'cannot be parsed'}`,
    ]);
  }
}

/**
 * Reads and validates a definition file, with the centres that joined since (see
 * {@link JOINED_CENTRES_FILE}). A relative dataDir resolves against `baseDir` (the project root).
 */
export function loadDefinition(
  file: string,
  baseDir = process.cwd(),
  options: { includeJoined?: boolean } = {},
): Consortium {
  const content = readDefinitionContent(file);
  const joined = options.includeJoined === false ? null : joinedCentresFile(content, baseDir);
  const extra = joined === null ? [] : readJoinedCentres(path.dirname(joined));
  return validateDefinition(withCentres(content, extra), baseDir, file);
}
