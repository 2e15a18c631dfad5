import express, { type Express } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { LIMIT_DEFAULTS, type ApiKeyEntry } from './config';
import { ApiError } from './errors';
import type { LedgerClient } from './fabric/ledger-client';
import { newItemValidator } from './http/batch';
import { newBudget, type Budget } from './services/budget';
import {
  auditorsReadOnly,
  callerOf,
  identify,
  isAuthenticated,
  PUBLIC_PREFIX,
  requireAuthenticated,
} from './http/auth';
import { requestLogger, requestId, requestMetrics, newRouteMatcher } from './http/observability';
import { notFound, problemHandler } from './http/problem';
import { consoleRoutes } from './console/routes';
import { newSessionStore } from './console/session';
import { auditRoutes } from './http/routes/audit';
import { certificateRoutes } from './http/routes/certificates';
import { eventRoutes } from './http/routes/events';
import { operationRoutes } from './http/routes/operations';
import { transferRoutes } from './http/routes/transfers';
import { withdrawalRoutes } from './http/routes/withdrawals';
import { banRoutes } from './http/routes/bans';
import { refusePersonalDataInUrl } from './http/url-guard';
import { refuseUnlistedMethods } from './http/method-guard';
import type { Metrics } from './metrics';
import { loadOpenApiDocument, pathTemplates } from './openapi-document';
import { openApiValidation, type OpenApiValidation } from './http/openapi-validation';
import { newAuditService } from './services/audit-service';
import { newCertificateService } from './services/certificate-service';
import { newCentreDirectory } from './services/centre-directory';
import { newEventService } from './services/event-service';
import { newPersonLookups } from './services/person-lookups';
import { newLedgerWriter } from './services/ledger-writer';
import { newReadiness, type Readiness } from './services/readiness';
import type { LedgerIndex } from './services/ledger-index';
import type { ServiceSettings } from './services/settings';
import { newTransferService } from './services/transfer-service';
import { newWithdrawalService } from './services/withdrawal-service';
import { newBanService } from './services/ban-service';
import type { VerificationCache } from './services/verification-cache';

export interface AppSettings extends ServiceSettings {
  readonly apiKeys: readonly ApiKeyEntry[];
  readonly rateLimitPerMinute: number;
  /** Requests without a valid key, per client address (they are refused, but cost work to refuse). */
  readonly unauthenticatedRateLimitPerMinute: number;
  /** Key-less certificate verifications, per client address. */
  readonly publicVerifyRateLimitPerMinute: number;
  /** Readiness check deadline and how long its answer is reused. */
  readonly readinessTimeoutMs: number;
  readonly readinessCacheMs: number;
  /** Largest accepted JSON body, e.g. "32kb". */
  readonly bodyLimit: string;
  /** Largest accepted body of a batch call (up to BATCH_MAX_ITEMS items), e.g. "512kb". */
  readonly batchBodyLimit: string;
  /** Retries after an MVCC / phantom read conflict, and the first backoff. */
  readonly maxConflictRetries: number;
  readonly conflictBackoffMs: number;
  readonly sseHeartbeatMs: number;
  /** An SSE subscriber whose buffer stays full this long is disconnected (it resumes with Last-Event-ID). */
  readonly sseStallTimeoutMs: number;
  /** Console session lifetime and the working days after which an open transfer is overdue. */
  readonly consoleSessionMinutes: number;
  readonly consoleOverdueWorkingDays: number;
  /** The most console sessions one API key holds at once. */
  readonly consoleSessionsPerKey: number;
  /** The gateway serves HTTPS: console cookies carry `Secure`. */
  readonly secureCookies: boolean;
  /** Limits (config.ts LIMIT_DEFAULTS when absent): person lookups per key, event streams, replay. */
  readonly personLookupsPerMinute?: number;
  readonly personLookupsPerDay?: number;
  readonly sseStreamsPerKey?: number;
  readonly sseStreamsPerGateway?: number;
  readonly sseReplayBlocks?: number;
}

