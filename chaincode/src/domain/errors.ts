/**
 * The stable error codes a transaction may fail with. The gateway maps each to an HTTP status; see
 * API.md. Adding a code is an API change.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'INVALID_STATE',
  'DUPLICATE_EVIDENCE',
  'ACCOUNT_IN_TRANSFER',
  'ACCOUNT_CLOSED',
  'CODE_USED',
  'CODE_EXPIRED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const MESSAGE_PATTERN = /^HPF:([A-Z_]+): (.*)$/s;

/**
 * An error whose message is `HPF:<CODE>: <text>`. Only `message` crosses the chaincode boundary, so
 * the code lives in it; the gateway parses it with {@link parseHpfErrorMessage}. Texts name the field
 * at fault and never carry personal data.
 */
export class HpfError extends Error {
  public readonly code: ErrorCode;
  public readonly text: string;

  constructor(code: ErrorCode, text: string, options?: { cause?: unknown }) {
    super(`HPF:${code}: ${text}`, options);
    this.name = 'HpfError';
    this.code = code;
    this.text = text;
  }
}

/** The one helper that makes every error a transaction throws. */
export function hpfError(code: ErrorCode, text: string): HpfError {
  return new HpfError(code, text);
}

/** Shorthand for the most common failure: a bad argument, named by its field path. */
export function invalid(field: string, problem: string): HpfError {
  return new HpfError('VALIDATION_FAILED', `${field}: ${problem}`);
}

function isErrorCode(value: string): value is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * Finds an `HPF:<CODE>: text` message inside a longer one (Fabric wraps chaincode messages, e.g.
 * "error in simulation: transaction returned with failure: HPF:…"). Returns undefined when none.
 */
export function parseHpfErrorMessage(message: string): { code: ErrorCode; text: string } | undefined {
  const start = message.indexOf('HPF:');
  if (start < 0) {
    return undefined;
  }
  const match = MESSAGE_PATTERN.exec(message.slice(start));
  const code = match?.[1];
  const text = match?.[2];
  if (code === undefined || text === undefined || !isErrorCode(code)) {
    return undefined;
  }
  return { code, text };
}
