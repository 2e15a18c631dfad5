import express, { Router, type Express } from 'express';
import { ApiError } from '../../errors';
import type { Metrics } from '../../metrics';
import type { Readiness } from '../../services/readiness';
import type { Logger } from 'pino';
import { problemHandler } from '../problem';

export interface OperationRouteOptions {
  readonly readiness: Readiness;
  readonly openApiDocument: unknown;
  /** Extra facts for /readyz, e.g. the event listener's checkpoint. */
  readonly readinessDetails?: () => Readonly<Record<string, unknown>>;
}

/**
 * /healthz, /readyz, /openapi.json on the API port: unauthenticated. /metrics is not here: it is on
 * the operations listener ({@link operationsApp}).
 */
export function operationRoutes(options: Readonly<OperationRouteOptions>): Router {
  const router = healthRoutes(options);
  router.get('/openapi.json', (_req, res) => {
    res.json(options.openApiDocument);
  });
  return router;
}

/** /healthz and /readyz, served on both listeners. */
function healthRoutes(
  options: Readonly<Pick<OperationRouteOptions, 'readiness' | 'readinessDetails'>>,
): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', node: process.version });
  });
  router.get('/readyz', async (_req, res) => {
    const report = await options.readiness.check();
    if (!report.ready) {
      throw new ApiError('UNAVAILABLE', report.reason ?? 'not ready', { unavailable: 'own' });
    }
    res.json({
      status: 'ready',
      chaincode: report.chaincode,
      checkedAt: report.checkedAt,
      ...options.readinessDetails?.(),
    });
  });
  return router;
}

export interface OperationsAppOptions {
  readonly readiness: Readiness;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly readinessDetails?: () => Readonly<Record<string, unknown>>;
}

/**
 * The operations listener's app (HPF_GW_OPERATIONS_PORT, loopback by default): /metrics for
 * Prometheus, and /healthz and /readyz for the supervisor; nothing else (404).
 */
export function operationsApp(options: Readonly<OperationsAppOptions>): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(healthRoutes(options));
  app.get('/metrics', async (_req, res) => {
    res.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });
  app.use(((req, res, next) => {
    if (req.path !== '/healthz' && req.path !== '/readyz' && req.path !== '/metrics') {
      next();
      return;
    }
    res.setHeader('Allow', 'GET');
    next(new ApiError('METHOD_NOT_ALLOWED', `${req.method} is not allowed here; allowed: GET`));
  }) as express.RequestHandler);
  app.use((_req, res) => {
    res
      .status(404)
      .type('text/plain')
      .send('not found: the operations listener serves /metrics, /healthz and /readyz\n');
  });
  app.use(problemHandler(options.logger));
  return app;
}