export interface AppOptions {
  readonly ledger: LedgerClient;
  readonly settings: AppSettings;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Extra facts for /readyz, e.g. the event listener's checkpoint. */
  readonly readinessDetails?: () => Readonly<Record<string, unknown>>;
  /** Built from the ledger and settings unless given (server.ts shares it with shutdown). */
  readonly readiness?: Readiness;
  /** Aborted when the gateway starts draining: event streams end, new /v1 requests get 503. */
  readonly shutdown?: AbortSignal;
  /** Shared with the event listener, which invalidates it; none in route tests unless given. */
  readonly verifications?: VerificationCache;
  /** The off-chain index the console reads lists and figures from; no console without it. */
  readonly index?: LedgerIndex;
}

/** The largest certificate PDF a verification accepts (ours are about 60 kB). */
const CERTIFICATE_PDF_LIMIT = '1mb';

/**
 * Builds the gateway's Express app without listening. Everything it talks to comes in through
 * `options`, so route tests run it in-process against a fake LedgerClient.
 */
export function createApp(options: Readonly<AppOptions>): Express {
  const { ledger, settings, logger, metrics } = options;
  const openApiDocument = loadOpenApiDocument();
  const readiness =
    options.readiness ??
    newReadiness({
      ledger,
      mspId: settings.mspId,
      timeoutMs: settings.readinessTimeoutMs,
      cacheMs: settings.readinessCacheMs,
    });
  const writer = newLedgerWriter({
    ledger,
    maxConflictRetries: settings.maxConflictRetries,
    baseBackoffMs: settings.conflictBackoffMs,
    readiness,
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
  app.use(operationRoutes({ readiness, openApiDocument, readinessDetails: options.readinessDetails }));
  const audit = newAuditService({ ledger, settings, verifications: options.verifications });
  // One budget per key for person lookups, shared by the API and the console.
  const lookups = newPersonLookups({
    pseudonymKey: settings.pseudonymKey,
    audit,
    limits: {
      perMinute: settings.personLookupsPerMinute ?? LIMIT_DEFAULTS.personLookupsPerMinute,
      perDay: settings.personLookupsPerDay ?? LIMIT_DEFAULTS.personLookupsPerDay,
    },
  });
  if (options.index !== undefined) {
    app.use(
      consoleRoutes({
        index: options.index,
        audit,
        lookups,
        sessions: newSessionStore(settings.apiKeys, {
          minutes: settings.consoleSessionMinutes,
          perKey: settings.consoleSessionsPerKey,
          secure: settings.secureCookies,
        }),
        secureCookies: settings.secureCookies,
        logger,
        overdueWorkingDays: settings.consoleOverdueWorkingDays,
        signInRateLimitPerMinute: settings.unauthenticatedRateLimitPerMinute,
      }),
    );
  }
  app.use('/v1', refuseWhileDraining(options.shutdown));
  // Authentication and rate limits come before the body is read: a request without a valid key
  // costs a header check, and its body is never parsed.
  app.use('/v1', identify(settings.apiKeys, settings.centreCode));
  app.use(
    '/v1',
    perMinute(
      settings.unauthenticatedRateLimitPerMinute,
      `more than ${settings.unauthenticatedRateLimitPerMinute} requests a minute without a valid key from this address`,
      { skip: (req) => isAuthenticated(req) || req.originalUrl.startsWith(PUBLIC_PREFIX) },
    ),
  );
  app.use(
    PUBLIC_PREFIX,
    perMinute(
      settings.publicVerifyRateLimitPerMinute,
      `more than ${settings.publicVerifyRateLimitPerMinute} key-less verifications a minute from this address`,
    ),
  );
  app.use('/v1', requireAuthenticated);
  // Per key, in units: a request costs one, a batch of n items n (the rest charged once it is read).
  const perKey = newBudget('requests', [{ ms: 60_000, limit: settings.rateLimitPerMinute, per: 'a minute' }]);
  app.use(
    '/v1',
    chargeKey(perKey, () => 1),
  );
  app.use('/v1', auditorsReadOnly);
  // A batch carries up to BATCH_MAX_ITEMS bodies; body-parser skips a body already parsed.
  app.use(
    ['/v1/withdrawals/batch', '/v1/transfers/batch'],
    express.json({ limit: settings.batchBodyLimit, type: ['application/json', 'application/*+json'] }),
  );
  app.use(
    '/v1',
    express.json({ limit: settings.bodyLimit, type: ['application/json', 'application/*+json'] }),
  );
  // Certificate PDFs come as raw bytes to the two verification paths only.
  app.use(
    ['/v1/certificates/verify', '/v1/public/certificates/verify'],
    express.raw({ limit: CERTIFICATE_PDF_LIMIT, type: 'application/pdf' }),
  );
  const validation = openApiValidation(openApiDocument);
  validations.set(app, validation);
  app.use(...validation.handlers);
  app.use(
    ['/v1/withdrawals/batch', '/v1/transfers/batch'],
    chargeKey(perKey, (req) => batchSize(req) - 1),
  );
  app.use(
    transferRoutes(
      newTransferService({ ledger, writer, directory, settings }),
      newItemValidator(openApiDocument, 'TransferRequest'),
    ),
  );
  app.use(
    withdrawalRoutes(
      newWithdrawalService({ ledger, writer, settings }),
      newItemValidator(openApiDocument, 'Withdrawal'),
    ),
  );
  app.use(banRoutes(newBanService({ ledger, writer, settings })));
  app.use(certificateRoutes(newCertificateService({ ledger, writer, directory, settings })));
  app.use(auditRoutes(audit, lookups));
  app.use(
    eventRoutes({
      events: newEventService({
        ledger,
        replayBlocks: settings.sseReplayBlocks ?? LIMIT_DEFAULTS.sseReplayBlocks,
      }),
      logger,
      heartbeatMs: settings.sseHeartbeatMs,
      stallTimeoutMs: settings.sseStallTimeoutMs,
      shutdown: options.shutdown,
      streamsPerKey: settings.sseStreamsPerKey ?? LIMIT_DEFAULTS.sseStreamsPerKey,
      streamsPerGateway: settings.sseStreamsPerGateway ?? LIMIT_DEFAULTS.sseStreamsPerGateway,
    }),
  );
  app.use(notFound);
  app.use(problemHandler(logger));
  return app;
}

const validations = new WeakMap<Express, OpenApiValidation>();

/**
 * Compiles the request validators of every operation of an app built by {@link createApp}, in-process
 * (no socket, no ledger call, no response): the gateway awaits it before listening, so that no
 * operation's first request pays for compiling them. Without it they are compiled on first use.
 */
export async function prepareApp(app: Express): Promise<void> {
  await validations.get(app)?.prepare(app);
}

/** A one-minute rate limit answering 429 RATE_LIMITED with `message`; per client address unless keyed otherwise. */
function perMinute(
  limit: number,
  message: string,
  options: Pick<Parameters<typeof rateLimit>[0] & object, 'skip' | 'keyGenerator'> = {},
): express.RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit,
    ...options,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next) => {
      next(new ApiError('RATE_LIMITED', message));
    },
  });
}

