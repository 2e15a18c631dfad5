import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { TERMINAL_TRANSFER_STATUSES } from '../domain';
import type { LedgerEvent } from '../fabric/ledger-client';
import type { ListenerCheckpoint } from './event-listener';
import type { AlertJson, Attestation, TransferRecord, WithdrawalRecord } from '../domain/records';

/**
 * The gateway's off-chain index of what its block listener has seen: one row per chaincode event,
 * the latest public state of each attestation (centres, status, reason, dates), evidence hashes and
 * alerts. Only what public state holds: no names, ID numbers or accounts, not even subjectRefs.
 * Embedded SQLite (node:sqlite); the schema version is SQLite's `user_version`.
 */

/** Versioned migrations: migration i brings the schema from version i to i + 1. Append only. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), block INTEGER NOT NULL, tx_id TEXT NOT NULL);
   CREATE TABLE events (
     block INTEGER NOT NULL, tx_id TEXT NOT NULL, type TEXT NOT NULL, attestation_id TEXT,
     status TEXT, at TEXT, PRIMARY KEY (block, tx_id)) WITHOUT ROWID;
   CREATE INDEX events_tx ON events (tx_id);
   CREATE TABLE attestations (
     id TEXT PRIMARY KEY, kind TEXT NOT NULL, centre TEXT NOT NULL, from_centre TEXT, to_centre TEXT,
     status TEXT NOT NULL, platform_code TEXT, reason TEXT, opened_on TEXT NOT NULL, opened_at TEXT NOT NULL,
     updated_at TEXT NOT NULL, first_block INTEGER NOT NULL, last_block INTEGER NOT NULL) WITHOUT ROWID;
   CREATE INDEX attestations_recent ON attestations (last_block);
   CREATE INDEX attestations_filter ON attestations (centre, kind, status);
   CREATE INDEX attestations_open ON attestations (kind, status, opened_on, from_centre);
   CREATE TABLE tallies (metric TEXT NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL, n INTEGER NOT NULL,
     PRIMARY KEY (metric, a, b)) WITHOUT ROWID;
   CREATE TABLE evidence (hash TEXT NOT NULL, attestation_id TEXT NOT NULL, PRIMARY KEY (hash, attestation_id)) WITHOUT ROWID;
   CREATE TABLE alerts (
     attestation_id TEXT NOT NULL, seq INTEGER NOT NULL, code TEXT NOT NULL, centre TEXT NOT NULL,
     at TEXT NOT NULL, evidence_hash TEXT, count INTEGER, message TEXT NOT NULL, open INTEGER NOT NULL,
     PRIMARY KEY (attestation_id, seq)) WITHOUT ROWID;
   CREATE INDEX alerts_at ON alerts (at);`,
  // 2: overdue transfers from a counter (open transfers per opening day and source centre), not a scan.
  `INSERT INTO tallies (metric, a, b, n)
     SELECT 'open-transfers', opened_on, coalesce(from_centre, ''), count(*) FROM attestations
     WHERE kind = 'transfer' AND status NOT IN (${TERMINAL_TRANSFER_STATUSES.map((status) => `'${status}'`).join(', ')})
     GROUP BY opened_on, from_centre;`,
];

export const INDEX_SCHEMA_VERSION = MIGRATIONS.length;

/** The attestation whose public fields the index keeps: its current record, decoded. */
export type IndexedRecord = Attestation;

/** One event to index, with the current record of the attestation it names (if any). */
export interface IndexedEvent {
  readonly event: LedgerEvent;
  readonly type: string;
  readonly status: string | undefined;
  readonly indexed: IndexedRecord | undefined;
}

export interface Page<T> {
  readonly rows: readonly T[];
  readonly total: number;
}

export interface AttestationRow {
  readonly id: string;
  readonly kind: string;
  readonly centre: string;
  readonly fromCentre: string | null;
  readonly toCentre: string | null;
  readonly status: string;
  readonly platformCode: string | null;
  readonly reason: string | null;
  readonly openedOn: string;
  readonly updatedAt: string;
  readonly lastBlock: number;
}

export interface AlertRow {
  readonly attestationId: string;
  readonly seq: number;
  readonly code: string;
  readonly centre: string;
  readonly at: string;
  readonly evidenceHash: string | null;
  readonly count: number | null;
  readonly message: string;
  readonly open: boolean;
}

export interface EventRow {
  readonly block: number;
  readonly txId: string;
  readonly type: string;
  readonly attestationId: string | null;
  readonly status: string | null;
  readonly at: string | null;
}

