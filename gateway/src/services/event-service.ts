import { canonicalJson } from '../domain';
import { invalidField } from '../errors';
import type { EventPosition, EventStream, LedgerClient, LedgerEvent } from '../fabric/ledger-client';
import type { Caller } from './caller';
import { isJsonObject, type JsonObject } from './json-record';

/** One Server-Sent Event. `id` is `<blockNumber>:<txId>`: ordered, and enough to resume after. */
export interface SseMessage {
  readonly id: string;
  readonly event: string;
  readonly data: string;
}

export interface SseStream extends AsyncIterable<SseMessage> {
  close(): void;
}

export interface EventService {
  open(caller: Caller, lastEventId: string | undefined): Promise<SseStream>;
}

const LAST_EVENT_ID = /^(\d{1,19})(?::([0-9a-f]{64}))?$/;

/**
 * `<block>:<txId>` resumes just after that transaction; `<block>` starts at the beginning of that
 * block (so `0` replays the whole channel).
 */
export function parseLastEventId(value: string | undefined): EventPosition | undefined {
  if (value === undefined || value.trim() === '') {
    return undefined;
  }
  const match = LAST_EVENT_ID.exec(value.trim());
  if (!match?.[1]) {
    throw invalidField('Last-Event-ID', 'must be <blockNumber> or <blockNumber>:<txId>');
  }
  return { blockNumber: BigInt(match[1]), txId: match[2] };
}

function payloadOf(event: LedgerEvent): JsonObject {
  try {
    const parsed: unknown = JSON.parse(event.payload);
    return isJsonObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/** Operators see events that name their centre; auditors see all. */
function visibleTo(caller: Caller, payload: JsonObject): boolean {
  if (caller.role === 'auditor') {
    return true;
  }
  const centres = payload.centres;
  return Array.isArray(centres) && centres.includes(caller.centreCode);
}

function toMessage(event: LedgerEvent, payload: JsonObject): SseMessage {
  const type = typeof payload.type === 'string' ? payload.type : event.name;
  return {
    id: `${event.blockNumber.toString()}:${event.txId}`,
    event: type,
    data: canonicalJson({ ...payload, blockNumber: event.blockNumber.toString(), txId: event.txId }),
  };
}

async function* filtered(caller: Caller, source: EventStream): AsyncGenerator<SseMessage> {
  for await (const event of source) {
    const payload = payloadOf(event);
    if (visibleTo(caller, payload)) {
      yield toMessage(event, payload);
    }
  }
}

export interface EventServiceOptions {
  readonly ledger: LedgerClient;
}

class EventServiceImpl implements EventService {
  readonly #ledger: LedgerClient;

  constructor(options: Readonly<EventServiceOptions>) {
    this.#ledger = options.ledger;
  }

  async open(caller: Caller, lastEventId: string | undefined): Promise<SseStream> {
    const from = parseLastEventId(lastEventId);
    const source = await this.#ledger.events(from);
    return {
      close: () => {
        source.close();
      },
      [Symbol.asyncIterator]: () => filtered(caller, source),
    };
  }
}

/**
 * Each subscriber gets its own replay from the ledger, starting after its Last-Event-ID. The ledger
 * is the log, so a reconnect after a gateway restart loses nothing and repeats nothing.
 */
export function newEventService(options: Readonly<EventServiceOptions>): EventService {
  return new EventServiceImpl(options);
}