/**
 * Charges the caller's key `cost(req)` units of `budget` (nothing for key-less requests), or refuses
 * with 429 RATE_LIMITED and Retry-After when that is more than is left: nothing is then done.
 */
function chargeKey(budget: Budget, cost: (req: express.Request) => number): express.RequestHandler {
  return (req, res, next) => {
    if (!isAuthenticated(req)) {
      next();
      return;
    }
    const units = cost(req);
    const state = units > 0 ? budget.take(callerOf(req).keyId, units) : budget.state(callerOf(req).keyId);
    res.setHeader('RateLimit-Policy', `"per-key";q=${state.limit};w=60`);
    res.setHeader('RateLimit', `"per-key";r=${state.remaining};t=${state.resetSeconds}`);
    next();
  };
}

/** Items of a batch body the OpenAPI validator let through (1 to BATCH_MAX_ITEMS). */
function batchSize(req: express.Request): number {
  const items = (req.body as { items?: unknown } | undefined)?.items;
  return Array.isArray(items) ? items.length : 1;
}

/** While draining, requests arriving on kept-alive connections are refused and the connection closed. */
function refuseWhileDraining(shutdown: AbortSignal | undefined): express.RequestHandler {
  return (_req, res, next) => {
    if (shutdown?.aborted === true) {
      res.setHeader('Connection', 'close');
      next(new ApiError('UNAVAILABLE', 'the gateway is shutting down', { retryAfterSeconds: 1 }));
      return;
    }
    next();
  };
}
