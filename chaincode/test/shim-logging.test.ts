import { createRequire } from 'node:module';

import { skipDisabledLevels, skipDisabledShimLogLevels } from '../src/shim-logging';

interface TestLogger {
  readonly levels: Record<string, number>;
  level: string;
  isLevelEnabled(level: string): boolean;
  debug(message: string): unknown;
  info(message: string): unknown;
  warn(message: string): unknown;
  error(message: string): unknown;
  format: { transform: (info: unknown, options?: unknown) => unknown };
  transports: { silent?: boolean }[];
}

type Winston = {
  createLogger: (options: unknown) => TestLogger;
  format: { simple: () => unknown };
  transports: { Console: new (options?: unknown) => unknown };
};

const winston = createRequire(require.resolve('fabric-shim'))('winston') as Winston;

/** A logger as fabric-shim makes one, whose formatting is counted and whose output is dropped. */
function countingLogger(level: string): { logger: TestLogger; formatted: string[] } {
  const logger = new (winston.createLogger as unknown as new (options: unknown) => TestLogger)({
    level,
    format: winston.format.simple(),
    transports: [new winston.transports.Console({ silent: true })],
  });
  const formatted: string[] = [];
  const transform = logger.format.transform.bind(logger.format);
  logger.format.transform = (info: unknown, options?: unknown) => {
    formatted.push((info as { message: string }).message);
    return transform(info, options);
  };
  return { logger, formatted };
}

describe('fabric-shim logging below the level', () => {
  it('formats every call in plain winston, even below the level (why this module exists)', () => {
    const { logger, formatted } = countingLogger('warn');
    logger.debug('below');
    logger.warn('at');
    expect(formatted).toEqual(['below', 'at']);
  });

  it('formats nothing below the level once wrapped, and follows a level changed later', () => {
    const { logger, formatted } = countingLogger('warn');
    skipDisabledLevels(logger);
    expect(logger.debug('below')).toBe(logger);
    logger.info('below too');
    logger.warn('at');
    logger.error('above');
    expect(formatted).toEqual(['at', 'above']);
    logger.level = 'debug';
    logger.debug('now enabled');
    expect(formatted).toEqual(['at', 'above', 'now enabled']);
  });

  it('wraps the winston that fabric-shim and fabric-contract-api use, once, for the loggers they create', () => {
    skipDisabledShimLogLevels();
    skipDisabledShimLogLevels();
    const { logger, formatted } = countingLogger('warn');
    logger.debug('below');
    logger.error('above');
    expect(formatted).toEqual(['above']);
    const contractApiWinston = createRequire(require.resolve('fabric-contract-api'))('winston') as Winston;
    expect(contractApiWinston.createLogger).toBe(winston.createLogger);
  });
});
