/** Waiting for processes of the local consortium to become ready: one bounded polling loop for all. */

/** Where long steps report their progress, a line at a time. */
export type Log = (line: string) => void;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface PollOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  /** The error to throw when time is up; gets what the last probe threw, if anything. */
  readonly failure: (lastError: unknown) => Error;
}

/**
 * Calls `probe` every `intervalMs` until it returns a value (not undefined); a probe that throws counts
 * as not ready yet. Stops after `timeoutMs` with `failure`, so no wait is unbounded.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  options: Readonly<PollOptions>,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw options.failure(lastError);
    await sleep(options.intervalMs);
  }
}

/**
 * Runs `task` over `items` with at most `limit` in flight, in order of `items` (later ones start as
 * earlier ones finish). After a failure no new item starts; fails with the first error once the tasks
 * already running have settled.
 */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next] as T;
      next += 1;
      try {
        await task(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const results = await Promise.allSettled(
    Array.from({ length: Math.min(limit, items.length) }, () => worker()),
  );
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected !== undefined) throw rejected.reason;
}
