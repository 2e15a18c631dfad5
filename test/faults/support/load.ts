import { Runtime } from '../../../network';
import { keyOf } from '../../support/http';
import { residentId } from '../../support/ledger';
import { evidenceOf, withdrawalBody } from '../../support/fixtures';

/**
 * A bounded closed-loop write load through the HTTP gateways: `clients` loops, each sending one
 * withdrawal at a time (a new ID and person each time) to the centres' gateways in turn, recording
 * every answer. It stops when told to, and in any case after `maxMs`.
 */

export interface Write {
  readonly gateway: Runtime.GatewayInfo;
  readonly withdrawalId: string;
  readonly body: Record<string, unknown>;
  readonly startedAt: number;
  endedAt: number | null;
  /** HTTP status, or null when no answer came (connection reset or refused, or timed out). */
  status: number | null;
  /** The transaction ID of a 2xx (the record's) or of a 504 (the problem's). */
  txId: string | null;
  error: string | null;
}

const today = new Date().toISOString().slice(0, 10);
const run = Date.now().toString(36);
let sequence = 0;

export function newWithdrawal(): { withdrawalId: string; body: Record<string, unknown> } {
  sequence += 1;
  const n = sequence;
  const withdrawalId = `F-${run}-${n}`;
  // A different person for each write (birth day and sequence vary), so no two writes conflict.
  const birth = `1985${String(1 + (Math.floor(n / 900) % 12)).padStart(2, '0')}${String(1 + (Math.floor(n / 10_800) % 28)).padStart(2, '0')}`;
  return {
    withdrawalId,
    body: withdrawalBody(
      withdrawalId,
      { idType: '01', idNumber: residentId(birth, 100 + (n % 900)), name: '故障测试' },
      { evidence: evidenceOf('PURCHASE_CONTRACT', `FAULT-${run}-${n}`), withdrawnOn: today },
    ),
  };
}

/** POSTs a withdrawal body; never throws (no answer is recorded as status null). */
export async function postWithdrawal(
  gateway: Runtime.GatewayInfo,
  body: Record<string, unknown>,
  timeoutMs = 75_000,
): Promise<{
  status: number | null;
  txId: string | null;
  body: Record<string, unknown>;
  error: string | null;
}> {
  try {
    const response = await fetch(`${gateway.url}/v1/withdrawals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keyOf(gateway, 'operator')}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      parsed = { text };
    }
    const txId = typeof parsed.txId === 'string' ? parsed.txId : response.headers.get('x-transaction-id');
    return { status: response.status, txId, body: parsed, error: null };
  } catch (error) {
    return {
      status: null,
      txId: null,
      body: {},
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}

export class WriteLoad {
  readonly writes: Write[] = [];
  #stopped = false;
  #done: Promise<void> = Promise.resolve();

  constructor(
    private readonly targets: readonly Runtime.GatewayInfo[],
    private readonly clients = 3,
    private readonly maxMs = 150_000,
  ) {}

  start(): void {
    const deadline = Date.now() + this.maxMs;
    this.#done = Promise.all(
      Array.from({ length: this.clients }, async (_, client) => {
        for (let i = client; !this.#stopped && Date.now() < deadline; i += 1) {
          const gateway = this.targets[i % this.targets.length];
          if (gateway === undefined) return;
          const answer = await this.writeOnce(gateway);
          // A refused write is not retried at once: a closed loop must not spin on a fast 503.
          if (answer.status === null || answer.status >= 300) await Runtime.sleep(250);
        }
      }),
    ).then(() => undefined);
  }

  /** One more recorded write (the load's clients use it; so does a probe during a fault). */
  async writeOnce(gateway: Runtime.GatewayInfo): Promise<Write> {
    const { withdrawalId, body } = newWithdrawal();
    const write: Write = {
      gateway,
      withdrawalId,
      body,
      startedAt: Date.now(),
      endedAt: null,
      status: null,
      txId: null,
      error: null,
    };
    this.writes.push(write);
    const answer = await postWithdrawal(gateway, body);
    Object.assign(write, {
      endedAt: Date.now(),
      status: answer.status,
      txId: answer.txId,
      error: answer.error,
    });
    return write;
  }

  /** Requests in flight at `gateway` right now. */
  inFlight(gateway: Runtime.GatewayInfo): Write[] {
    return this.writes.filter((w) => w.gateway.mspId === gateway.mspId && w.endedAt === null);
  }

  /** True once a write to `gateway` started at or after `since` was acknowledged. */
  ackedSince(gateway: Runtime.GatewayInfo | null, since: number): boolean {
    return this.writes.some(
      (w) =>
        (gateway === null || w.gateway.mspId === gateway.mspId) && w.startedAt >= since && isAck(w.status),
    );
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#done;
  }
}

export function isAck(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}

/** The p-th percentile (0–100) of the numbers, nearest rank; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? null;
}
