/**
 * The gateway's one error model. Every failure that reaches the HTTP layer is an {@link ApiError}; the
 * one Express error handler turns it into application/problem+json.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  INVALID_STATE: 409,
  DUPLICATE_EVIDENCE: 409,
  ACCOUNT_IN_TRANSFER: 409,
  ACCOUNT_CLOSED: 409,
  WITHDRAWAL_TOO_FREQUENT: 409,
  SUBJECT_BANNED: 409,
  CODE_USED: 409,
  CODE_EXPIRED: 410,
  REPLAY_WINDOW_EXCEEDED: 410,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  ENDORSEMENT_FAILED: 502,
  UNAVAILABLE: 503,
  COMMIT_UNKNOWN: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_TITLES: Readonly<Record<ErrorCode, string>> = {
  VALIDATION_FAILED: 'The request is not valid',
  UNAUTHENTICATED: 'Authentication is required',
  FORBIDDEN: 'The caller may not do this',
  NOT_FOUND: 'No such resource',
  METHOD_NOT_ALLOWED: 'The resource does not support this method',
  CONFLICT: 'The ID exists with different content',
  INVALID_STATE: 'The record is not in a state that allows this step',
  DUPLICATE_EVIDENCE: 'The evidence was already used by this person',
  ACCOUNT_IN_TRANSFER: 'The account is being transferred out',
  ACCOUNT_CLOSED: 'The account at this centre is closed',
  WITHDRAWAL_TOO_FREQUENT: 'A withdrawal for this recurring reason was recorded too recently at this centre',
  SUBJECT_BANNED: 'The person is banned from withdrawals (fraud, Art. 41)',
  CODE_USED: 'The share code was already redeemed',
  CODE_EXPIRED: 'The share code has expired',
  REPLAY_WINDOW_EXCEEDED: 'The event stream cannot resume that far back',
  RATE_LIMITED: 'Too many requests',
  INTERNAL: 'Internal error',
  ENDORSEMENT_FAILED: 'The transaction was not endorsed',
  UNAVAILABLE: 'The ledger is not available',
  COMMIT_UNKNOWN: 'The commit outcome is unknown',
};

/**
 * Why a failed ledger call may succeed if repeated: a read conflict at commit (retry the same
 * endorsement set), an endorser that could not be reached (try the next endorsement set), or
 * endorsers that disagreed on the state (some refused with INVALID_STATE or NOT_FOUND while others
 * endorsed, or all endorsed with different results: a peer without the latest block yet; retry the
 * same set after a short wait).
 */
export type RetryHint = 'read-conflict' | 'endorser-unavailable' | 'endorser-behind';

/** Whose part of the ledger could not serve: this organisation's own peer or chaincode server. */
export type Unavailable = 'own';

export interface ApiErrorOptions {
  readonly txId?: string;
  readonly retry?: RetryHint;
  /** For UNAVAILABLE: set when this organisation's own peer or chaincode server could not serve. */
  readonly unavailable?: Unavailable;
  /** Seconds for the Retry-After header of a 503 or 429 (a default applies when absent). */
  readonly retryAfterSeconds?: number;
  readonly errors?: readonly ValidationIssue[];
  readonly cause?: unknown;
}

export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly txId: string | undefined;
  readonly retry: RetryHint | undefined;
  readonly unavailable: Unavailable | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly errors: readonly ValidationIssue[] | undefined;

  constructor(code: ErrorCode, detail: string, options: ApiErrorOptions = {}) {
    super(detail, { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.txId = options.txId;
    this.retry = options.retry;
    this.unavailable = options.unavailable;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.errors = options.errors;
  }
}

/** A bad request field, named by its path in the body (`person.idNumber`). */
export function invalidField(path: string, problem: string): ApiError {
  return new ApiError('VALIDATION_FAILED', `${path}: ${problem}`, { errors: [{ path, message: problem }] });
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}
