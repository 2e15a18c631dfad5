import type { Response } from 'express';
import { Router } from 'express';
import type { Logger } from 'pino';
import { ApiError } from '../../errors';
import { ReplayWindowError, type EventService, type SseStream } from '../../services/event-service';
import { callerOf } from '../auth';

export interface EventRouteOptions {
  readonly events: EventService;
  readonly logger: Logger;
  readonly heartbeatMs: number;
  /**
   * How long a subscriber may leave the gateway's send buffer full before its stream is ended (it
   * reconnects with Last-Event-ID and misses nothing).
   */
  readonly stallTimeoutMs: number;
  /** Aborted when the gateway shuts down: every stream ends, so draining does not wait for them. */
  readonly shutdown?: AbortSignal;
  /** Streams open at once per key and on the whole gateway (429 RATE_LIMITED above either). */
  readonly streamsPerKey: number;
  readonly streamsPerGateway: number;
}

/** Seconds a client refused a stream waits before trying again. */
const STREAM_RETRY_AFTER_S = 5;

/**
 * Open streams per key and in all. A slot is taken before the stream is opened (so concurrent
 * requests cannot both take the last one) and given back exactly once when the stream ends.
 */
function newStreamSlots(perKey: number, perGateway: number) {
  const byKey = new Map<string, number>();
  let total = 0;
  return {
    take(keyId: string): () => void {
      const mine = byKey.get(keyId) ?? 0;
      if (mine >= perKey || total >= perGateway) {
        throw new ApiError(
          'RATE_LIMITED',
          mine >= perKey
            ? `more than ${perKey} event streams open at once for this key; close one first`
            : `more than ${perGateway} event streams open at once on this gateway`,
          { retryAfterSeconds: STREAM_RETRY_AFTER_S },
        );
      }
      byKey.set(keyId, mine + 1);
      total += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        total -= 1;
        const left = (byKey.get(keyId) ?? 1) - 1;
        if (left > 0) byKey.set(keyId, left);
        else byKey.delete(keyId);
      };
    },
  };
}

type Flow = 'written' | 'closed' | 'stalled';

/**
 * Waits until the response's buffer has drained after `write()` returned false, the client went
 * away, or `timeoutMs` passed. Nothing else is written meanwhile, so what the gateway holds for one
 * subscriber is bounded by the socket's high-water mark plus one message.
 */
function drained(res: Response, timeoutMs: number, shutdown: AbortSignal | undefined): Promise<Flow> {
  return new Promise((resolve) => {
    const done = (flow: Flow): void => {
      clearTimeout(timer);
      res.off('drain', onDrain);
      res.off('close', onClose);
      shutdown?.removeEventListener('abort', onClose);
      resolve(flow);
    };
    const onDrain = (): void => {
      done('written');
    };
    const onClose = (): void => {
      done('closed');
    };
    const timer = setTimeout(() => {
      done('stalled');
    }, timeoutMs);
    res.on('drain', onDrain);
    res.on('close', onClose);
    shutdown?.addEventListener('abort', onClose);
  });
}

/**
 * Writes the stream's messages, pulling the next only when the last one is on its way. Returns true
 * when the subscriber stalled (its buffer stayed full for `stallTimeoutMs`).
 */
async function pump(
  stream: SseStream,
  res: Response,
  options: Readonly<EventRouteOptions>,
): Promise<boolean> {
  for await (const message of stream) {
    if (res.destroyed || options.shutdown?.aborted === true) return false;
    if (!res.write(`id: ${message.id}\nevent: ${message.event}\ndata: ${message.data}\n\n`)) {
      const flow = await drained(res, options.stallTimeoutMs, options.shutdown);
      if (flow !== 'written') return flow === 'stalled';
    }
  }
  return false;
}

/** GET /v1/events: Server-Sent Events, one replay stream per subscriber, paced by the subscriber. */
export function eventRoutes(options: Readonly<EventRouteOptions>): Router {
  const router = Router();
  const slots = newStreamSlots(options.streamsPerKey, options.streamsPerGateway);
  router.get('/v1/events', async (req, res) => {
    const caller = callerOf(req);
    const release = slots.take(caller.keyId);
    let stream: SseStream;
    try {
      stream = await options.events.open(caller, req.get('last-event-id'));
    } catch (err) {
      release();
      if (err instanceof ReplayWindowError) {
        res.setHeader('X-Replay-Window-Start', err.oldestBlock.toString());
      }
      throw err;
    }
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write('retry: 3000\n\n');
    const heartbeat = setInterval(() => {
      // A subscriber that is behind gets no heartbeat: it has data waiting.
      if (!res.writableNeedDrain) res.write(': keep-alive\n\n');
    }, options.heartbeatMs);
    const close = (): void => {
      release();
      stream.close();
    };
    req.on('close', close);
    options.shutdown?.addEventListener('abort', close);
    let stalled = false;
    try {
      stalled = await pump(stream, res, options);
    } catch (err) {
      options.logger.warn({ err }, 'event stream ended with an error');
    } finally {
      release();
      clearInterval(heartbeat);
      options.shutdown?.removeEventListener('abort', close);
      stream.close();
      if (stalled) {
        // Whatever is still buffered for a stalled subscriber is dropped, not kept.
        options.logger.info(
          { stallTimeoutMs: options.stallTimeoutMs },
          'event subscriber stalled; stream ended',
        );
        res.destroy();
      } else {
        res.end();
      }
    }
  });
  return router;
}
