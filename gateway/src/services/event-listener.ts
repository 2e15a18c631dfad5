import type { LedgerClient, EventStream, LedgerEvent } from '../fabric/ledger-client';

/** The part of fabric-gateway's Checkpointer the listener uses (a file checkpointer in production). */
export interface ListenerCheckpoint {
  getBlockNumber(): bigint | undefined;
  getTransactionId(): string | undefined;
  checkpointTransaction(blockNumber: bigint, transactionId: string): Promise<void>;
}

export interface EventListenerOptions {
  readonly ledger: LedgerClient;
  readonly checkpoint: ListenerCheckpoint;
  /**
   * Called for every event, in ledger order, before the checkpoint moves past it, with the payload's
   * typed `attestationId` (`transfer:…`, `withdrawal:<centre>:…`; none for registry events). When it
   * returns a promise, the listener waits for it (an error reconnects from the checkpoint).
   */
  readonly onEvent: (
    type: string,
    attestationId: string | undefined,
    event: LedgerEvent,
  ) => void | Promise<void>;
  readonly onError: (err: unknown) => void;
  readonly retryDelayMs: number;
}

export interface EventListener {
  /** `<block>:<txId>` of the last event processed, or null before the first. */
  position(): string | null;
  stop(): void;
}

/** The event's `type` (or its name) and the typed attestation ID it concerns, from the JSON payload. */
export function typeAndAttestationId(
  payload: string,
  fallback: string,
): { type: string; attestationId: string | undefined } {
  try {
    const parsed: unknown = JSON.parse(payload);
    if (parsed !== null && typeof parsed === 'object') {
      const fields = parsed as { type?: unknown; attestationId?: unknown };
      return {
        type: typeof fields.type === 'string' ? fields.type : fallback,
        attestationId: typeof fields.attestationId === 'string' ? fields.attestationId : undefined,
      };
    }
  } catch {
    // not JSON: count it under its event name
  }
  return { type: fallback, attestationId: undefined };
}

class EventListenerImpl implements EventListener {
  readonly #options: Readonly<EventListenerOptions>;
  #stream: EventStream | undefined;
  #stopped = false;

  constructor(options: Readonly<EventListenerOptions>) {
    this.#options = options;
  }

  position(): string | null {
    const block = this.#options.checkpoint.getBlockNumber();
    const txId = this.#options.checkpoint.getTransactionId();
    return block === undefined || txId === undefined ? null : `${block.toString()}:${txId}`;
  }

  async #runOnce(): Promise<void> {
    const { checkpoint } = this.#options;
    const block = checkpoint.getBlockNumber();
    this.#stream = await this.#options.ledger.events(
      block === undefined ? undefined : { blockNumber: block, txId: checkpoint.getTransactionId() },
    );
    for await (const event of this.#stream) {
      const { type, attestationId } = typeAndAttestationId(event.payload, event.name);
      await this.#options.onEvent(type, attestationId, event);
      await checkpoint.checkpointTransaction(event.blockNumber, event.txId);
    }
  }

  #isStopped(): boolean {
    return this.#stopped;
  }

  async run(): Promise<void> {
    while (!this.#isStopped()) {
      try {
        await this.#runOnce();
      } catch (err) {
        if (!this.#isStopped()) {
          this.#options.onError(err);
        }
      }
      if (!this.#isStopped()) {
        await new Promise((resolve) => setTimeout(resolve, this.#options.retryDelayMs));
      }
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#stream?.close();
  }
}

/**
 * The gateway's own checkpointed reader of the chaincode event stream: it resumes from its
 * checkpoint file after a restart and feeds off-chain statistics (the events counter in /metrics),
 * so no hot counter key is needed on the ledger.
 */
export function startEventListener(options: Readonly<EventListenerOptions>): EventListener {
  const listener = new EventListenerImpl(options);
  void listener.run();
  return listener;
}
