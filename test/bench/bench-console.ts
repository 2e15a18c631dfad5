import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { createApp } from '../../gateway/src/app';
import { newFabricLedgerClient } from '../../gateway/src/fabric/fabric-ledger-client';
import { newMetrics } from '../../gateway/src/metrics';
import { newAuditService } from '../../gateway/src/services/audit-service';
import { LedgerIndex, type IndexedEvent } from '../../gateway/src/services/ledger-index';
import { startLedgerIndexer } from '../../gateway/src/services/ledger-indexer';
import { FakeLedger } from '../../gateway/test/support/fake-ledger';
import { Network, Runtime } from '../../network';
import { post, benchWithdrawal } from './bench-support';
import { benchConsortium } from './bench-network';
import { transferRecord, withdrawalRecord } from '../support/fixtures';

/**
 * Console and index benchmark:
 * - a SYNTHETIC index of `attestations` attestations (70 % withdrawals, 30 % transfers, records shaped
 *   as the chaincode writes them, applied through the index's own `apply`), behind the real console
 *   routes in-process (the ledger is a fake: only the overview's height and last block come from it).
 *   Figures: the overview's and searches' latency over HTTP, the index's size per 1000 attestations;
 * - on a REAL network: `writes` withdrawals through a gateway, then a fresh index fed from block 0 by
 *   the indexer as the gateway runs it; figure: catch-up speed in blocks and events per second.
 */

export interface ConsoleBenchResult {
  readonly synthetic: {
    readonly attestations: number;
    readonly fillSeconds: number;
    readonly indexBytes: number;
    readonly bytesPer1000Attestations: number;
    readonly overviewMs: Latency;
    readonly searchMs: Record<string, Latency>;
  };
  readonly catchUp?: {
    readonly writes: number;
    readonly events: number;
    readonly blocks: number;
    readonly seconds: number;
    readonly blocksPerSecond: number;
    readonly eventsPerSecond: number;
  };
}

interface Latency {
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  readonly n: number;
}

function latency(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number =>
    Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(2));
  return { p50: at(0.5), p95: at(0.95), max: at(1), n: sorted.length };
}

const CENTRES = ['110000', '310000', '440000', '320000', '330000', '510000'];
const hex = (n: number, salt: string): string => `${salt}${n.toString(16)}`.padStart(64, '0').slice(-64);

function day(i: number): string {
  return new Date(Date.UTC(2025, 0, 1) + (i % 700) * 86_400_000).toISOString().slice(0, 10);
}

/** The synthetic event number `i` (in block `block`): 70 % withdrawals, 30 % transfer requests. */
function syntheticEvent(i: number, block: number): IndexedEvent {
  const txId = hex(i, 'a');
  const at = `${day(i)}T08:00:00.000Z`;
  const event = { blockNumber: BigInt(block), txId, name: 'hpf', payload: '' };
  if (i % 10 < 7) {
    const centre = CENTRES[i % CENTRES.length] ?? '110000';
    const alert = {
      code: 'MULTI_CENTRE',
      message: 'subject: 3 withdrawals at 2 centres within 12 months',
      count: 3,
    };
    const reasonCode = ['01', '03', '06', '07', '10'][i % 5] ?? '01';
    const record = withdrawalRecord({
      centre,
      withdrawalId: `W${i}`,
      status: i % 50 === 0 ? 'REVERSED' : 'RECORDED',
      reasonCode,
      closesAccount: reasonCode === '03',
      withdrawnOn: day(i),
      recordedAt: at,
      txId,
      evidence: [{ kind: 'PURCHASE_CONTRACT', hash: hex(i, 'e') }],
      alerts: i % 40 === 0 ? [alert] : [],
    });
    return {
      event,
      type: 'withdrawal.recorded',
      status: record.status,
      indexed: { kind: 'withdrawal', record },
    };
  }
  const to = CENTRES[(i + 1) % CENTRES.length] ?? '310000';
  const transferId = `${to}${String(i).padStart(10, '0')}`;
  const status =
    (['REQUESTED', 'ACCEPTED', 'OUT_CONFIRMED', 'COMPLETED', 'REJECTED'] as const)[i % 5] ?? 'COMPLETED';
  const record = transferRecord({
    transferId,
    fromCentre: CENTRES[i % CENTRES.length] ?? '110000',
    toCentre: to,
    status,
    platformCode: '00',
    steps: [{ step: 'REQUEST', status: 'REQUESTED', at, txId }],
  });
  return { event, type: 'transfer.requested', status, indexed: { kind: 'transfer', record } };
}

