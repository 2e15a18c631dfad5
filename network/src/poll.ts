/** Waiting for processes of the local consortium to become ready: one bounded polling loop for all. */

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
