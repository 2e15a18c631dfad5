import { readFileSync } from 'node:fs';

import { hashKeysOf, type HashKeys } from './domain/keyed-hash';
import { decodePseudonymKey, MIN_PSEUDONYM_KEY_BYTES } from './domain/pseudonym-key';

/**
 * The chaincode server's configuration: only what endorsers need to check a request against the
 * person and documents in its transient map. The key comes from the server's environment, never
 * from the ledger, so every organisation's chaincode server recomputes pseudonyms on its own.
 */
export interface ChaincodeConfig {
  /** The consortium pseudonymisation key K (the same file the gateways read). */
  readonly pseudonymKey: Buffer;
  /**
   * SHA-256 (hex) of the canonical registry this organisation agreed to, derived on its own host from
   * the channel's genesis config: its peer endorses `registry:Init` only with exactly that content.
   * Absent: no such check (unit tests, a server started by hand).
   */
  readonly agreedRegistrySha256?: string;
}

export const PSEUDONYM_KEY_FILE_VARIABLE = 'HPF_CC_PSEUDONYM_KEY_FILE';
export const AGREED_REGISTRY_VARIABLE = 'HPF_CC_AGREED_REGISTRY_SHA256';

function readAgreedRegistry(env: Env): string | undefined {
  const value = env[AGREED_REGISTRY_VARIABLE]?.trim() ?? '';
  if (value === '') return undefined;
  if (!/^[0-9a-f]{64}$/.test(value)) {
    throw new ChaincodeConfigError(
      AGREED_REGISTRY_VARIABLE,
      'must be a SHA-256 digest: 64 lower-case hex digits',
    );
  }
  return value;
}

/** A configuration problem, named by its variable: `HPF_CC_<NAME>: <problem>`. */
export class ChaincodeConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ChaincodeConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads and validates the configuration from `env`; throws ChaincodeConfigError naming the variable. */
export function loadChaincodeConfig(env: Env): ChaincodeConfig {
  const file = env[PSEUDONYM_KEY_FILE_VARIABLE]?.trim() ?? '';
  if (file === '') {
    throw new ChaincodeConfigError(PSEUDONYM_KEY_FILE_VARIABLE, 'must name the pseudonymisation key file');
  }
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch {
    throw new ChaincodeConfigError(PSEUDONYM_KEY_FILE_VARIABLE, 'cannot read the file');
  }
  const pseudonymKey = decodePseudonymKey(raw);
  if (pseudonymKey === undefined) {
    throw new ChaincodeConfigError(
      PSEUDONYM_KEY_FILE_VARIABLE,
      `must hold a key of at least ${MIN_PSEUDONYM_KEY_BYTES} bytes`,
    );
  }
  const agreedRegistrySha256 = readAgreedRegistry(env);
  return agreedRegistrySha256 === undefined ? { pseudonymKey } : { pseudonymKey, agreedRegistrySha256 };
}

/**
 * The process's configuration. fabric-chaincode-node constructs contracts itself (`new Contract()`,
 * no arguments), so it cannot be injected through them: `server.ts` installs it once at process start,
 * before any contract runs; it never changes afterwards, so every transaction sees the same key.
 */
let installed: ChaincodeConfig | undefined;

/** Installs the configuration once; installing a different one afterwards is a programming error. */
export function installChaincodeConfig(config: ChaincodeConfig): void {
  if (installed !== undefined && !installed.pseudonymKey.equals(config.pseudonymKey)) {
    throw new Error('the chaincode configuration is already installed with another key');
  }
  installed = config;
}

/**
 * The installed configuration. When the server was started some other way than `server.ts` (e.g. a
 * plain `fabric-chaincode-node server`), it is read from the environment on first use and kept: the
 * same file gives the same key, so endorsement stays deterministic.
 */
export function chaincodeConfig(): ChaincodeConfig {
  installed ??= loadChaincodeConfig(process.env);
  return installed;
}

/** The keys derived from the installed K, once (keyed-hash.ts); recomputed only if K were another. */
let derived: { readonly from: Buffer; readonly keys: HashKeys } | undefined;

/** The evidence and free-text hash keys of the installed configuration's K. */
export function chaincodeHashKeys(): HashKeys {
  const { pseudonymKey } = chaincodeConfig();
  if (derived?.from !== pseudonymKey) {
    derived = { from: pseudonymKey, keys: hashKeysOf(pseudonymKey) };
  }
  return derived.keys;
}