export interface BlockRow {
  readonly block: number;
  readonly transactions: number;
  readonly lastAt: string | null;
}

export interface AttestationFilter {
  readonly kind?: string;
  /** A centre on either side: the withdrawal's, or a transfer's source or destination. */
  readonly centre?: string;
  /** A province-level code (440000): attestations naming any centre of that province. */
  readonly province?: string;
  readonly status?: string;
}

export interface AlertFilter {
  readonly code?: string;
  readonly centre?: string;
  /** A province-level code (440000): alerts raised at any centre of that province. */
  readonly province?: string;
  /** Inclusive dates, YYYY-MM-DD (China time is what the records hold). */
  readonly from?: string;
  readonly to?: string;
}

export interface Overview {
  readonly attestations: number;
  readonly perCentre: readonly {
    centre: string;
    withdrawals: number;
    transfersOut: number;
    transfersIn: number;
  }[];
  readonly transfersByStatus: readonly { status: string; platformCode: string; count: number }[];
  readonly flows: readonly { fromCentre: string; toCentre: string; count: number }[];
  readonly withdrawalsByMonth: readonly { month: string; reason: string; count: number }[];
  readonly openAlerts: number;
  readonly overdue: readonly { centre: string; count: number }[];
}

/** What a search term names in the index. */
export type Found =
  | { readonly kind: 'attestation'; readonly id: string }
  | { readonly kind: 'transaction'; readonly txId: string }
  | { readonly kind: 'evidence'; readonly attestationIds: readonly string[] }
  | { readonly kind: 'none' };

type Row = Record<string, SQLInputValue>;

function text(row: Row, key: string): string {
  const value = row[key];
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'bigint' ? value.toString() : '';
}

function nullableText(row: Row, key: string): string | null {
  const value = row[key];
  return value === null || value === undefined ? null : text(row, key);
}

function num(row: Row, key: string): number {
  return Number(row[key] ?? 0);
}

function where(clauses: readonly [string, SQLInputValue | undefined][]): {
  sql: string;
  params: SQLInputValue[];
} {
  const used = clauses.filter(([, value]) => value !== undefined && value !== '');
  return {
    sql: used.length === 0 ? '' : `WHERE ${used.map(([clause]) => clause).join(' AND ')}`,
    params: used.map(([, value]) => value ?? null),
  };
}

const toAttestation = (row: Row): AttestationRow => ({
  id: text(row, 'id'),
  kind: text(row, 'kind'),
  centre: text(row, 'centre'),
  fromCentre: nullableText(row, 'from_centre'),
  toCentre: nullableText(row, 'to_centre'),
  status: text(row, 'status'),
  platformCode: nullableText(row, 'platform_code'),
  reason: nullableText(row, 'reason'),
  openedOn: text(row, 'opened_on'),
  updatedAt: text(row, 'updated_at'),
  lastBlock: num(row, 'last_block'),
});

const toAlert = (row: Row): AlertRow => ({
  attestationId: text(row, 'attestation_id'),
  seq: num(row, 'seq'),
  code: text(row, 'code'),
  centre: text(row, 'centre'),
  at: text(row, 'at'),
  evidenceHash: nullableText(row, 'evidence_hash'),
  count: row.count === null ? null : num(row, 'count'),
  message: text(row, 'message'),
  open: num(row, 'open') === 1,
});

const toEvent = (row: Row): EventRow => ({
  block: num(row, 'block'),
  txId: text(row, 'tx_id'),
  type: text(row, 'type'),
  attestationId: nullableText(row, 'attestation_id'),
  status: nullableText(row, 'status'),
  at: nullableText(row, 'at'),
});

/** The public facts of one attestation as the index stores them, from its current ledger record. */
interface Facts extends Omit<AttestationRow, 'id' | 'kind' | 'lastBlock'> {
  readonly openedAt: string;
  readonly evidence: readonly string[];
  readonly alerts: readonly AlertJson[];
  /** When the transaction `txId` wrote the record, if it did. */
  readonly timeOf: (txId: string) => string | null;
}

function transferFacts(record: TransferRecord): Facts {
  const { history } = record;
  const openedAt = history[0]?.at ?? '';
  return {
    centre: record.toCentre,
    fromCentre: record.fromCentre,
    toCentre: record.toCentre,
    status: record.status,
    platformCode: record.platformCode,
    reason: null,
    openedOn: openedAt.slice(0, 10),
    openedAt,
    updatedAt: history.at(-1)?.at ?? openedAt,
    evidence: [],
    alerts: [],
    timeOf: (txId) => history.find((h) => h.txId === txId)?.at ?? null,
  };
}

