import type { RequestHandler } from 'express';
import { containsResidentIdLike } from '../domain';
import { ApiError } from '../errors';

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Personal data goes in bodies, never in URLs (which end up in proxies' and servers' logs). A URL
 * carrying something shaped like a resident ID number is refused before anything else sees it.
 */
export const refusePersonalDataInUrl: RequestHandler = (req, _res, next) => {
  if (containsResidentIdLike(decode(req.originalUrl))) {
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

/** A URL fit for logs: long digit runs masked, whatever the guard decided. */
export function redactUrl(url: string): string {
  return url.replace(/\d{15,}[\dXx]?/g, '***');
}
