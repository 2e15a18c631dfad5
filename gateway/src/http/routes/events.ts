import { Router } from 'express';
import type { Logger } from 'pino';
import type { EventService } from '../../services/event-service';
import { callerOf } from '../auth';

export interface EventRouteOptions {
  readonly events: EventService;
  readonly logger: Logger;
  readonly heartbeatMs: number;
}

/** GET /v1/events: Server-Sent Events, one replay stream per subscriber. */
export function eventRoutes(options: Readonly<EventRouteOptions>): Router {
  const router = Router();
  router.get('/v1/events', async (req, res) => {
    const stream = await options.events.open(callerOf(req), req.get('last-event-id'));
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write('retry: 3000\n\n');
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), options.heartbeatMs);
    req.on('close', () => {
      stream.close();
    });
    try {
      for await (const message of stream) {
        res.write(`id: ${message.id}\nevent: ${message.event}\ndata: ${message.data}\n\n`);
      }
    } catch (err) {
      options.logger.warn({ err }, 'event stream ended with an error');
    } finally {
      clearInterval(heartbeat);
      res.end();
    }
  });
  return router;
}
