import type { RequestHandler } from 'express';
import { ApiError } from '../errors';
import { pathMethods } from '../openapi-document';
import { newRouteMatcher } from './observability';

/**
 * 405 METHOD_NOT_ALLOWED with an `Allow` header for a path the contract lists called with a method it
 * does not list (HEAD goes with GET, as Express serves it). It runs before authentication: which
 * methods a path has is public in /openapi.json, and an auditor's DELETE should not read as 403.
 */
export function refuseUnlistedMethods(openApiDocument: object): RequestHandler {
  const methods = pathMethods(openApiDocument);
  const routeOf = newRouteMatcher([...methods.keys()]);
  return (req, res, next) => {
    const allowed = methods.get(routeOf(req.path));
    if (
      allowed === undefined ||
      allowed.includes(req.method) ||
      (req.method === 'HEAD' && allowed.includes('GET'))
    ) {
      next();
      return;
    }
    res.setHeader('Allow', allowed.join(', '));
    next(
      new ApiError('METHOD_NOT_ALLOWED', `${req.method} is not allowed here; allowed: ${allowed.join(', ')}`),
    );
  };
}
