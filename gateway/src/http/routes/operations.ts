import { Router } from 'express';
import { ApiError } from '../../errors';
import type { LedgerClient } from '../../fabric/ledger-client';
import type { Metrics } from '../../metrics';

export interface OperationRouteOptions {
  readonly ledger: LedgerClient;
  readonly metrics: Metrics;
  readonly openApiDocument: unknown;
  /** Extra facts for /readyz, e.g. the event listener's checkpoint. */
  readonly readiness?: () => Readonly<Record<string, unknown>>;
}

/** /healthz, /readyz, /metrics, /openapi.json: unauthenticated; bind the gateway to a private address. */
export function operationRoutes(options: Readonly<OperationRouteOptions>): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    let version: unknown;
    try {
      version = JSON.parse(await options.ledger.evaluate('meta', 'Version'));
    } catch (err) {
      throw new ApiError('UNAVAILABLE', 'the peer or the chaincode is not answering', { cause: err });
    }
    res.json({ status: 'ready', chaincode: version, ...options.readiness?.() });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });
  router.get('/openapi.json', (_req, res) => {
    res.json(options.openApiDocument);
  });
  return router;
}