function withdrawalFacts(record: WithdrawalRecord): Facts {
  const { reversal, recordedAt } = record;
  return {
    centre: record.centre,
    fromCentre: null,
    toCentre: null,
    status: record.status,
    platformCode: null,
    reason: record.reasonCode,
    openedOn: record.withdrawnOn,
    openedAt: recordedAt,
    updatedAt: reversal?.at ?? recordedAt,
    evidence: record.evidence.map((e) => e.hash),
    alerts: record.alerts,
    timeOf: (txId) => (txId === record.txId ? recordedAt : txId === reversal?.txId ? reversal.at : null),
  };
}

/** What the overview counts of one attestation, from its stored or new state. */
type Counted = Omit<AttestationRow, 'id' | 'updatedAt' | 'lastBlock'> & { readonly alerts: number };

type TallyKey = readonly [metric: string, a: string, b: string];

/**
 * The overview's counters an attestation adds to. Kept up to date with every change (the old state's
 * keys down by one, the new state's up), so the overview reads a few small rows whatever the ledger's size.
 */
function tallyKeys(c: Counted): TallyKey[] {
  if (c.kind === 'transfer') {
    const open: TallyKey[] = TERMINAL_TRANSFER_STATUSES.some((terminal) => terminal === c.status)
      ? []
      : [['open-transfers', c.openedOn, c.fromCentre ?? '']];
    return [
      ['attestations', '', ''],
      ['flows', c.fromCentre ?? '', c.toCentre ?? ''],
      ['transfer-status', c.status, c.platformCode ?? ''],
      ...open,
    ];
  }
  const open = c.status === 'RECORDED' ? c.alerts : 0;
  return [
    ['attestations', '', ''],
    ['withdrawals', c.centre, ''],
    ['withdrawal-month', c.openedOn.slice(0, 7), c.reason ?? ''],
    ...Array.from({ length: open }, (): TallyKey => ['open-alerts', '', '']),
  ];
}

function factsOf(indexed: IndexedRecord | undefined): Facts | undefined {
  if (indexed === undefined) return undefined;
  return indexed.kind === 'transfer' ? transferFacts(indexed.record) : withdrawalFacts(indexed.record);
}

/** The date `workingDays` working days (Monday to Friday) before `today` (YYYY-MM-DD, UTC arithmetic). */
export function workingDaysBefore(today: string, workingDays: number): string {
  const date = new Date(`${today}T00:00:00Z`);
  let left = workingDays;
  while (left > 0) {
    date.setUTCDate(date.getUTCDate() - 1);
    const day = date.getUTCDay();
    if (day !== 0 && day !== 6) left -= 1;
  }
  return date.toISOString().slice(0, 10);
}

export interface LedgerIndexOptions {
  /** The SQLite file; `:memory:` for tests. Its directory is created. */
  readonly file: string;
}

export class LedgerIndex {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  #position: { block: bigint; txId: string } | undefined;

  constructor(options: Readonly<LedgerIndexOptions>) {
    if (options.file !== ':memory:') mkdirSync(path.dirname(options.file), { recursive: true });
    this.#db = new DatabaseSync(options.file);
    // Lean: a 2 MiB page cache, WAL so that reads do not wait for the listener's writes.
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -2048;');
    this.#migrate();
    const row = this.#get('SELECT block, tx_id FROM checkpoint WHERE id = 1');
    this.#position = row ? { block: BigInt(num(row, 'block')), txId: text(row, 'tx_id') } : undefined;
  }

  #migrate(): void {
    const version = num(this.#get('PRAGMA user_version') ?? {}, 'user_version');
    if (version > MIGRATIONS.length) {
      throw new Error(`index schema version ${version} is newer than this gateway's (${MIGRATIONS.length})`);
    }
    for (let v = version; v < MIGRATIONS.length; v += 1) {
      this.#db.exec('BEGIN');
      try {
        this.#db.exec(MIGRATIONS[v] ?? '');
        this.#db.exec(`PRAGMA user_version = ${v + 1}`);
        this.#db.exec('COMMIT');
      } catch (err) {
        this.#db.exec('ROLLBACK');
        throw err;
      }
    }
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #get(sql: string, ...params: SQLInputValue[]): Row | undefined {
    return this.#statement(sql).get(...params);
  }

