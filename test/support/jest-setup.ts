// Integration tests wait on a real network (a restart includes a Raft election): allow 3 minutes each.
jest.setTimeout(180_000);

/**
 * A stale pooled connection is retried once, as HTTP clients do for a request the server never read.
 *
 * The tests share one process (`--runInBand`) and so one fetch connection pool with global setup. A
 * gateway closes a connection idle for 65 s; fetch drops it after the server's keep-alive hint, on a
 * timer. When the test process is busy for longer than that (loading a test file's modules took 60 s
 * on a loaded 2-core machine), the timer has not run, the next request goes out on a socket the
 * gateway has closed, and fetch fails at once with `other side closed` before the gateway sees
 * anything. Only that failure is retried, and only with a body that can be sent again; every other
 * error, and every HTTP answer, reaches the test unchanged.
 */
const STALE_SOCKET_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);
const plainFetch = globalThis.fetch;

function staleSocket(error: unknown): boolean {
  if (!(error instanceof TypeError)) return false;
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' && STALE_SOCKET_CODES.has(cause.code);
}

function replayable(body: RequestInit['body']): boolean {
  return body === undefined || body === null || typeof body === 'string' || body instanceof URLSearchParams;
}

globalThis.fetch = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
  try {
    return await plainFetch(input, init);
  } catch (error) {
    if (!staleSocket(error) || !replayable(init?.body) || input instanceof Request) throw error;
    return plainFetch(input, init);
  }
};
