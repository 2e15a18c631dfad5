import { canonicalJson } from '../domain';
import { ApiError, invalidField } from '../errors';
import type { EventPosition, LedgerClient, LedgerEvent } from '../fabric/ledger-client';
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

/**
 * The source's events until `closed` resolves, then done at once, even while the source is waiting
 * for its next event: a closed Fabric event stream does not end the pending read (seen on the real
 * network), which would keep the subscriber's request, and its stream slot, forever.
 */
function untilClosed<T>(source: AsyncIterable<T>, closed: Promise<void>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]: () => {
      const iterator = source[Symbol.asyncIterator]();
      const end = closed.then((): IteratorResult<T> => ({ done: true, value: undefined }));
      return {
        next: () => Promise.race([iterator.next(), end]),
      };
    },
  };
}

async function* filtered(caller: Caller, source: AsyncIterable<LedgerEvent>): AsyncGenerator<SseMessage> {
  for await (const event of source) {
    const payload = payloadOf(event);
    if (visibleTo(caller, payload)) {
      yield toMessage(event, payload);
    }
  }
}

export interface EventServiceOptions {
  readonly ledger: LedgerClient;
  /** How many blocks back from the channel's height a Last-Event-ID may resume (the replay window). */
  readonly replayBlocks: number;
}

/** 410: the Last-Event-ID is older than the replay window; `oldestBlock` is where a stream may start. */
export class ReplayWindowError extends ApiError {
  readonly oldestBlock: bigint;

  constructor(asked: bigint, oldestBlock: bigint, replayBlocks: number) {
    super(
      'REPLAY_WINDOW_EXCEEDED',
      `Last-Event-ID: block ${asked.toString()} is older than the replay window of ${replayBlocks} blocks; ` +
        `read the current records, then resume from block ${oldestBlock.toString()} (X-Replay-Window-Start)`,
    );
    this.oldestBlock = oldestBlock;
  }
}

class EventServiceImpl implements EventService {
  readonly #ledger: LedgerClient;
  readonly #replayBlocks: number;

  constructor(options: Readonly<EventServiceOptions>) {
    this.#ledger = options.ledger;
    this.#replayBlocks = options.replayBlocks;
  }

  async open(caller: Caller, lastEventId: string | undefined): Promise<SseStream> {
    const from = parseLastEventId(lastEventId);
    if (from !== undefined) {
      const { height } = await this.#ledger.chainInfo();
      const window = BigInt(this.#replayBlocks);
      const oldest = height > window ? height - window : 0n;
      if (from.blockNumber < oldest) {
        throw new ReplayWindowError(from.blockNumber, oldest, this.#replayBlocks);
      }
    }
    const source = await this.#ledger.events(from);
    let markClosed = (): void => undefined;
    const closed = new Promise<void>((resolve) => {
      markClosed = resolve;
    });
    return {
      close: () => {
        markClosed();
        source.close();
      },
      [Symbol.asyncIterator]: () => filtered(caller, untilClosed(source, closed)),
    };
  }
}

/**
 * Each subscriber gets its own replay from the ledger, starting after its Last-Event-ID. The ledger
 * is the log, so a reconnect after a gateway restart loses nothing and repeats nothing, within the
 * replay window: a position older than `replayBlocks` blocks is refused (410), never silently
 * shortened, so a client cannot miss events without being told.
 */
export function newEventService(options: Readonly<EventServiceOptions>): EventService {
  return new EventServiceImpl(options);
}
