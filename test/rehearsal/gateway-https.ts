import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * What a gateway on another host answers: over HTTPS trusting only its organisation's TLS CA, over
 * plain HTTP, and on its operations listener (its host's loopback). Each probe is bounded.
 */

export interface Answer {
  /** The HTTP status, or the error's code when no HTTP answer came (a TLS or connection failure). */
  readonly status: number | string;
  readonly setCookie: string;
}

const TIMEOUT_MS = 10_000;

/** One request; `ca` makes it HTTPS trusting only that CA. */
export function ask(
  url: string,
  options: { ca?: string; method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        timeout: TIMEOUT_MS,
        ...(options.ca === undefined ? {} : { ca: readFileSync(options.ca) }),
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, setCookie: String(res.headers['set-cookie'] ?? '') });
        });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => {
      resolve({ status: error.code ?? error.message, setCookie: '' });
    });
    req.end(options.body);
  });
}

/** The status of GET `url` asked from inside network namespace `netns` (that host's loopback). */
export function askInside(netns: string, url: string): number | string {
  const script = `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(${TIMEOUT_MS}) }).then((r) => console.log(r.status), (e) => console.log(String(e.cause?.code ?? e)))`;
  const result = spawnSync('ip', ['netns', 'exec', netns, process.execPath, '-e', script], {
    encoding: 'utf8',
    timeout: TIMEOUT_MS + 5_000,
  });
  const out = result.stdout.trim();
  return /^\d+$/.test(out) ? Number(out) : out || `exit ${String(result.status)}`;
}