/**
 * Fills `index` with `count` synthetic attestations, 10 per block, 1000 events per SQLite transaction
 * (as the indexer applies a catch-up batch); returns one ID of each kind to search for.
 */
export function fillSynthetic(
  index: LedgerIndex,
  count: number,
): { transferId: string; withdrawal: string; evidence: string; txId: string } {
  let batch: IndexedEvent[] = [];
  for (let i = 0; i < count; i += 1) {
    if (batch.length >= 1000) {
      index.applyAll(batch);
      batch = [];
    }
    batch.push(syntheticEvent(i, 11 + Math.floor(i / 10)));
  }
  index.applyAll(batch);
  return {
    transferId: `310000${String(7).padStart(10, '0')}`,
    withdrawal: 'withdrawal:110000:W0',
    evidence: hex(1, 'e'),
    txId: hex(2, 'a'),
  };
}

async function timed(url: string, cookie: string, runs: number): Promise<Latency> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    const response = await fetch(url, { headers: { cookie }, redirect: 'manual' });
    await response.arrayBuffer();
    if (response.status >= 400) throw new Error(`${url}: HTTP ${response.status}`);
    samples.push(performance.now() - started);
  }
  return latency(samples);
}

async function synthetic(log: Runtime.Log, count: number): Promise<ConsoleBenchResult['synthetic']> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hpf-console-bench-'));
  const file = path.join(dir, 'index.sqlite');
  try {
    log(`console: filling a synthetic index with ${count} attestations`);
    let index = new LedgerIndex({ file });
    const started = performance.now();
    const ids = fillSynthetic(index, count);
    const fillSeconds = (performance.now() - started) / 1000;
    index.close(); // checkpoints the WAL into the file
    const indexBytes = statSync(file).size;
    index = new LedgerIndex({ file });
    const ledger = new FakeLedger();
    ledger.blocks.set('0', { number: '0', dataHash: '', previousHash: '', transactions: [] });
    const key = 'bench-auditor-key-0123456789';
    const app = createApp({
      ledger,
      index,
      logger: pino({ level: 'silent' }),
      metrics: newMetrics(),
      settings: {
        centreCode: null,
        mspId: 'RegulatorMSP',
        regulatorMspId: 'RegulatorMSP',
        endorsingFallbackMsps: [],
        pseudonymKey: Buffer.alloc(32, 1),
        apiKeys: [
          {
            id: 'audit',
            role: 'auditor',
            sha256: createHash('sha256').update(key).digest('hex'),
            centre: null,
          },
        ],
        rateLimitPerMinute: 1_000_000,
        unauthenticatedRateLimitPerMinute: 1_000_000,
        readinessTimeoutMs: 1000,
        readinessCacheMs: 0,
        bodyLimit: '32kb',
        maxConflictRetries: 0,
        conflictBackoffMs: 1,
        sseHeartbeatMs: 60_000,
        sseStallTimeoutMs: 60_000,
        consoleSessionMinutes: 30,
        consoleSessionsPerKey: 5,
        secureCookies: false,
        consoleOverdueWorkingDays: 10,
        publicVerifyRateLimitPerMinute: 1_000_000,
        batchBodyLimit: '512kb',
      },
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const signIn = await fetch(`${base}/console/sign-in`, {
        method: 'POST',
        body: new URLSearchParams({ apiKey: key }),
        redirect: 'manual',
      });
      const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      log('console: timing the overview and searches');
      await timed(`${base}/console/overview`, cookie, 3); // warm-up
      const overviewMs = await timed(`${base}/console/overview`, cookie, 30);
      const search = (q: string): Promise<Latency> =>
        timed(`${base}/console/search?q=${encodeURIComponent(q)}`, cookie, 50);
      return {
        attestations: count,
        fillSeconds: Number(fillSeconds.toFixed(1)),
        indexBytes,
        bytesPer1000Attestations: Math.round(indexBytes / (count / 1000)),
        overviewMs,
        searchMs: {
          bareTransferId: await search(ids.transferId),
          attestationId: await search(ids.withdrawal),
          evidenceHash: await search(ids.evidence),
          txId: await search(ids.txId),
          blockNumber: await search('12345'),
        },
      };
    } finally {
      server.close();
      index.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function catchUp(
  log: Runtime.Log,
  basePort: number,
  dataDir: string,
  writes: number,
): Promise<ConsoleBenchResult['catchUp']> {
  const consortium = benchConsortium(basePort, dataDir);
  const quiet: Runtime.Log = () => undefined;
  await new Network(consortium, { log: quiet }).down({ purge: true });
  const layout = new Network(consortium).layout;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hpf-console-catchup-'));
  try {
    log(`console: starting a consortium (basePort ${basePort}) and writing ${writes} withdrawals`);
    await Runtime.startConsortium(consortium, quiet);
    const beijing = consortium.centres[0];
    const http = Runtime.gatewayInfo(consortium, layout).find((g) => g.mspId === beijing?.mspId);
    if (beijing === undefined || http === undefined) throw new Error('no gateway');
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < writes) {
          const i = next++;
          await post(http, '/v1/withdrawals', benchWithdrawal(`BH-c-${i}`, i));
        }
      }),
    );
    const raw = Runtime.connectOrg(layout, consortium.regulator);
    const ledger = newFabricLedgerClient({
      network: raw.gateway.getNetwork(consortium.channel),
      chaincode: consortium.chaincode.name,
      metrics: newMetrics(),
    });
    const index = new LedgerIndex({ file: path.join(dir, 'index.sqlite') });
    log('console: a fresh index catches up from block 0');
    const started = performance.now();
    let lastAt = started;
    const indexer = startLedgerIndexer({
      ledger,
      index,
      audit: newAuditService({
        ledger,
        settings: {
          centreCode: null,
          mspId: consortium.regulator.mspId,
          regulatorMspId: consortium.regulator.mspId,
          endorsingFallbackMsps: [],
          pseudonymKey: Buffer.alloc(32),
        },
      }),
      onError: (err) => log(`indexer: ${String(err)}`),
      retryDelayMs: 1_000,
      onIndexed: () => {
        lastAt = performance.now();
      },
    });
    // Done when every withdrawal is indexed and nothing more arrives for 2 s (bounded: 10 minutes).
    const deadline = Date.now() + 600_000;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const done = index.attestations({ kind: 'withdrawal' }, 1, 0).total >= writes;
      if (done && performance.now() - lastAt > 2_000) break;
    }
    indexer.stop();
    const events = index.allEvents();
    const blocks = new Set(events.map((e) => e.block)).size;
    const seconds = (lastAt - started) / 1000;
    index.close();
    raw.close();
    return {
      writes,
      events: events.length,
      blocks,
      seconds: Number(seconds.toFixed(2)),
      blocksPerSecond: Number((blocks / seconds).toFixed(1)),
      eventsPerSecond: Number((events.length / seconds).toFixed(1)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await new Network(consortium, { log: quiet }).down({ purge: true });
  }
}

export async function benchConsole(
  log: Runtime.Log,
  options: { attestations: number; writes: number; basePort: number; dataDir: string },
): Promise<ConsoleBenchResult> {
  const result = await synthetic(log, options.attestations);
  return {
    synthetic: result,
    catchUp:
      options.writes > 0 ? await catchUp(log, options.basePort, options.dataDir, options.writes) : undefined,
  };
}
