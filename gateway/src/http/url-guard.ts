import type { RequestHandler } from 'express';
import { urlCarriesIdNumber } from '../domain';
import { ApiError } from '../errors';

/**
 * Personal data goes in bodies, never in URLs (which end up in proxies' and servers' logs). A URL
 * carrying something shaped like a resident ID number is refused before anything else sees it.
 */
export const refusePersonalDataInUrl: RequestHandler = (req, _res, next) => {
  if (urlCarriesIdNumber(req.originalUrl)) {
    next(
      new ApiError(
        'VALIDATION_FAILED',
        'personal data (an ID number) must not be sent in the URL; use the body',
      ),
    );
    return;
  }
  next();
};

/** A URL fit for logs: see {@link redactUrl} in the domain module. */
export { redactUrl } from '../domain';
