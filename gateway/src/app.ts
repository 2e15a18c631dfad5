import express, { type Express } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { ApiKeyEntry } from './config';
import { ApiError } from './errors';
import type { LedgerClient } from './fabric/ledger-client';
import { auditorsReadOnly, authenticate, callerOf } from './http/auth';
import { requestLogger, requestId, requestMetrics, newRouteMatcher } from './http/observability';
import { notFound, problemHandler } from './http/problem';
import { auditRoutes } from './http/routes/audit';
import { eventRoutes } from './http/routes/events';
import { operationRoutes } from './http/routes/operations';
import { transferRoutes } from './http/routes/transfers';
import { withdrawalRoutes } from './http/routes/withdrawals';
import { refusePersonalDataInUrl } from './http/url-guard';
import { refuseUnlistedMethods } from './http/method-guard';
import type { Metrics } from './metrics';
import { loadOpenApiDocument, pathTemplates, withoutLinks } from './openapi-document';
import { newAuditService } from './services/audit-service';
import { newCentreDirectory } from './services/centre-directory';
import { newEventService } from './services/event-service';
import { newLedgerWriter } from './services/ledger-writer';
import type { ServiceSettings } from './services/settings';
import { newTransferService } from './services/transfer-service';
import { newWithdrawalService } from './services/withdrawal-service';
import type { VerificationCache } from './services/verification-cache';

export interface AppSettings extends ServiceSettings {
  readonly apiKeys: readonly ApiKeyEntry[];
  readonly rateLimitPerMinute: number;
  /** Largest accepted JSON body, e.g. "32kb". */
  readonly bodyLimit: string;
  /** Retries after an MVCC / phantom read conflict, and the first backoff. */
  readonly maxConflictRetries: number;
  readonly conflictBackoffMs: number;
  readonly sseHeartbeatMs: number;
}

export interface AppOptions {
  readonly ledger: LedgerClient;
  readonly settings: AppSettings;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly readiness?: () => Readonly<Record<string, unknown>>;
  /** Shared with the event listener, which invalidates it; none in route tests unless given. */
  readonly verifications?: VerificationCache;
}

/**
 * Builds the gateway's Express app without listening. Everything it talks to comes in through
 * `options`, so route tests run it in-process against a fake LedgerClient.
 */
export function createApp(options: Readonly<AppOptions>): Express {
  const { ledger, settings, logger, metrics } = options;
  const openApiDocument = loadOpenApiDocument();
  const writer = newLedgerWriter({
    ledger,
    maxConflictRetries: settings.maxConflictRetries,
    baseBackoffMs: settings.conflictBackoffMs,
  });
  const directory = newCentreDirectory({ ledger, ttlMs: 60_000 });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestId);
  app.use(requestLogger(logger));
  app.use(requestMetrics(metrics, newRouteMatcher(pathTemplates(openApiDocument))));
  app.use(helmet());
  app.use(refusePersonalDataInUrl);
  app.use(refuseUnlistedMethods(openApiDocument));
  app.use(operationRoutes({ ledger, metrics, openApiDocument, readiness: options.readiness }));
  app.use(express.json({ limit: settings.bodyLimit, type: ['application/json', 'application/*+json'] }));
  app.use('/v1', authenticate(settings.apiKeys, settings.centreCode));
  app.use(
    '/v1',
    rateLimit({
      windowMs: 60_000,
      limit: settings.rateLimitPerMinute,
      keyGenerator: (req) => callerOf(req).keyId,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (_req, _res, next) => {
        next(
          new ApiError(
            'RATE_LIMITED',
            `more than ${settings.rateLimitPerMinute} requests a minute for this key`,
          ),
        );
      },
    }),
  );
  app.use('/v1', auditorsReadOnly);
  app.use(
    OpenApiValidator.middleware({
      apiSpec: withoutLinks(openApiDocument) as unknown as string,
      validateRequests: { allowUnknownQueryParameters: false, coerceTypes: false },
      validateResponses: false,
      validateFormats: true,
      ajvFormats: { mode: 'full' },
      validateSecurity: false,
    }),
  );
  app.use(transferRoutes(newTransferService({ ledger, writer, directory, settings })));
  app.use(withdrawalRoutes(newWithdrawalService({ ledger, writer, settings })));
  app.use(auditRoutes(newAuditService({ ledger, settings, verifications: options.verifications })));
  app.use(eventRoutes({ events: newEventService({ ledger }), logger, heartbeatMs: settings.sseHeartbeatMs }));
  app.use(notFound);
  app.use(problemHandler(logger));
  return app;
}
