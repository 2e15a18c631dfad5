import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface DrainResult {
  /** Connections still busy when the grace time ran out, destroyed. */
  readonly forced: number;
}

export interface Drainable {
  /**
   * Stops accepting connections, lets requests in flight finish (each answer closes its connection),
   * closes idle kept-alive connections, and after `graceMs` destroys whatever is left. Resolves once
   * the server is closed; never later than `graceMs` plus the time sockets take to close.
   */
  drain(graceMs: number): Promise<DrainResult>;
}

/** How often idle kept-alive connections are closed while draining (they become idle as answers finish). */
const IDLE_SWEEP_MS = 50;

/** Tracks a server's connections and requests in flight so that it can be drained, bounded. */
export function drainable(server: Server): Drainable {
  const sockets = new Set<Socket>();
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
    });
  });
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (draining && !res.headersSent) res.setHeader('Connection', 'close');
    inFlight.add(res);
    res.on('close', () => {
      inFlight.delete(res);
    });
  });
  return {
    async drain(graceMs: number): Promise<DrainResult> {
      draining = true;
      const closed = new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      for (const res of inFlight) {
        if (!res.headersSent) res.setHeader('Connection', 'close');
      }
      server.closeIdleConnections();
      const sweep = setInterval(() => {
        server.closeIdleConnections();
      }, IDLE_SWEEP_MS);
      let forced = 0;
      const timer = setTimeout(() => {
        forced = sockets.size;
        for (const socket of sockets) socket.destroy();
      }, graceMs);
      try {
        await closed;
      } finally {
        clearInterval(sweep);
        clearTimeout(timer);
      }
      return { forced };
    },
  };
}
