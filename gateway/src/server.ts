import { once } from 'node:events';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { checkpointers } from '@hyperledger/fabric-gateway';
import { pino, type Logger } from 'pino';
import { createApp } from './app';
import type { GatewayConfig } from './config';
import { closeConnection, openConnection } from './fabric/connection';
import { newFabricLedgerClient } from './fabric/fabric-ledger-client';
import { newMetrics } from './metrics';
import { startEventListener } from './services/event-listener';
import { newVerificationCache } from './services/verification-cache';

export interface RunningGateway {
  readonly server: Server;
  readonly logger: Logger;
  /** Stops accepting, drains open requests (up to `graceMs`), then closes the Gateway and gRPC. */
  close(graceMs?: number): Promise<void>;
}

function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
    });
  });
  return sockets;
}

/** Connects to the peer, builds the app and listens. The process entry is main.ts. */
export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const logger = pino({ level: config.logLevel, base: { service: 'hpf-gateway', mspId: config.mspId } });
  const metrics = newMetrics({ defaultMetrics: true });
  const connection = await openConnection(config);
  const network = connection.gateway.getNetwork(config.channel);
  const ledger = newFabricLedgerClient({ network, chaincode: config.chaincode, metrics });
  const verifications = newVerificationCache({ maxEntries: 10_000, maxAgeMs: 5_000 });
  const checkpoint = await checkpointers.file(path.join(config.dataDir, 'events-checkpoint.json'));
  const listener = startEventListener({
    ledger,
    checkpoint,
    onEvent: (type, attestationId) => {
      metrics.ledgerEvents.inc({ type });
      if (attestationId !== undefined) verifications.invalidate(attestationId);
    },
    onError: (err: unknown) => {
      verifications.clear();
      logger.warn({ err }, 'event listener reconnecting');
    },
    retryDelayMs: 5_000,
  });
  const app = createApp({
    ledger,
    logger,
    metrics,
    readiness: () => ({ eventCheckpoint: listener.position() }),
    verifications,
    settings: {
      ...config,
      bodyLimit: '32kb',
      maxConflictRetries: 4,
      conflictBackoffMs: 50,
      sseHeartbeatMs: 15_000,
    },
  });
  const server = app.listen(config.port, config.host);
  await once(server, 'listening');
  const sockets = trackSockets(server);
  logger.info({ host: config.host, port: config.port, centreCode: config.centreCode }, 'gateway listening');

  const close = async (graceMs = 10_000): Promise<void> => {
    const closed = new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
    server.closeIdleConnections();
    listener.stop();
    const timer = setTimeout(() => {
      // SSE streams and stuck requests do not end by themselves.
      for (const socket of sockets) {
        socket.destroy();
      }
    }, graceMs);
    await closed;
    clearTimeout(timer);
    closeConnection(connection);
    logger.info('gateway closed');
  };
  return { server, logger, close };
}
