import { readFileSync, readdirSync, statSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import { decodePseudonymKey, isCentreCode } from './domain';

/** A start-up configuration error; the message always begins with the variable's name. */
export class ConfigError extends Error {
  readonly variable: string;

  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

export type Role = 'operator' | 'auditor';

export interface ApiKeyEntry {
  readonly id: string;
  readonly role: Role;
  /**
   * The one centre an operator key acts for (a centre of this gateway's organisation); null for an
   * auditor key, which sees all the organisation's centres.
   */
  readonly centre: string | null;
  /** Lowercase hex SHA-256 of the key; the key itself is never stored. */
  readonly sha256: string;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Deadlines {
  readonly evaluateMs: number;
  readonly endorseMs: number;
  readonly submitMs: number;
  readonly commitStatusMs: number;
}

/** The gateway's own TLS certificate and key (PEM), read once at start-up. */
export interface HttpsPair {
  readonly certPath: string;
  readonly keyPath: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** Everything the gateway process needs, validated once at start-up. */
export interface GatewayConfig {
  readonly port: number;
  readonly host: string;
  /**
   * The TLS pair the gateway serves HTTPS with; required when `host` (or `operationsHost`) is not a
   * loopback address, optional on loopback (null: plain HTTP).
   */
  readonly https: HttpsPair | null;
  /** The operations listener (/metrics, /healthz, /readyz); null port: none. Loopback by default. */
  readonly operationsPort: number | null;
  readonly operationsHost: string;
  readonly peerEndpoint: string;
  readonly peerHostAlias: string;
  readonly tlsRootCertPath: string;
  readonly mspId: string;
  readonly certPath: string;
  /** Resolved to the one private key file, even when the variable names a keystore directory. */
  readonly keyPath: string;
  readonly channel: string;
  readonly chaincode: string;
  readonly apiKeys: readonly ApiKeyEntry[];
  readonly pseudonymKey: Buffer;
  /**
   * This gateway's first centre (operator keys that name none act for it; reads that name none are
   * about it), or null for the regulator's gateway.
   */
  readonly centreCode: string | null;
  readonly endorsingFallbackMsps: readonly string[];
  readonly regulatorMspId: string;
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  readonly rateLimitPerMinute: number;
  /** Requests without a valid key, per client address. */
  readonly unauthenticatedRateLimitPerMinute: number;
  /** Key-less certificate verifications (/v1/public/certificates/verify), per client address. */
  readonly publicVerifyRateLimitPerMinute: number;
  readonly deadlines: Deadlines;
  /** Deadline of the readiness check (meta:Version on the own peer) and how long its answer is reused. */
  readonly readinessTimeoutMs: number;
  readonly readinessCacheMs: number;
  /** On SIGTERM/SIGINT, how long requests in flight may take to finish before their connections are cut. */
  readonly drainTimeoutMs: number;
  /** How long a console session lasts after sign-in. */
  readonly consoleSessionMinutes: number;
  /** The most console sessions one API key holds at once (a new sign-in ends its oldest). */
  readonly consoleSessionsPerKey: number;
  /** A transfer still open after this many working days counts as overdue in the console. */
  readonly consoleOverdueWorkingDays: number;
  /** Person lookups (API and console together) per key: a minute and a day. */
  readonly personLookupsPerMinute: number;
  readonly personLookupsPerDay: number;
  /** Event streams open at once, per key and on the whole gateway. */
  readonly sseStreamsPerKey: number;
  readonly sseStreamsPerGateway: number;
  /** How many blocks back a Last-Event-ID may resume from (older: 410 REPLAY_WINDOW_EXCEEDED). */
  readonly sseReplayBlocks: number;
}

/** Defaults of the gateway's limits (the app uses them too when a test builds it without them). */
export const LIMIT_DEFAULTS = {
  personLookupsPerMinute: 20,
  personLookupsPerDay: 200,
  sseStreamsPerKey: 4,
  sseStreamsPerGateway: 64,
  sseReplayBlocks: 10_000,
} as const;

const PREFIX = 'HPF_GW_';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const MSP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

type Env = Readonly<Record<string, string | undefined>>;

class Reader {
  readonly #env: Env;

  constructor(env: Env) {
    this.#env = env;
  }

  optional(name: string): string | undefined {
    const value = this.#env[PREFIX + name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  required(name: string): string {
    const value = this.optional(name);
    if (value === undefined) {
      throw new ConfigError(PREFIX + name, 'is required');
    }
    return value;
  }

  /** Must be set, but may be empty. */
  defined(name: string): string {
    const value = this.#env[PREFIX + name];
    if (value === undefined) {
      throw new ConfigError(PREFIX + name, 'must be set (it may be empty)');
    }
    return value.trim();
  }

  integer(name: string, min: number, max: number, fallback?: number): number {
    const raw = fallback === undefined ? this.required(name) : this.optional(name);
    if (raw === undefined) {
      return fallback ?? min;
    }
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      throw new ConfigError(PREFIX + name, `must be an integer from ${min} to ${max}`);
    }
    return Number(raw);
  }

  file(name: string): string {
    const file = path.resolve(this.required(name));
    if (!isFile(file)) {
      throw new ConfigError(PREFIX + name, `${file} is not a readable file`);
    }
    return file;
  }

  mspId(name: string): string {
    const value = this.required(name);
    if (!MSP_ID.test(value)) {
      throw new ConfigError(PREFIX + name, 'is not a valid MSP ID');
    }
    return value;
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function resolveKeyPath(reader: Reader): string {
  const variable = `${PREFIX}KEY_PATH`;
  const given = path.resolve(reader.required('KEY_PATH'));
  if (isFile(given)) {
    return given;
  }
  if (!isDirectory(given)) {
    throw new ConfigError(variable, `${given} is neither a file nor a directory`);
  }
  const keys = readdirSync(given).filter((name) => name.endsWith('_sk'));
  if (keys.length !== 1 || keys[0] === undefined) {
    throw new ConfigError(variable, `${given} must hold exactly one *_sk file (found ${keys.length})`);
  }
  return path.join(given, keys[0]);
}

function parseApiKeyEntry(entry: unknown, index: number, home: string | null): ApiKeyEntry {
  const variable = `${PREFIX}API_KEYS_FILE`;
  if (entry === null || typeof entry !== 'object') {
    throw new ConfigError(variable, `entry ${index} must be an object`);
  }
  const { id, role, sha256, centre } = entry as Record<string, unknown>;
  if (typeof id !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(id)) {
    throw new ConfigError(variable, `entry ${index}: id must be 1-64 characters [A-Za-z0-9._-]`);
  }
  if (role !== 'operator' && role !== 'auditor') {
    throw new ConfigError(variable, `entry ${index}: role must be "operator" or "auditor"`);
  }
  if (typeof sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha256)) {
    throw new ConfigError(variable, `entry ${index}: sha256 must be 64 hex characters`);
  }
  return { id, role, sha256: sha256.toLowerCase(), centre: keyCentre(centre, role, index, home) };
}

/**
 * An operator key acts for one centre: the one it names, of this gateway's province, or the gateway's
 * first centre. An auditor key names none: it sees every centre of the organisation.
 */
function keyCentre(centre: unknown, role: Role, index: number, home: string | null): string | null {
  const variable = `${PREFIX}API_KEYS_FILE`;
  if (role === 'auditor') {
    if (centre !== undefined) {
      throw new ConfigError(
        variable,
        `entry ${index}: centre: an auditor key sees all the organisation's centres`,
      );
    }
    return null;
  }
  if (centre === undefined) {
    return home;
  }
  if (typeof centre !== 'string' || !isCentreCode(centre)) {
    throw new ConfigError(variable, `entry ${index}: centre must be a known GB/T 2260 centre code`);
  }
  if (home !== null && centre.slice(0, 2) !== home.slice(0, 2)) {
    throw new ConfigError(
      variable,
      `entry ${index}: centre ${centre} is not in this organisation's province`,
    );
  }
  return centre;
}

function readApiKeys(reader: Reader, centreCode: string | null): ApiKeyEntry[] {
  const variable = `${PREFIX}API_KEYS_FILE`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(reader.file('API_KEYS_FILE'), 'utf8'));
  } catch (err) {
    if (err instanceof ConfigError) {
      throw err;
    }
    throw new ConfigError(variable, 'is not valid JSON');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new ConfigError(variable, 'must be a non-empty JSON array of {id, role, sha256}');
  }
  const entries = parsed.map((entry, index) => parseApiKeyEntry(entry, index, centreCode));
  const ids = new Set(entries.map((e) => e.id));
  const hashes = new Set(entries.map((e) => e.sha256));
  if (ids.size !== entries.length || hashes.size !== entries.length) {
    throw new ConfigError(variable, 'ids and key hashes must be unique');
  }
  if (centreCode === null && entries.some((e) => e.role === 'operator')) {
    throw new ConfigError(variable, 'the regulator gateway (empty HPF_GW_CENTRE_CODE) has auditor keys only');
  }
  return entries;
}

/**
 * Accepts 64 hex characters, base64/base64url text, or raw bytes; at least 32 bytes of key. The
 * decoding is the chaincode's (`decodePseudonymKey`), so gateways and chaincode servers given the
 * same file hold the same key.
 */
function readPseudonymKey(reader: Reader): Buffer {
  const key = decodePseudonymKey(readFileSync(reader.file('PSEUDONYM_KEY_FILE')));
  if (key === undefined) {
    throw new ConfigError(`${PREFIX}PSEUDONYM_KEY_FILE`, 'must hold a key of at least 32 bytes');
  }
  return key;
}

function readCentreCode(reader: Reader): string | null {
  const value = reader.defined('CENTRE_CODE');
  if (value === '') {
    return null;
  }
  if (!isCentreCode(value)) {
    throw new ConfigError(`${PREFIX}CENTRE_CODE`, 'must be a known GB/T 2260 centre code, or empty');
  }
  return value;
}

function readPeerEndpoint(reader: Reader): string {
  const value = reader.required('PEER_ENDPOINT');
  if (!/^[A-Za-z0-9.-]+:\d{1,5}$/.test(value)) {
    throw new ConfigError(`${PREFIX}PEER_ENDPOINT`, 'must be host:port');
  }
  return value;
}

function readFallbackMsps(reader: Reader): string[] {
  const raw = reader.optional('ENDORSING_FALLBACK_MSPS');
  const msps = raw === undefined ? [] : raw.split(',').map((s) => s.trim());
  const bad = msps.find((m) => !MSP_ID.test(m));
  if (bad !== undefined) {
    throw new ConfigError(`${PREFIX}ENDORSING_FALLBACK_MSPS`, `"${bad}" is not a valid MSP ID`);
  }
  return msps;
}

function readLogLevel(reader: Reader): LogLevel {
  const value = reader.optional('LOG_LEVEL') ?? 'info';
  const level = LOG_LEVELS.find((l) => l === value);
  if (level === undefined) {
    throw new ConfigError(`${PREFIX}LOG_LEVEL`, `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return level;
}

/** 127.0.0.0/8, ::1 or localhost: only this machine can connect. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIPv4(host) && host.startsWith('127.'));
}

/**
 * HTTPS_CERT and HTTPS_KEY: both or neither; required when the gateway binds an address other
 * machines can reach, so that keys, cookies and ID numbers never cross the network in clear.
 */
function readHttpsPair(reader: Reader, host: string, operationsHost: string): HttpsPair | null {
  const certGiven = reader.optional('HTTPS_CERT') !== undefined;
  const keyGiven = reader.optional('HTTPS_KEY') !== undefined;
  const exposed = [host, operationsHost].find((h) => !isLoopback(h));
  if (!certGiven && !keyGiven) {
    if (exposed === undefined) return null;
    throw new ConfigError(
      `${PREFIX}HTTPS_CERT`,
      `is required: the gateway binds ${exposed}, which is not a loopback address, so it serves HTTPS there; set HPF_GW_HTTPS_CERT and HPF_GW_HTTPS_KEY to its TLS certificate and key`,
    );
  }
  if (!certGiven || !keyGiven) {
    throw new ConfigError(
      `${PREFIX}${certGiven ? 'HTTPS_KEY' : 'HTTPS_CERT'}`,
      'is required with the other of HPF_GW_HTTPS_CERT / HPF_GW_HTTPS_KEY',
    );
  }
  const certPath = reader.file('HTTPS_CERT');
  const keyPath = reader.file('HTTPS_KEY');
  const cert = readFileSync(certPath);
  const key = readFileSync(keyPath);
  try {
    createSecureContext({ cert, key });
  } catch {
    throw new ConfigError(
      `${PREFIX}HTTPS_KEY`,
      `${keyPath} and ${certPath} are not a matching PEM key and certificate`,
    );
  }
  return { certPath, keyPath, cert, key };
}

function readDataDir(reader: Reader): string {
  const dir = path.resolve(reader.required('DATA_DIR'));
  if (!isDirectory(dir)) {
    throw new ConfigError(`${PREFIX}DATA_DIR`, `${dir} is not a directory`);
  }
  return dir;
}

function readDeadlines(reader: Reader): Deadlines {
  return {
    evaluateMs: reader.integer('EVALUATE_TIMEOUT_MS', 100, 300_000, 5_000),
    endorseMs: reader.integer('ENDORSE_TIMEOUT_MS', 100, 300_000, 15_000),
    submitMs: reader.integer('SUBMIT_TIMEOUT_MS', 100, 300_000, 5_000),
    commitStatusMs: reader.integer('COMMIT_TIMEOUT_MS', 100, 600_000, 60_000),
  };
}

function checkRoles(mspId: string, regulatorMspId: string, centreCode: string | null): void {
  if (centreCode === null && mspId !== regulatorMspId) {
    throw new ConfigError(
      `${PREFIX}CENTRE_CODE`,
      `is empty, so HPF_GW_MSP_ID must be the regulator's (${regulatorMspId})`,
    );
  }
  if (centreCode !== null && mspId === regulatorMspId) {
    throw new ConfigError(`${PREFIX}CENTRE_CODE`, 'must be empty for the regulator gateway');
  }
}

/**
 * Parses and validates the HPF_GW_* environment once, at start-up. Throws {@link ConfigError} naming
 * the variable at fault; nothing else in the gateway reads `process.env`.
 */
export function loadConfig(env: Env): GatewayConfig {
  const reader = new Reader(env);
  const centreCode = readCentreCode(reader);
  const mspId = reader.mspId('MSP_ID');
  const regulatorMspId = reader.mspId('REGULATOR_MSP_ID');
  checkRoles(mspId, regulatorMspId, centreCode);
  const port = reader.integer('PORT', 1, 65_535);
  const host = reader.optional('HOST') ?? '127.0.0.1';
  const operationsHost = reader.optional('OPERATIONS_HOST') ?? '127.0.0.1';
  const operationsPort =
    reader.optional('OPERATIONS_PORT') === undefined ? null : reader.integer('OPERATIONS_PORT', 1, 65_535);
  if (operationsPort === port) {
    throw new ConfigError(`${PREFIX}OPERATIONS_PORT`, 'must differ from HPF_GW_PORT');
  }
  return {
    port,
    host,
    https: readHttpsPair(reader, host, operationsPort === null ? host : operationsHost),
    operationsPort,
    operationsHost,
    peerEndpoint: readPeerEndpoint(reader),
    peerHostAlias: reader.required('PEER_HOST_ALIAS'),
    tlsRootCertPath: reader.file('TLS_ROOT_CERT'),
    mspId,
    certPath: reader.file('CERT_PATH'),
    keyPath: resolveKeyPath(reader),
    channel: reader.required('CHANNEL'),
    chaincode: reader.required('CHAINCODE'),
    apiKeys: readApiKeys(reader, centreCode),
    pseudonymKey: readPseudonymKey(reader),
    centreCode,
    endorsingFallbackMsps: readFallbackMsps(reader),
    regulatorMspId,
    dataDir: readDataDir(reader),
    logLevel: readLogLevel(reader),
    rateLimitPerMinute: reader.integer('RATE_LIMIT_PER_MINUTE', 1, 1_000_000, 600),
    unauthenticatedRateLimitPerMinute: reader.integer(
      'UNAUTHENTICATED_RATE_LIMIT_PER_MINUTE',
      1,
      1_000_000,
      120,
    ),
    publicVerifyRateLimitPerMinute: reader.integer('PUBLIC_VERIFY_RATE_LIMIT_PER_MINUTE', 1, 1_000_000, 30),
    deadlines: readDeadlines(reader),
    readinessTimeoutMs: reader.integer('READINESS_TIMEOUT_MS', 100, 60_000, 2_000),
    readinessCacheMs: reader.integer('READINESS_CACHE_MS', 0, 60_000, 2_000),
    drainTimeoutMs: reader.integer('DRAIN_TIMEOUT_MS', 0, 120_000, 8_000),
    consoleSessionMinutes: reader.integer('CONSOLE_SESSION_MINUTES', 1, 1_440, 30),
    consoleSessionsPerKey: reader.integer('CONSOLE_SESSIONS_PER_KEY', 1, 100, 5),
    consoleOverdueWorkingDays: reader.integer('CONSOLE_OVERDUE_WORKING_DAYS', 1, 365, 10),
    ...readLimits(reader),
  };
}

/** The limits on person lookups and event streams; a smaller window's limit may not exceed a larger one's. */
function readLimits(
  reader: Reader,
): Pick<
  GatewayConfig,
  | 'personLookupsPerMinute'
  | 'personLookupsPerDay'
  | 'sseStreamsPerKey'
  | 'sseStreamsPerGateway'
  | 'sseReplayBlocks'
> {
  const d = LIMIT_DEFAULTS;
  const personLookupsPerMinute = reader.integer(
    'PERSON_LOOKUPS_PER_MINUTE',
    1,
    10_000,
    d.personLookupsPerMinute,
  );
  const personLookupsPerDay = reader.integer('PERSON_LOOKUPS_PER_DAY', 1, 1_000_000, d.personLookupsPerDay);
  if (personLookupsPerMinute > personLookupsPerDay) {
    throw new ConfigError(
      `${PREFIX}PERSON_LOOKUPS_PER_MINUTE`,
      `must not exceed HPF_GW_PERSON_LOOKUPS_PER_DAY (${personLookupsPerDay})`,
    );
  }
  const sseStreamsPerKey = reader.integer('SSE_STREAMS_PER_KEY', 1, 10_000, d.sseStreamsPerKey);
  const sseStreamsPerGateway = reader.integer('SSE_STREAMS_PER_GATEWAY', 1, 10_000, d.sseStreamsPerGateway);
  if (sseStreamsPerKey > sseStreamsPerGateway) {
    throw new ConfigError(
      `${PREFIX}SSE_STREAMS_PER_KEY`,
      `must not exceed HPF_GW_SSE_STREAMS_PER_GATEWAY (${sseStreamsPerGateway})`,
    );
  }
  return {
    personLookupsPerMinute,
    personLookupsPerDay,
    sseStreamsPerKey,
    sseStreamsPerGateway,
    sseReplayBlocks: reader.integer('SSE_REPLAY_BLOCKS', 1, 100_000_000, d.sseReplayBlocks),
  };
}
