import type { Request, RequestHandler } from 'express';
import { ApiError } from '../errors';

/**
 * Refuses a console request that changes something (every method but GET and HEAD, so every POST,
 * sign-in included; and the GETs named in `changingGets`, the language switch) unless the browser says it comes from the console's own origin: same scheme, host and port.
 *
 * - `Sec-Fetch-Site` (Fetch Metadata, sent by every current browser) must be `same-origin`; a form on
 *   another site, on another port of this host or on a sibling subdomain says `cross-site` or
 *   `same-site` and is refused.
 * - Without it, `Origin` must equal this request's own origin (`<scheme>://<Host>`); `Origin: null`
 *   (sandboxed frames, some redirects) is refused.
 * - A request with neither header does not come from a browser (curl, scripts): it carries no
 *   victim's cookie and no victim's form, so it is allowed. Browsers send `Origin` on every POST.
 *
 * SameSite=Strict alone lets another port or a sibling subdomain through (they are "same site"), and
 * does nothing against login CSRF (the sign-in form needs no cookie).
 */
export function sameOriginOnly(changingGets: readonly string[]): RequestHandler {
  return (req, _res, next) => {
    const safe = (req.method === 'GET' || req.method === 'HEAD') && !changingGets.includes(req.path);
    const refusal = safe ? undefined : crossOriginRefusal(req);
    next(refusal === undefined ? undefined : new ApiError('FORBIDDEN', refusal));
  };
}

/** Why the request is refused, or undefined when it may go on. */
export function crossOriginRefusal(req: Request): string | undefined {
  const site = req.get('sec-fetch-site');
  if (site !== undefined) {
    return site === 'same-origin'
      ? undefined
      : `cross-origin request refused (Sec-Fetch-Site: ${site.slice(0, 20)}): use the console's own pages`;
  }
  const origin = req.get('origin');
  if (origin === undefined) return undefined;
  const own = `${req.protocol}://${req.get('host') ?? ''}`;
  return origin.toLowerCase() === own.toLowerCase()
    ? undefined
    : `cross-origin request refused (Origin is not ${own}): use the console's own pages`;
}
