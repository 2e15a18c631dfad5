import { ApiError } from '../../errors';
import type { Response } from 'express';
import type { WriteOutcome } from '../../services/settings';

/** A write's answer: 201 or 200 with the record, and the transaction that wrote it when new. */
export function sendWrite(res: Response, outcome: WriteOutcome): void {
  if (outcome.txId !== undefined) {
    res.setHeader('X-Transaction-Id', outcome.txId);
  }
  res.status(outcome.status).json(outcome.record);
}

/** A path parameter the OpenAPI validator has already checked. */
export function pathParam(params: Readonly<Record<string, unknown>>, name: string): string {
  const value = params[name];
  if (typeof value !== 'string') {
    throw new ApiError('VALIDATION_FAILED', `${name}: is required`);
  }
  return value;
}
