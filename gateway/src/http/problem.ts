import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ApiError, ERROR_TITLES, type ErrorCode, type ValidationIssue } from '../errors';

interface HttpLikeError {
  readonly status: number;
  readonly errors?: readonly { readonly path?: string; readonly message?: string }[];
  readonly type?: string;
}

function isHttpLikeError(err: unknown): err is HttpLikeError {
  return err instanceof Error && 'status' in err && typeof err.status === 'number';
}

const HTTP_STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'VALIDATION_FAILED',
  415: 'VALIDATION_FAILED',
};

function issuesOf(err: HttpLikeError): ValidationIssue[] {
  return (err.errors ?? []).map((e) => ({
    path: (e.path ?? '').replace(/^\/(body|query|params|headers)\/?/, '$1.').replace(/\//g, '.'),
    message: e.message ?? 'is not valid',
  }));
}

/** Errors raised by Express itself, body-parser or express-openapi-validator, in our model. */
function fromHttpError(err: HttpLikeError): ApiError {
  const code = HTTP_STATUS_CODES[err.status];
  if (code === undefined) {
    return new ApiError('INTERNAL', 'unexpected error', { cause: err });
  }
  if (err.type === 'entity.too.large' || err.status === 413) {
    return new ApiError('VALIDATION_FAILED', 'the request body is too large', { cause: err });
  }
  if (err.type === 'entity.parse.failed') {
    return new ApiError('VALIDATION_FAILED', 'the request body is not valid JSON', { cause: err });
  }
  const errors = issuesOf(err);
  const detail =
    errors.length > 0 ? errors.map((e) => `${e.path}: ${e.message}`).join('; ') : ERROR_TITLES[code];
  return new ApiError(code, detail, { errors, cause: err });
}

/** Any error as ours (the one translation the error handler and batch items share). */
export function toProblemError(err: unknown): ApiError {
  if (err instanceof ApiError) {
    return err;
  }
  if (isHttpLikeError(err)) {
    return fromHttpError(err);
  }
  return new ApiError('INTERNAL', 'unexpected error', { cause: err });
}

export interface ProblemDocument {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail: string;
  readonly txId?: string;
  readonly errors?: readonly ValidationIssue[];
}

/** The problem+json body for an error. 5xx details are our own fixed texts, never a cause's message. */
export function problemOf(error: ApiError): ProblemDocument {
  const hide = error.status >= 500 && error.code !== 'COMMIT_UNKNOWN' && error.code !== 'UNAVAILABLE';
  return {
    type: `urn:hpf:problem:${error.code.toLowerCase().replace(/_/g, '-')}`,
    title: ERROR_TITLES[error.code],
    status: error.status,
    code: error.code,
    detail: hide ? ERROR_TITLES[error.code] : error.message,
    ...(error.txId === undefined ? {} : { txId: error.txId }),
    ...(error.errors === undefined || error.errors.length === 0 ? {} : { errors: error.errors }),
  };
}

/** Retry-After (seconds) when the error does not say: every 429 and every 503 carries one. */
const DEFAULT_RETRY_AFTER_S: Partial<Record<ErrorCode, number>> = { RATE_LIMITED: 60, UNAVAILABLE: 5 };

/** The one Express error handler: everything leaves as application/problem+json. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const error = toProblemError(err);
    if (error.status >= 500) {
      logger.error({ err: error.cause ?? error, code: error.code, txId: error.txId }, 'request failed');
    }
    const retryAfter = error.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_S[error.code];
    if (retryAfter !== undefined) {
      res.setHeader('Retry-After', String(retryAfter));
    }
    res
      .status(error.status)
      .type('application/problem+json')
      .send(JSON.stringify(problemOf(error)));
  };
}

/** Unknown routes (outside the validator's reach). */
export const notFound: RequestHandler = (_req, _res, next) => {
  next(new ApiError('NOT_FOUND', 'no such route'));
};
