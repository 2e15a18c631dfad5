import { ApiError } from '../errors';

/** One window of a budget: at most `limit` units per `ms`, counted in fixed windows. */
export interface BudgetWindow {
  readonly ms: number;
  readonly limit: number;
  /** How the 429's detail names the window: "a minute", "a day". */
  readonly per: string;
}

/** What is left of a key's tightest window, for the RateLimit headers. */
export interface BudgetState {
  readonly limit: number;
  readonly remaining: number;
  readonly resetSeconds: number;
}

/**
 * Units per key over one or more fixed windows (a window starts at the key's first use after the last
 * one ended, as express-rate-limit counts). `take` charges every window or none: a cost larger than
 * what is left is refused whole with 429 RATE_LIMITED and a Retry-After that says when it would fit.
 * Memory: one counter per window per key seen (keys are the configured API keys).
 */
export interface Budget {
  take(key: string, cost: number, now?: number): BudgetState;
  state(key: string, now?: number): BudgetState;
}

interface Counter {
  resetAt: number;
  used: number;
}

export function newBudget(what: string, windows: readonly BudgetWindow[]): Budget {
  if (windows.length === 0) throw new Error('a budget needs at least one window');
  const counters = new Map<string, Counter[]>();
  const current = (key: string, now: number): Counter[] => {
    let list = counters.get(key);
    if (list === undefined) {
      list = windows.map(() => ({ resetAt: 0, used: 0 }));
      counters.set(key, list);
    }
    list.forEach((counter, i) => {
      if (now >= counter.resetAt) {
        counter.used = 0;
        counter.resetAt = now + (windows[i]?.ms ?? 0);
      }
    });
    return list;
  };
  const stateOf = (list: readonly Counter[], now: number): BudgetState => {
    let tightest: BudgetState | undefined;
    windows.forEach((window, i) => {
      const counter = list[i] ?? { resetAt: now, used: 0 };
      const remaining = Math.max(0, window.limit - counter.used);
      if (tightest === undefined || remaining < tightest.remaining) {
        tightest = {
          limit: window.limit,
          remaining,
          resetSeconds: Math.max(1, Math.ceil((counter.resetAt - now) / 1000)),
        };
      }
    });
    return tightest ?? { limit: 0, remaining: 0, resetSeconds: 1 };
  };
  return {
    take(key, cost, now = Date.now()) {
      const list = current(key, now);
      const over = windows.flatMap((window, i) => {
        const counter = list[i];
        return counter !== undefined && counter.used + cost > window.limit ? [{ window, counter }] : [];
      });
      if (over.length > 0) {
        const retryAfterSeconds = Math.max(
          ...over.map(({ counter }) => Math.max(1, Math.ceil((counter.resetAt - now) / 1000))),
        );
        const first = over[0]?.window;
        const detail =
          first === undefined
            ? `${what}: over the limit`
            : cost > first.limit
              ? `${what}: ${cost} units asked, at most ${first.limit} ${first.per} for this key`
              : `${what}: more than ${first.limit} ${first.per} for this key` +
                (cost > 1
                  ? ` (${cost} units asked, ${Math.max(0, first.limit - (over[0]?.counter.used ?? 0))} left)`
                  : '');
        throw new ApiError('RATE_LIMITED', detail, { retryAfterSeconds });
      }
      for (const counter of list) counter.used += cost;
      return stateOf(list, now);
    },
    state(key, now = Date.now()) {
      return stateOf(current(key, now), now);
    },
  };
}
