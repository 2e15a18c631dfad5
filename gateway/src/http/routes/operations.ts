import { Router } from 'express';
import { ApiError } from '../../errors';
import type { Metrics } from '../../metrics';
import type { Readiness } from '../../services/readiness';

export interface OperationRouteOptions {
  readonly readiness: Readiness;
  readonly metrics: Metrics;
  readonly openApiDocument: unknown;
  /** Extra facts for /readyz, e.g. the event listener's checkpoint. */
  readonly readinessDetails?: () => Readonly<Record<string, unknown>>;
}

/** /healthz, /readyz, /metrics, /openapi.json: unauthenticated; bind the gateway to a private address. */
export function operationRoutes(options: Readonly<OperationRouteOptions>): Router {
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
  router.get('/metrics', async (_req, res) => {
    res.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });
  router.get('/openapi.json', (_req, res) => {
    res.json(options.openApiDocument);
  });
  return router;
}
