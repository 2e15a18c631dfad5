import { createRequire } from 'node:module';

/**
 * fabric-shim and fabric-contract-api log through winston, whose level methods format every call
 * (timestamp, metadata, colours, padding) and only then let the transport drop what is below its
 * level. fabric-shim logs a few debug and info lines per message to and from the peer, so at our level
 * (`warning`) a busy chaincode server spent about a sixth of its busy time formatting lines nobody
 * sees (docs/decisions/0246-library-loggers-skip-disabled-levels.md). Each logger those libraries
 * create here returns at once from a call whose level is not enabled; the level is read at each
 * call, so changing it later still works.
 */

/** The part of a winston logger this module touches. */
interface LevelledLogger {
  readonly levels: Readonly<Record<string, number>>;
  isLevelEnabled(level: string): boolean;
}

interface Winston {
  createLogger: (options?: unknown) => LevelledLogger;
}

const PATCHED = Symbol.for('hpf.chaincode.skipDisabledLogLevels');

/** Makes each level method of `logger` (debug, info, warn, …) a no-op while its level is disabled. */
export function skipDisabledLevels<T extends LevelledLogger>(logger: T): T {
  const methods = logger as unknown as Record<string, unknown>;
  for (const level of Object.keys(logger.levels)) {
    const method = methods[level];
    if (typeof method !== 'function') continue;
    const log = method as (this: unknown, ...args: unknown[]) => unknown;
    methods[level] = function (this: unknown, ...args: unknown[]): unknown {
      return logger.isLevelEnabled(level) ? log.apply(this ?? logger, args) : (this ?? logger);
    };
  }
  return logger;
}

/** The winston module each library resolves (one module when npm has deduplicated them). */
function winstonOf(library: string): Winston & { [PATCHED]?: true } {
  return createRequire(require.resolve(library))('winston') as Winston & { [PATCHED]?: true };
}

/**
 * Wraps `winston.createLogger` for fabric-shim and fabric-contract-api. Call it before either creates
 * a logger, that is before they are loaded (`server.ts`).
 */
export function skipDisabledShimLogLevels(
  libraries: readonly string[] = ['fabric-shim', 'fabric-contract-api'],
): void {
  for (const library of libraries) {
    const winston = winstonOf(library);
    if (winston[PATCHED] === true) continue;
    const create = winston.createLogger;
    // A function, not an arrow: the libraries call it with `new`, which then takes the returned object.
    winston.createLogger = function createLogger(options?: unknown): LevelledLogger {
      return skipDisabledLevels(create(options));
    };
    winston[PATCHED] = true;
  }
}
