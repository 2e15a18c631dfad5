import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { Metrics } from '../metrics';
import { redactUrl } from './url-guard';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Uses the caller's X-Request-Id when it is well-formed, else a fresh UUID; echoes it back. */
export const requestId: RequestHandler = (req, res, next) => {
  const given = req.get('x-request-id');
  const id = given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  next();
};

/** At most this many URLs are remembered as having nothing to redact (then forgotten at once). */
const CLEAN_URL_LIMIT = 512;
const cleanUrls = new Set<string>();

/**
 * The URL as logged ({@link redactUrl}), without folding again a URL seen before with nothing to
 * redact (`/v1/withdrawals` on every write). A URL that had something redacted is never remembered.
 */
function logUrl(url: string): string {
  if (cleanUrls.has(url)) {
    return url;
  }
  const redacted = redactUrl(url);
  if (redacted === url) {
    if (cleanUrls.size >= CLEAN_URL_LIMIT) {
      cleanUrls.clear();
    }
    cleanUrls.add(url);
  }
  return redacted;
}

/**
 * Structured request logs: method, redacted URL, status, latency and request ID. Never headers (the
 * API key) and never bodies (personal data).
 */
export function requestLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (_req, res) => String(res.getHeader('X-Request-Id')),
    serializers: {
      req: (req: { id: unknown; method: unknown; url: unknown }) => ({
        id: req.id,
        method: req.method,
        url: logUrl(String(req.url)),
      }),
      res: (res: { statusCode: unknown }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, err) => (err !== undefined || res.statusCode >= 500 ? 'error' : 'info'),
  });
}

/** Matches a request path to its OpenAPI template, so metric labels stay bounded. */
export function newRouteMatcher(templates: readonly string[]): (path: string) => string {
  const compiled = templates.map((t) => ({
    template: t,
    pattern: new RegExp(`^${t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  return (path) => compiled.find((c) => c.pattern.test(path))?.template ?? 'unmatched';
}

function outcomeOf(status: number): string {
  if (status < 400) {
    return 'success';
  }
  return status < 500 ? 'client_error' : 'server_error';
}

/** Requests by route and outcome, and their latency. */
export function requestMetrics(metrics: Metrics, routeOf: (path: string) => string): RequestHandler {
  return (req: Request, res, next) => {
    const route = routeOf(req.path);
    const end = metrics.httpDuration.startTimer({ method: req.method, route });
    res.on('finish', () => {
      end();
      metrics.httpRequests.inc({
        method: req.method,
        route,
        status: String(res.statusCode),
        outcome: outcomeOf(res.statusCode),
      });
    });
    next();
  };
}
