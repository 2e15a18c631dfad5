import type { Request, Response } from 'express';
import type { Caller } from '../services/caller';

/**
 * The audit line of a read of personal content (a transfer's personal details, a certificate's
 * content or PDF, a certificate request's person): who read which record, by IDs only, never the
 * content itself.
 */
export function logPersonalRead(
  req: Request,
  res: Response,
  caller: Caller,
  ids: Readonly<Record<string, string>>,
): void {
  req.log.info(
    {
      event: 'personal-details-read',
      ...ids,
      centre: caller.centreCode,
      keyId: caller.keyId,
      requestId: String(res.getHeader('X-Request-Id')),
    },
    'personal details read',
  );
}
