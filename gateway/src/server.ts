import { once } from 'node:events';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { createApp, prepareApp } from './app';
import { isLoopback, type GatewayConfig } from './config';
import { closeConnection, openConnection } from './fabric/connection';
import { newFabricLedgerClient } from './fabric/fabric-ledger-client';
import { drainable } from './http/drain';
import { operationsApp } from './http/routes/operations';
import { newMetrics } from './metrics';
import { newAuditService } from './services/audit-service';
import { LedgerIndex } from './services/ledger-index';
import { startLedgerIndexer } from './services/ledger-indexer';
import { newReadiness } from './services/readiness';
import { newVerificationCache } from './services/verification-cache';

export interface RunningGateway {
  readonly server: Server;
  /** The operations listener (/metrics, /healthz, /readyz), when HPF_GW_OPERATIONS_PORT is set. */
  readonly operations: Server | null;
  readonly logger: Logger;
  /**
   * Stops accepting, reports not ready, ends event streams, lets requests in flight finish (up to
   * `graceMs`, default HPF_GW_DRAIN_TIMEOUT_MS), then closes the Gateway and gRPC.
   */
  close(graceMs?: number): Promise<void>;
}

/** How long an idle kept-alive connection stays open (see `startGateway`). */
const KEEP_ALIVE_MS = 65_000;

/** Connects to the peer, builds the app and listens. The process entry is main.ts. */
export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const logger = pino({ level: config.logLevel, base: { service: 'hpf-gateway', mspId: config.mspId } });
  const metrics = newMetrics({ defaultMetrics: true });
  const connection = await openConnection(config);
  const network = connection.gateway.getNetwork(config.channel);
  const ledger = newFabricLedgerClient({
    network,
    chaincode: config.chaincode,
    metrics,
    mspId: config.mspId,
  });
  const readiness = newReadiness({
    ledger,
    mspId: config.mspId,
    timeoutMs: config.readinessTimeoutMs,
    cacheMs: config.readinessCacheMs,
  });
  const shutdown = new AbortController();
  const verifications = newVerificationCache({ maxEntries: 10_000, maxAgeMs: 5_000 });
  const index = new LedgerIndex({ file: path.join(config.dataDir, 'index.sqlite') });
  const indexer = startLedgerIndexer({
    ledger,
    index,
    // No verification cache: the indexer must see each record as the ledger holds it now.
    audit: newAuditService({ ledger, settings: config }),
    // The one event stream of this gateway: it also counts events by type for /metrics and drops
    // the cached verification answers of the attestations they concern.
    onEvent: (type, attestationId) => {
      metrics.ledgerEvents.inc({ type });
      if (attestationId !== undefined) verifications.invalidate(attestationId);
    },
    onError: (err: unknown) => {
      verifications.clear();
      logger.warn({ err }, 'index listener reconnecting');
    },
    retryDelayMs: 5_000,
  });
  const readinessDetails = (): Readonly<Record<string, unknown>> => ({
    indexCheckpoint: index.position(),
  });
  const app = createApp({
    index,
    ledger,
    logger,
    metrics,
    readiness,
    readinessDetails,
    shutdown: shutdown.signal,
    verifications,
    settings: {
      ...config,
      bodyLimit: '32kb',
      batchBodyLimit: '512kb',
      maxConflictRetries: 4,
      conflictBackoffMs: 50,
      sseHeartbeatMs: 15_000,
      sseStallTimeoutMs: 30_000,
      secureCookies: config.https !== null,
    },
  });
  await prepareApp(app);
  const server = serve(config, app);
  server.listen(config.port, config.host);
  // Idle kept-alive connections stay open longer than any client keeps them (undici: 4 s; proxies:
  // 60 s), so the gateway never closes a socket that a client is about to reuse: such a request would
  // fail with "other side closed" before reaching us. Draining still closes idle connections at once.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;
  const draining = drainable(server);
  await once(server, 'listening');
  const scheme = config.https === null ? 'http' : 'https';
  logger.info(
    { scheme, host: config.host, port: config.port, centreCode: config.centreCode },
    'gateway listening',
  );
  let operations: Server | null = null;
  if (config.operationsPort !== null) {
    operations = serve(
      config,
      operationsApp({ readiness, metrics, logger, readinessDetails }),
      config.operationsHost,
    );
    operations.listen(config.operationsPort, config.operationsHost);
    await once(operations, 'listening');
    logger.info({ host: config.operationsHost, port: config.operationsPort }, 'operations listening');
  }

  const close = async (graceMs = config.drainTimeoutMs): Promise<void> => {
    readiness.shutDown();
    shutdown.abort();
    indexer.stop();
    operations?.close();
    operations?.closeAllConnections();
    const { forced } = await draining.drain(graceMs);
    closeConnection(connection);
    index.close();
    logger.info({ graceMs, forced }, 'gateway closed');
  };
  return { server, logger, operations, close };
}

/**
 * An HTTPS server with the gateway's TLS pair when it has one (always when it binds a non-loopback
 * address: config.ts refuses otherwise), else plain HTTP. The operations listener on loopback stays
 * plain HTTP even then, so that local scrapers need no CA.
 */
export function serve(
  config: Pick<GatewayConfig, 'https' | 'host'>,
  app: RequestListener,
  host = config.host,
): Server {
  if (config.https === null || (host !== config.host && isLoopback(host))) return createHttpServer(app);
  return createHttpsServer({ cert: config.https.cert, key: config.https.key }, app);
}