  #all(sql: string, ...params: SQLInputValue[]): Row[] {
    return this.#statement(sql).all(...params);
  }

  #run(sql: string, ...params: SQLInputValue[]): void {
    this.#statement(sql).run(...params);
  }

  schemaVersion(): number {
    return num(this.#get('PRAGMA user_version') ?? {}, 'user_version');
  }

  /**
   * The listener's checkpoint, kept in the index itself (written in the same SQLite transaction as
   * the event's rows, so the two never disagree). An empty index starts at block 0.
   */
  checkpoint(): ListenerCheckpoint {
    return {
      getBlockNumber: () => this.#position?.block ?? 0n,
      getTransactionId: () => this.#position?.txId,
      checkpointTransaction: () => Promise.resolve(),
    };
  }

  /** `<block>:<txId>` of the last event indexed, or null. */
  position(): string | null {
    return this.#position ? `${this.#position.block.toString()}:${this.#position.txId}` : null;
  }

  /**
   * Indexes one event (and the current record of the attestation it concerns, when it names one), and
   * moves the checkpoint past it, in one transaction. An event already indexed changes nothing.
   */
  apply(
    event: LedgerEvent,
    type: string,
    status: string | undefined,
    indexed: IndexedRecord | undefined,
  ): void {
    this.applyAll([{ event, type, status, indexed }]);
  }

  /**
   * Indexes events in ledger order (e.g. a block's) in ONE transaction and moves the checkpoint past
   * the last. `indexed` is the current record of the attestation the event names, if any: several
   * events of one attestation may share the same record object (it is stored once).
   */
  applyAll(events: readonly IndexedEvent[]): void {
    const last = events.at(-1);
    if (last === undefined) return;
    this.#db.exec('BEGIN');
    try {
      const stored = new Set<IndexedRecord>();
      for (const item of events) this.#applyOne(item, stored);
      this.#run(
        'INSERT INTO checkpoint (id, block, tx_id) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET block = excluded.block, tx_id = excluded.tx_id',
        Number(last.event.blockNumber),
        last.event.txId,
      );
      this.#db.exec('COMMIT');
    } catch (err) {
      this.#db.exec('ROLLBACK');
      throw err;
    }
    this.#position = { block: last.event.blockNumber, txId: last.event.txId };
  }

  /** One event of a batch; `stored` holds the records the batch has already stored. */
  #applyOne({ event, type, status, indexed }: IndexedEvent, stored: Set<IndexedRecord>): void {
    const block = Number(event.blockNumber);
    const attestationId = indexed?.record.attestationId ?? null;
    const facts = factsOf(indexed);
    this.#run(
      'INSERT OR IGNORE INTO events (block, tx_id, type, attestation_id, status, at) VALUES (?, ?, ?, ?, ?, ?)',
      block,
      event.txId,
      type,
      attestationId,
      status ?? null,
      facts?.timeOf(event.txId) ?? null,
    );
    if (!indexed || !facts || attestationId === null) return;
    // The record is the same for every event of the batch: stored once, at its first block
    // (first_block), and its last block moved on for the later events.
    if (stored.has(indexed)) {
      this.#run('UPDATE attestations SET last_block = max(last_block, ?) WHERE id = ?', block, attestationId);
    } else {
      this.#upsert(attestationId, indexed.kind, facts, block);
      stored.add(indexed);
    }
  }

  #tally(keys: readonly TallyKey[], delta: 1 | -1): void {
    for (const [metric, a, b] of keys) {
      this.#run(
        'INSERT INTO tallies (metric, a, b, n) VALUES (?, ?, ?, ?) ON CONFLICT (metric, a, b) DO UPDATE SET n = n + excluded.n',
        metric,
        a,
        b,
        delta,
      );
      // A counter back at zero is removed: a rebuild, which may never pass through an intermediate
      // state, then holds the same rows as an index that followed every step. Only the key just
      // changed (a primary-key lookup, not a scan of every counter on each change).
      if (delta < 0) {
        this.#run('DELETE FROM tallies WHERE metric = ? AND a = ? AND b = ? AND n = 0', metric, a, b);
      }
    }
  }

  #counted(id: string): Counted | undefined {
    const row = this.#get(
      'SELECT a.*, (SELECT count(*) FROM alerts WHERE attestation_id = a.id) AS alert_count FROM attestations a WHERE id = ?',
      id,
    );
    return row
      ? { ...toAttestation(row), kind: text(row, 'kind'), alerts: num(row, 'alert_count') }
      : undefined;
  }

  #upsert(id: string, kind: string, facts: Facts, block: number): void {
    const before = this.#counted(id);
    if (before) this.#tally(tallyKeys(before), -1);
    this.#tally(tallyKeys({ ...facts, kind, alerts: facts.alerts.length }), 1);
    this.#run(
      `INSERT INTO attestations (id, kind, centre, from_centre, to_centre, status, platform_code, reason,
         opened_on, opened_at, updated_at, first_block, last_block)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, platform_code = excluded.platform_code,
         updated_at = excluded.updated_at, last_block = max(last_block, excluded.last_block)`,
      id,
      kind,
      facts.centre,
      facts.fromCentre,
      facts.toCentre,
      facts.status,
      facts.platformCode,
      facts.reason,
      facts.openedOn,
      facts.openedAt,
      facts.updatedAt,
      block,
      block,
    );
    for (const hash of facts.evidence) {
      this.#run('INSERT OR IGNORE INTO evidence (hash, attestation_id) VALUES (?, ?)', hash, id);
    }
    const open = facts.status === 'RECORDED' ? 1 : 0;
    facts.alerts.forEach((alert, seq) => {
      this.#run(
        `INSERT INTO alerts (attestation_id, seq, code, centre, at, evidence_hash, count, message, open)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (attestation_id, seq) DO UPDATE SET open = excluded.open`,
        id,
        seq,
        alert.code,
        facts.centre,
        facts.openedAt,
        alert.evidenceHash ?? null,
        alert.count ?? null,
        alert.message,
        open,
      );
    });
  }

  /**
   * Figures for the console's overview. `today` is YYYY-MM-DD; a transfer not in a terminal status
   * opened before `overdueWorkingDays` working days ago is overdue, counted at its source centre.
   */
  overview(today: string, overdueWorkingDays: number): Overview {
    const tally = (metric: string): { a: string; b: string; n: number }[] =>
      this.#all('SELECT a, b, n FROM tallies WHERE metric = ? AND n > 0 ORDER BY a, b', metric).map(
        (row) => ({
          a: text(row, 'a'),
          b: text(row, 'b'),
          n: num(row, 'n'),
        }),
      );
    const perCentre = new Map<
      string,
      { centre: string; withdrawals: number; transfersOut: number; transfersIn: number }
    >();
    const centre = (
      code: string,
    ): { centre: string; withdrawals: number; transfersOut: number; transfersIn: number } => {
      let entry = perCentre.get(code);
      if (entry === undefined) {
        entry = { centre: code, withdrawals: 0, transfersOut: 0, transfersIn: 0 };
        perCentre.set(code, entry);
      }
      return entry;
    };
    for (const t of tally('withdrawals')) centre(t.a).withdrawals = t.n;
    const flows = tally('flows').map((t) => ({ fromCentre: t.a, toCentre: t.b, count: t.n }));
    for (const flow of flows) {
      centre(flow.fromCentre).transfersOut += flow.count;
      centre(flow.toCentre).transfersIn += flow.count;
    }
    const cutoff = workingDaysBefore(today, overdueWorkingDays);
    return {
      attestations: tally('attestations')[0]?.n ?? 0,
      perCentre: [...perCentre.values()].sort((x, y) => x.centre.localeCompare(y.centre)),
      transfersByStatus: tally('transfer-status').map((t) => ({
        status: t.a,
        platformCode: t.b,
        count: t.n,
      })),
      flows,
      withdrawalsByMonth: tally('withdrawal-month').map((t) => ({ month: t.a, reason: t.b, count: t.n })),
      openAlerts: tally('open-alerts')[0]?.n ?? 0,
      overdue: this.#all(
        `SELECT b AS centre, sum(n) AS n FROM tallies WHERE metric = 'open-transfers' AND a < ? AND n > 0
           GROUP BY b ORDER BY b`,
        cutoff,
      ).map((row) => ({ centre: text(row, 'centre'), count: num(row, 'n') })),
    };
  }

  attestations(filter: AttestationFilter, limit: number, offset: number): Page<AttestationRow> {
    const w = where([
      ['kind = ?', filter.kind],
      ['? IN (centre, from_centre, to_centre)', filter.centre],
      [
        '? IN (substr(centre, 1, 2), substr(from_centre, 1, 2), substr(to_centre, 1, 2))',
        filter.province?.slice(0, 2),
      ],
      ['status = ?', filter.status],
    ]);
    return {
      total: num(this.#get(`SELECT count(*) AS n FROM attestations ${w.sql}`, ...w.params) ?? {}, 'n'),
      rows: this.#all(
        `SELECT * FROM attestations ${w.sql} ORDER BY last_block DESC, id LIMIT ? OFFSET ?`,
        ...w.params,
        limit,
        offset,
      ).map(toAttestation),
    };
  }

  attestation(id: string): AttestationRow | undefined {
    const row = this.#get('SELECT * FROM attestations WHERE id = ?', id);
    return row ? toAttestation(row) : undefined;
  }

  alerts(filter: AlertFilter, limit: number, offset: number): Page<AlertRow> {
    const w = where([
      ['code = ?', filter.code],
      ['centre = ?', filter.centre],
      ['substr(centre, 1, 2) = ?', filter.province?.slice(0, 2)],
      ['at >= ?', filter.from],
      ['at < ?', filter.to === undefined ? undefined : `${filter.to}~`],
    ]);
    return {
      total: num(this.#get(`SELECT count(*) AS n FROM alerts ${w.sql}`, ...w.params) ?? {}, 'n'),
      rows: this.#all(
        `SELECT * FROM alerts ${w.sql} ORDER BY at DESC, attestation_id, seq LIMIT ? OFFSET ?`,
        ...w.params,
        limit,
        offset,
      ).map(toAlert),
    };
  }

  alertsOf(attestationId: string): AlertRow[] {
    return this.#all('SELECT * FROM alerts WHERE attestation_id = ? ORDER BY seq', attestationId).map(
      toAlert,
    );
  }

  blocks(limit: number, offset: number): Page<BlockRow> {
    return {
      total: num(this.#get('SELECT count(DISTINCT block) AS n FROM events') ?? {}, 'n'),
      rows: this.#all(
        'SELECT block, count(*) AS n, max(at) AS last_at FROM events GROUP BY block ORDER BY block DESC LIMIT ? OFFSET ?',
        limit,
        offset,
      ).map((row) => ({
        block: num(row, 'block'),
        transactions: num(row, 'n'),
        lastAt: nullableText(row, 'last_at'),
      })),
    };
  }

  /** Every indexed event in ledger order (for the index tests: gaps and duplicates). */
  allEvents(): EventRow[] {
    return this.#all('SELECT * FROM events ORDER BY block, tx_id').map(toEvent);
  }

  /** What an attestation ID, a bare transfer/withdrawal ID, a txId or an evidence hash names. */
  find(term: string): Found {
    if (this.#get('SELECT 1 AS x FROM attestations WHERE id = ?', term))
      return { kind: 'attestation', id: term };
    if (/^[0-9a-f]{64}$/.test(term)) {
      if (this.#get('SELECT 1 AS x FROM events WHERE tx_id = ?', term))
        return { kind: 'transaction', txId: term };
      const ids = this.#all(
        'SELECT attestation_id FROM evidence WHERE hash = ? ORDER BY attestation_id LIMIT 100',
        term,
      );
      if (ids.length > 0)
        return { kind: 'evidence', attestationIds: ids.map((row) => text(row, 'attestation_id')) };
      return { kind: 'none' };
    }
    // A bare ID: a transfer, or a withdrawal at one of the centres the index knows (primary-key lookups).
    const candidates = [
      `transfer:${term}`,
      ...this.#all("SELECT a FROM tallies WHERE metric = 'withdrawals' AND n > 0").map(
        (row) => `withdrawal:${text(row, 'a')}:${term}`,
      ),
    ];
    const bare = candidates.filter((id) => this.#get('SELECT 1 AS x FROM attestations WHERE id = ?', id));
    return bare.length === 1 && bare[0] !== undefined
      ? { kind: 'attestation', id: bare[0] }
      : { kind: 'none' };
  }

  /** SHA-256 over every table's rows in key order: two indexes with the same content have the same digest. */
  digest(): string {
    const hash = createHash('sha256');
    for (const [table, order] of [
      ['checkpoint', 'id'],
      ['events', 'block, tx_id'],
      ['attestations', 'id'],
      ['evidence', 'hash, attestation_id'],
      ['alerts', 'attestation_id, seq'],
      ['tallies', 'metric, a, b'],
    ] as const) {
      for (const row of this.#statement(`SELECT * FROM ${table} ORDER BY ${order}`).iterate()) {
        hash.update(`${table}\u0000${JSON.stringify(row)}\n`);
      }
    }
    return hash.digest('hex');
  }

  close(): void {
    this.#statements.clear();
    this.#db.close();
  }
}
