import { Network, Runtime } from '../../network';
import { testConsortium } from './consortium';

/** HTTP helpers for end-to-end tests against the gateways that global setup started. */

export interface HttpResult {
  readonly status: number;
  readonly contentType: string;
  readonly body: Record<string, unknown>;
}

export function gateways(): Runtime.GatewayInfo[] {
  const consortium = testConsortium();
  return new Network(consortium).gateways();
}

export function gatewayOf(mspId: string): Runtime.GatewayInfo {
  const found = gateways().find((g) => g.mspId === mspId);
  if (found === undefined) throw new Error(`no gateway for ${mspId}`);
  return found;
}

export function keyOf(gateway: Runtime.GatewayInfo, role: 'operator' | 'auditor'): string {
  const key = gateway.apiKeys[role];
  if (key === undefined) throw new Error(`${gateway.mspId} has no ${role} key`);
  return key;
}

export async function call(
  gateway: Runtime.GatewayInfo,
  role: 'operator' | 'auditor',
  method: string,
  path: string,
  body?: unknown,
): Promise<HttpResult> {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${keyOf(gateway, role)}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  }).catch((error: unknown) => {
    // fetch says only "fetch failed"; the cause (refused, reset, timeout) is what a reader needs.
    const cause = (error as { cause?: unknown }).cause;
    throw new Error(
      `${method} ${gateway.url}${path} (${gateway.mspId}): ${String(error)}: ${String(cause)}`,
      {
        cause: error,
      },
    );
  });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

export interface SseEvent {
  readonly id: string;
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/** Parses the complete `\n\n`-terminated events at the front of `buffer`; returns the unparsed rest. */
function takeEvents(buffer: string, into: SseEvent[]): string {
  let rest = buffer;
  let end: number;
  while ((end = rest.indexOf('\n\n')) >= 0) {
    const lines = rest
      .slice(0, end)
      .split('\n')
      .filter((l) => !l.startsWith(':') && l.includes(': '));
    rest = rest.slice(end + 2);
    const fields = new Map(lines.map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
    const id = fields.get('id');
    const data = fields.get('data');
    if (id !== undefined && data !== undefined) {
      into.push({ id, event: fields.get('event') ?? '', data: JSON.parse(data) as Record<string, unknown> });
    }
  }
  return rest;
}

/**
 * Reads Server-Sent Events until `until` says stop or `timeoutMs` passes (bounded either way), then
 * disconnects. `lastEventId` resumes after that event.
 */
export async function readEvents(
  gateway: Runtime.GatewayInfo,
  role: 'operator' | 'auditor',
  options: { lastEventId?: string; until: (events: readonly SseEvent[]) => boolean; timeoutMs?: number },
): Promise<SseEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 20_000);
  const events: SseEvent[] = [];
  const resume: Record<string, string> =
    options.lastEventId === undefined ? {} : { 'last-event-id': options.lastEventId };
  try {
    const response = await fetch(`${gateway.url}/v1/events`, {
      headers: { authorization: `Bearer ${keyOf(gateway, role)}`, ...resume },
      signal: controller.signal,
    });
    if (response.body === null) throw new Error(`no event stream (status ${response.status})`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer = takeEvents(buffer + decoder.decode(chunk as Uint8Array, { stream: true }), events);
      if (options.until(events)) break;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}
