import { createRequire } from 'node:module';
import path from 'node:path';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Logger } from 'pino';
import { ApiError, invalidField, isApiError } from '../errors';
import type { AuditService } from '../services/audit-service';
import { arrayField, isJsonObject, optionalObject, type JsonObject } from '../services/json-record';
import type {
  AlertFilter,
  AttestationFilter,
  AttestationRow,
  Found,
  LedgerIndex,
  Overview,
} from '../services/ledger-index';
import { csvLink, escapeHtml, layout, pagination, tableCsv, tableHtml, type Cell, type Table } from './html';
import { centreLabel, langOf, reasonLabel, statusLabel, t, type Lang } from './i18n';
import { cookiesOf, LANG_COOKIE, type ConsoleSession, type SessionStore } from './session';

export interface ConsoleOptions {
  readonly index: LedgerIndex;
  readonly audit: AuditService;
  readonly sessions: SessionStore;
  readonly logger: Logger;
  readonly overdueWorkingDays: number;
  readonly signInRateLimitPerMinute: number;
}

const PAGE_SIZE = 50;
/** The most rows one CSV export holds. */
const CSV_MAX_ROWS = 200_000;
const ASSETS = path.resolve(__dirname, '..', '..', 'console');
const ECHARTS = createRequire(__filename).resolve('echarts/dist/echarts.min.js');
const sessions = new WeakMap<Request, ConsoleSession>();

const CENTRE = /^[1-8]\d0000$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function one(req: Request, name: string): string | undefined {
  const value: unknown = req.query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw invalidField(name, 'must be given once');
  if (value.length > 200) throw invalidField(name, 'must be at most 200 characters');
  return value;
}

function matching(req: Request, name: string, pattern: RegExp, problem: string): string | undefined {
  const value = one(req, name);
  if (value !== undefined && !pattern.test(value)) throw invalidField(name, problem);
  return value;
}

/** A route parameter (Express types them loosely). */
function param(req: Request, name: string): string {
  const value: unknown = req.params[name];
  return typeof value === 'string' ? value : '';
}

function pageOf(req: Request): number {
  const value = matching(req, 'page', /^[1-9]\d{0,5}$/, 'must be a whole number from 1 to 999999');
  return value === undefined ? 1 : Number(value);
}

function filtersOf(req: Request, names: readonly string[]): URLSearchParams {
  const query = new URLSearchParams();
  for (const name of names) {
    const value = one(req, name);
    if (value !== undefined) query.set(name, value);
  }
  return query;
}

function todayInChina(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** The console path of an attestation (its typed ID keeps its colons). */
function attestationPath(id: string): string {
  return `/console/attestations/${encodeURIComponent(id).replaceAll('%3A', ':')}`;
}

function attestationLink(id: string): Cell {
  return { text: id, href: attestationPath(id) };
}

function blockLink(block: string | number): Cell {
  return { text: block, href: `/console/blocks/${block}` };
}

function txLink(txId: string): Cell {
  return { text: txId, href: `/console/transactions/${txId}` };
}

function attestationTable(lang: Lang, rows: readonly AttestationRow[]): Table {
  return {
    columns: [
      t(lang, 'id'),
      t(lang, 'kind'),
      t(lang, 'centre'),
      t(lang, 'from'),
      t(lang, 'to'),
      t(lang, 'status'),
      t(lang, 'reason'),
      t(lang, 'openedOn'),
      t(lang, 'updatedAt'),
      t(lang, 'block'),
    ],
    rows: rows.map((r) => [
      attestationLink(r.id),
      r.kind,
      centreLabel(r.centre),
      centreLabel(r.fromCentre),
      centreLabel(r.toCentre),
      statusLabel(r.status, r.platformCode),
      reasonLabel(r.reason),
      r.openedOn,
      r.updatedAt,
      blockLink(r.lastBlock),
    ]),
  };
}

/**
 * Where a search goes: the page of what the index found (an attestation ID, a bare transfer or
 * withdrawal ID, a txId, an evidence hash of one attestation), else a block number; or the list of
 * attestations citing an evidence hash (empty: nothing found).
 */
function searchTarget(q: string, found: Found): string | readonly string[] {
  switch (found.kind) {
    case 'attestation':
      return attestationPath(found.id);
    case 'transaction':
      return `/console/transactions/${found.txId}`;
    case 'evidence':
      return found.attestationIds.length === 1
        ? attestationPath(found.attestationIds[0] ?? '')
        : found.attestationIds;
    case 'none':
      // A transfer ID is all digits too: an attestation the index knows comes before a block number.
      return /^\d{1,19}$/.test(q) ? `/console/blocks/${BigInt(q).toString()}` : [];
  }
}

/** A string field of a ledger record, or ''. */
function field(record: JsonObject, key: string): string {
  const value = record[key];
  return typeof value === 'string' ? value : '';
}

interface StepTx {
  readonly step: string;
  readonly status: string;
  readonly platformCode?: string;
  readonly txId: string;
}

/** The transactions that wrote an attestation: a transfer's history, a withdrawal's record and reversal. */
function stepsOf(kind: string, record: JsonObject): StepTx[] {
  if (kind === 'transfer') {
    return arrayField(record, 'history')
      .filter(isJsonObject)
      .map((h) => ({
        step: field(h, 'step'),
        status: field(h, 'status'),
        platformCode: field(h, 'platformCode'),
        txId: field(h, 'txId'),
      }));
  }
  const reversal = optionalObject(record, 'reversal');
  return [
    { step: 'RECORD', status: 'RECORDED', txId: field(record, 'txId') },
    ...(reversal ? [{ step: 'REVERSE', status: 'REVERSED', txId: field(reversal, 'txId') }] : []),
  ];
}

/** The console's routes under /console: HTML pages, CSV exports and the static assets. Read-only. */
export function consoleRoutes(options: Readonly<ConsoleOptions>): Router {
  const { index, audit } = options;
  const router = Router();
  const langOfReq = (req: Request): Lang => langOf(cookiesOf(req).get(LANG_COOKIE));
  const page = (
    req: Request,
    res: Response,
    title: string,
    body: string,
    status = 200,
    scripts?: string[],
  ): void => {
    res
      .status(status)
      .type('html')
      .setHeader('Cache-Control', 'no-store')
      .send(
        layout(
          { lang: langOfReq(req), title, back: req.originalUrl, signedIn: sessions.has(req), scripts },
          body,
        ),
      );
  };
  const csv = (res: Response, name: string, table: Table): void => {
    res
      .status(200)
      .type('text/csv; charset=utf-8')
      .setHeader('Content-Disposition', `attachment; filename="${name}.csv"`)
      .setHeader('Cache-Control', 'no-store')
      .send(tableCsv(table));
  };
  const signInForm = (req: Request, res: Response, status: number, refused: boolean): void => {
    const lang = langOfReq(req);
    page(
      req,
      res,
      t(lang, 'signIn'),
      `${refused ? `<p class="error" role="alert">${escapeHtml(t(lang, 'keyRefused'))}</p>` : ''}
      <form method="post" action="/console/sign-in" class="sign-in">
        <label>${escapeHtml(t(lang, 'apiKey'))} <input name="apiKey" type="password" autocomplete="off" required maxlength="256"></label>
        <button type="submit">${escapeHtml(t(lang, 'signIn'))}</button>
      </form>`,
      status,
    );
  };

  // Stricter than the API's policy: scripts and styles only from the gateway, nothing inline.
  router.use('/console', (_req, res, next) => {
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'",
    );
    next();
  });
  router.use('/console/assets', express.static(ASSETS, { index: false, fallthrough: true, maxAge: '1h' }));
  router.get('/console/assets/echarts.min.js', (_req, res) => {
    res.sendFile(ECHARTS, { maxAge: '1h' });
  });
  router.use('/console', express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 }));
  router.get('/console/sign-in', (req, res) => {
    signInForm(req, res, 200, false);
  });
  router.post(
    '/console/sign-in',
    rateLimit({
      windowMs: 60_000,
      limit: options.signInRateLimitPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (_req, _res, next) => {
        next(new ApiError('RATE_LIMITED', 'too many sign-in attempts from this address'));
      },
    }),
    (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const apiKey = typeof body.apiKey === 'string' ? body.apiKey : '';
      if (options.sessions.signIn(apiKey, res) === undefined) {
        signInForm(req, res, 401, true);
        return;
      }
      res.redirect(303, '/console/overview');
    },
  );
  router.get('/console/lang', (req, res) => {
    const to = one(req, 'to') === 'en' ? 'en' : 'zh-CN';
    const back = one(req, 'back') ?? '';
    res.setHeader('Set-Cookie', `${LANG_COOKIE}=${to}; Path=/console; SameSite=Strict; Max-Age=31536000`);
    res.redirect(303, /^\/console\/[^/\\]/.test(back) ? back : '/console/overview');
  });
  const requireSession: RequestHandler = (req, res, next) => {
    const session = options.sessions.sessionOf(req);
    if (session === undefined) {
      res.redirect(303, '/console/sign-in');
      return;
    }
    sessions.set(req, session);
    next();
  };
  router.use('/console', requireSession);
  router.post('/console/sign-out', (req, res) => {
    options.sessions.signOut(req, res);
    res.redirect(303, '/console/sign-in');
  });
  router.get(['/console', '/console/'], (_req, res) => {
    res.redirect(303, '/console/overview');
  });

  const overview = (): Overview => index.overview(todayInChina(), options.overdueWorkingDays);
  const overviewTables = (lang: Lang, o: Overview): Record<string, Table> => {
    return {
      'per-centre': {
        columns: [t(lang, 'centre'), t(lang, 'withdrawals'), t(lang, 'transfersOut'), t(lang, 'transfersIn')],
        rows: o.perCentre.map((r) => [centreLabel(r.centre), r.withdrawals, r.transfersOut, r.transfersIn]),
      },
      'transfers-by-status': {
        columns: [t(lang, 'status'), t(lang, 'count')],
        rows: o.transfersByStatus.map((r) => [statusLabel(r.status, r.platformCode), r.count]),
      },
      flows: {
        columns: [t(lang, 'from'), t(lang, 'to'), t(lang, 'count')],
        rows: o.flows.map((r) => [centreLabel(r.fromCentre), centreLabel(r.toCentre), r.count]),
      },
      'withdrawals-by-month': {
        columns: [t(lang, 'month'), t(lang, 'reason'), t(lang, 'count')],
        rows: o.withdrawalsByMonth.map((r) => [r.month, reasonLabel(r.reason), r.count]),
      },
      overdue: {
        columns: [t(lang, 'centre'), t(lang, 'count')],
        rows: o.overdue.map((r) => [centreLabel(r.centre), r.count]),
      },
      totals: {
        columns: [t(lang, 'attestations'), t(lang, 'openAlerts')],
        rows: [[o.attestations, o.openAlerts]],
      },
    };
  };
  router.get('/console/overview', async (req, res) => {
    const lang = langOfReq(req);
    const { height } = await audit.chainInfo();
    const last = height > 0n ? await audit.block(height - 1n) : undefined;
    const o = overview();
    const tables = overviewTables(lang, o);
    const section = (key: string, title: string, chart?: string): string => {
      const table = tables[key] ?? { columns: [], rows: [] };
      const data = chart ? ` data-chart="${chart}" data-table="${escapeHtml(JSON.stringify(table))}"` : '';
      return `<section><h2>${escapeHtml(title)}</h2>${chart ? `<div class="chart"${data}></div>` : ''}${tableHtml(table, key)}
        ${csvLink(lang, `/console/overview/${key}.csv`, new URLSearchParams())}</section>`;
    };
    const totals = [o.attestations, o.openAlerts];
    page(
      req,
      res,
      t(lang, 'overview'),
      `<section class="figures">
        <div><span>${escapeHtml(t(lang, 'ledgerHeight'))}</span><strong id="ledger-height">${height.toString()}</strong></div>
        <div><span>${escapeHtml(t(lang, 'lastBlockTime'))}</span><strong id="last-block-time">${escapeHtml(last?.transactions[0]?.timestamp ?? '')}</strong></div>
        <div><span>${escapeHtml(t(lang, 'attestations'))}</span><strong id="attestation-count">${escapeHtml(String(totals[0] ?? 0))}</strong></div>
        <div><span>${escapeHtml(t(lang, 'openAlerts'))}</span><strong id="open-alerts"><a href="/console/alerts">${escapeHtml(String(totals[1] ?? 0))}</a></strong></div>
        <div><span>${escapeHtml(t(lang, 'indexPosition'))}</span><strong>${escapeHtml(index.position() ?? '—')}</strong></div>
      </section>
      ${section('per-centre', t(lang, 'perCentre'))}
      ${section('transfers-by-status', t(lang, 'byStatus'))}
      ${section('flows', t(lang, 'flows'), 'flows')}
      ${section('withdrawals-by-month', t(lang, 'byMonth'), 'months')}
      ${section('overdue', `${t(lang, 'overdue')}: ${options.overdueWorkingDays}`)}`,
      200,
      ['/console/assets/echarts.min.js'],
    );
  });
  router.get('/console/overview/:table.csv', (req, res) => {
    const table = overviewTables(langOfReq(req), overview())[param(req, 'table')];
    if (table === undefined) throw new ApiError('NOT_FOUND', 'no such table');
    csv(res, param(req, 'table'), table);
  });

  router.get('/console/search', (req, res) => {
    const lang = langOfReq(req);
    const q = (one(req, 'q') ?? '').trim();
    if (q === '') throw invalidField('q', 'must not be empty');
    const target = searchTarget(q, index.find(/^[0-9A-Fa-f]{64}$/.test(q) ? q.toLowerCase() : q));
    if (typeof target === 'string') {
      res.redirect(303, target);
      return;
    }
    page(
      req,
      res,
      t(lang, 'results'),
      target.length === 0
        ? `<p id="not-found">${escapeHtml(t(lang, 'notFound'))}</p>`
        : tableHtml({ columns: [t(lang, 'id')], rows: target.map((id) => [attestationLink(id)]) }, 'results'),
      target.length === 0 ? 404 : 200,
    );
  });

  const personForm = (lang: Lang): string => `<form method="post" action="/console/person" class="person">
      <label>${escapeHtml(t(lang, 'idType'))} <input name="idType" value="01" required maxlength="2"></label>
      <label>${escapeHtml(t(lang, 'idNumber'))} <input name="idNumber" required maxlength="64" autocomplete="off"></label>
      <label>${escapeHtml(t(lang, 'name'))} <input name="name" required maxlength="64" autocomplete="off"></label>
      <button type="submit">${escapeHtml(t(lang, 'lookUp'))}</button></form>`;
  router.get('/console/person', (req, res) => {
    const lang = langOfReq(req);
    page(req, res, t(lang, 'person'), personForm(lang));
  });
  router.post('/console/person', async (req, res) => {
    const lang = langOfReq(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const input = (name: string): string => {
      const value = body[name];
      if (typeof value !== 'string') throw invalidField(`person.${name}`, 'is required');
      return value;
    };
    const { subjectRef } = audit.lookup({
      idType: input('idType'),
      idNumber: input('idNumber'),
      name: input('name'),
    });
    const timeline = await audit.timeline(subjectRef);
    const entries = arrayField(timeline, 'attestations').filter(isJsonObject);
    const rows = entries.map((e) => {
      const id = field(e, 'attestationId');
      return [
        attestationLink(id),
        field(e, 'kind'),
        statusLabel(field(e, 'status')),
        field(e, 'at'),
      ] as Cell[];
    });
    page(
      req,
      res,
      t(lang, 'timeline'),
      `${personForm(lang)}<p>${escapeHtml(t(lang, 'subjectRef'))}: <code>${escapeHtml(subjectRef)}</code></p>
      ${tableHtml({ columns: [t(lang, 'id'), t(lang, 'kind'), t(lang, 'status'), t(lang, 'time')], rows }, 'timeline')}`,
    );
  });

  const attestationFilter = (req: Request): AttestationFilter => ({
    kind: matching(req, 'kind', /^(transfer|withdrawal)$/, 'must be transfer or withdrawal'),
    centre: matching(req, 'centre', CENTRE, 'must be a centre code such as 110000'),
    status: matching(req, 'status', /^[A-Z_]{1,20}$/, 'must be a status name such as COMPLETED'),
  });
  router.get('/console/attestations', (req, res) => {
    const lang = langOfReq(req);
    const filter = attestationFilter(req);
    const current = pageOf(req);
    const result = index.attestations(filter, PAGE_SIZE, (current - 1) * PAGE_SIZE);
    const query = filtersOf(req, ['kind', 'centre', 'status']);
    page(
      req,
      res,
      t(lang, 'attestations'),
      `<form method="get" class="filters">
        <label>${escapeHtml(t(lang, 'kind'))} <select name="kind"><option value="">${escapeHtml(t(lang, 'all'))}</option><option value="transfer">transfer</option><option value="withdrawal">withdrawal</option></select></label>
        <label>${escapeHtml(t(lang, 'centre'))} <input name="centre" maxlength="6" value="${escapeHtml(filter.centre)}"></label>
        <label>${escapeHtml(t(lang, 'status'))} <input name="status" maxlength="20" value="${escapeHtml(filter.status)}"></label>
        <button type="submit">${escapeHtml(t(lang, 'filter'))}</button></form>
      ${tableHtml(attestationTable(lang, result.rows), 'attestations')}
      ${pagination(lang, { page: current, pageSize: PAGE_SIZE, total: result.total, path: '/console/attestations', query })}
      ${csvLink(lang, '/console/attestations.csv', query)}`,
    );
  });
  router.get('/console/attestations.csv', (req, res) => {
    const result = index.attestations(attestationFilter(req), CSV_MAX_ROWS, 0);
    csv(res, 'attestations', attestationTable(langOfReq(req), result.rows));
  });

  const attestationPage = async (req: Request, res: Response, documentHash?: string): Promise<void> => {
    const lang = langOfReq(req);
    const id = param(req, 'id');
    // Everything here is read from the ledger (proof, verification, each step's transaction), not the index.
    const verification = await audit.verify(
      documentHash === undefined ? { attestationId: id } : { attestationId: id, documentHash },
    );
    if (verification.found !== true) throw new ApiError('NOT_FOUND', 'no attestation with this ID');
    const record = optionalObject(verification, 'record') ?? {};
    const stepTxs = stepsOf(field(verification, 'kind'), record);
    const txs = await Promise.all(stepTxs.map(async (s) => ({ s, tx: await audit.transaction(s.txId) })));
    const steps: Table = {
      columns: [
        t(lang, 'step'),
        t(lang, 'status'),
        t(lang, 'txId'),
        t(lang, 'block'),
        t(lang, 'time'),
        t(lang, 'endorsers'),
        t(lang, 'validation'),
      ],
      rows: txs.map(({ s, tx }) => [
        s.step,
        statusLabel(s.status, s.platformCode),
        txLink(s.txId),
        blockLink(tx.blockNumber),
        tx.timestamp,
        tx.endorsingOrgs.join(' '),
        tx.validationCode,
      ]),
    };
    const valid = verification.valid === true;
    const documentResult =
      documentHash === undefined
        ? ''
        : verification.documentMatches === true
          ? `<p id="document-result" class="ok">${escapeHtml(t(lang, 'documentMatches'))}</p>`
          : `<p id="document-result" class="error">${escapeHtml(t(lang, 'documentMismatch'))}</p>`;
    const alerts = index.alertsOf(id);
    page(
      req,
      res,
      id,
      `<p class="note">${escapeHtml(t(lang, 'verifiedFromLedger'))}</p>
      <p id="verdict" class="${valid ? 'ok' : 'error'}">${escapeHtml(t(lang, 'verdict'))}: ${escapeHtml(valid ? t(lang, 'verdictValid') : t(lang, 'verdictInvalid'))}</p>
      <p>${escapeHtml(t(lang, 'status'))}: <strong id="status">${escapeHtml(statusLabel(field(record, 'status'), field(record, 'platformCode') || undefined))}</strong></p>
      <h2>${escapeHtml(t(lang, 'steps'))}</h2>${tableHtml(steps, 'steps')}
      ${alerts.length > 0 ? `<h2>${escapeHtml(t(lang, 'alerts'))}</h2>${tableHtml({ columns: [t(lang, 'code'), t(lang, 'message')], rows: alerts.map((a) => [a.code, a.message]) }, 'alerts')}` : ''}
      <h2>${escapeHtml(t(lang, 'documentHash'))}</h2>
      <form method="post" action="${escapeHtml(attestationPath(id))}/verify" class="document" id="document-form">
        <div class="drop" id="drop">${escapeHtml(t(lang, 'documentHint'))}</div>
        <input name="documentHash" id="document-hash" pattern="[0-9a-fA-F]{64}" maxlength="64" required>
        <button type="submit">${escapeHtml(t(lang, 'verify'))}</button></form>
      ${documentResult}
      <p><a id="proof" download href="${escapeHtml(attestationPath(id))}/proof.json">${escapeHtml(t(lang, 'proof'))}</a></p>
      <h2>${escapeHtml(t(lang, 'record'))}</h2><pre id="record">${escapeHtml(JSON.stringify(record, null, 2))}</pre>`,
    );
  };
  router.get('/console/attestations/:id', async (req, res) => {
    await attestationPage(req, res);
  });
  router.post('/console/attestations/:id/verify', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const hash = typeof body.documentHash === 'string' ? body.documentHash.trim().toLowerCase() : '';
    if (!/^[0-9a-f]{64}$/.test(hash))
      throw invalidField('documentHash', 'must be 64 hexadecimal characters (SHA-256)');
    await attestationPage(req, res, hash);
  });
  router.get('/console/attestations/:id/proof.json', async (req, res) => {
    const proof = await audit.proof(param(req, 'id'));
    res
      .status(200)
      .setHeader(
        'Content-Disposition',
        `attachment; filename="proof-${proof.attestationId.replaceAll(':', '_')}.json"`,
      )
      .json(proof);
  });

  const blocksTable = (lang: Lang, limit: number, offset: number): { table: Table; total: number } => {
    const result = index.blocks(limit, offset);
    return {
      total: result.total,
      table: {
        columns: [t(lang, 'block'), t(lang, 'transactions'), t(lang, 'time')],
        rows: result.rows.map((b) => [blockLink(b.block), b.transactions, b.lastAt ?? '']),
      },
    };
  };
  router.get('/console/blocks', (req, res) => {
    const lang = langOfReq(req);
    const current = pageOf(req);
    const { table, total } = blocksTable(lang, PAGE_SIZE, (current - 1) * PAGE_SIZE);
    page(
      req,
      res,
      t(lang, 'blocks'),
      `${tableHtml(table, 'blocks')}${pagination(lang, { page: current, pageSize: PAGE_SIZE, total, path: '/console/blocks', query: new URLSearchParams() })}
      ${csvLink(lang, '/console/blocks.csv', new URLSearchParams())}`,
    );
  });
  router.get('/console/blocks.csv', (req, res) => {
    csv(res, 'blocks', blocksTable(langOfReq(req), CSV_MAX_ROWS, 0).table);
  });
  router.get('/console/blocks/:number', async (req, res) => {
    const lang = langOfReq(req);
    if (!/^\d{1,19}$/.test(param(req, 'number'))) throw invalidField('number', 'must be a block number');
    const number = BigInt(param(req, 'number'));
    const { height } = await audit.chainInfo();
    if (number >= height)
      throw new ApiError('NOT_FOUND', `no block ${number.toString()}: the ledger has ${height.toString()}`);
    const block = await audit.block(number);
    page(
      req,
      res,
      `${t(lang, 'block')} ${block.number}`,
      `<p class="note">${escapeHtml(t(lang, 'verifiedFromLedger'))}</p>
      <p>${escapeHtml(t(lang, 'dataHash'))}: <code>${escapeHtml(block.dataHash)}</code><br>${escapeHtml(t(lang, 'previousHash'))}: <code>${escapeHtml(block.previousHash)}</code></p>
      ${tableHtml(
        {
          columns: [
            t(lang, 'txId'),
            t(lang, 'time'),
            t(lang, 'creator'),
            t(lang, 'endorsers'),
            t(lang, 'chaincode'),
            t(lang, 'validation'),
          ],
          rows: block.transactions.map((tx) => [
            tx.txId === '' ? '' : txLink(tx.txId),
            tx.timestamp,
            tx.creatorMspId,
            tx.endorsingOrgs.join(' '),
            tx.chaincode,
            tx.validationCode,
          ]),
        },
        'transactions',
      )}`,
    );
  });
  router.get('/console/transactions/:txId', async (req, res) => {
    const lang = langOfReq(req);
    if (!/^[0-9a-f]{64}$/.test(param(req, 'txId')))
      throw invalidField('txId', 'must be 64 lowercase hexadecimal characters');
    const [tx, keys] = await Promise.all([
      audit.transaction(param(req, 'txId')),
      audit.transactionKeys(param(req, 'txId')),
    ]);
    page(
      req,
      res,
      `${t(lang, 'txId')} ${tx.txId}`,
      `<p class="note">${escapeHtml(t(lang, 'verifiedFromLedger'))}</p>
      ${tableHtml(
        {
          columns: [
            t(lang, 'block'),
            t(lang, 'time'),
            t(lang, 'creator'),
            t(lang, 'endorsers'),
            t(lang, 'chaincode'),
            t(lang, 'validation'),
          ],
          rows: [
            [
              blockLink(tx.blockNumber),
              tx.timestamp,
              tx.creatorMspId,
              tx.endorsingOrgs.join(' '),
              tx.chaincode,
              tx.validationCode,
            ],
          ],
        },
        'transaction',
      )}
      ${tableHtml(
        {
          columns: [t(lang, 'namespace'), t(lang, 'reads'), t(lang, 'writes')],
          rows: keys.map((k) => [k.namespace, k.reads.join('\n'), k.writes.join('\n')]),
        },
        'keys',
      )}`,
    );
  });

  const alertFilter = (req: Request): AlertFilter => ({
    code: matching(req, 'code', /^[A-Z_]{1,40}$/, 'must be an alert code such as MULTI_CENTRE'),
    centre: matching(req, 'centre', CENTRE, 'must be a centre code such as 110000'),
    from: matching(req, 'from', DATE, 'must be a date YYYY-MM-DD'),
    to: matching(req, 'to', DATE, 'must be a date YYYY-MM-DD'),
  });
  const alertsTable = (
    lang: Lang,
    filter: AlertFilter,
    limit: number,
    offset: number,
  ): { table: Table; total: number } => {
    const result = index.alerts(filter, limit, offset);
    return {
      total: result.total,
      table: {
        columns: [
          t(lang, 'code'),
          t(lang, 'centre'),
          t(lang, 'time'),
          t(lang, 'id'),
          t(lang, 'evidenceHash'),
          t(lang, 'count'),
          t(lang, 'open'),
          t(lang, 'message'),
        ],
        rows: result.rows.map((a) => [
          a.code,
          centreLabel(a.centre),
          a.at,
          attestationLink(a.attestationId),
          a.evidenceHash ?? '',
          a.count ?? '',
          t(lang, a.open ? 'yes' : 'no'),
          a.message,
        ]),
      },
    };
  };
  router.get('/console/alerts', (req, res) => {
    const lang = langOfReq(req);
    const filter = alertFilter(req);
    const current = pageOf(req);
    const { table, total } = alertsTable(lang, filter, PAGE_SIZE, (current - 1) * PAGE_SIZE);
    const query = filtersOf(req, ['code', 'centre', 'from', 'to']);
    page(
      req,
      res,
      t(lang, 'alerts'),
      `<form method="get" class="filters">
        <label>${escapeHtml(t(lang, 'code'))} <input name="code" maxlength="40" value="${escapeHtml(filter.code)}"></label>
        <label>${escapeHtml(t(lang, 'centre'))} <input name="centre" maxlength="6" value="${escapeHtml(filter.centre)}"></label>
        <label>${escapeHtml(t(lang, 'periodFrom'))} <input name="from" type="date" value="${escapeHtml(filter.from)}"></label>
        <label>${escapeHtml(t(lang, 'periodTo'))} <input name="to" type="date" value="${escapeHtml(filter.to)}"></label>
        <button type="submit">${escapeHtml(t(lang, 'filter'))}</button></form>
      ${tableHtml(table, 'alerts')}
      ${pagination(lang, { page: current, pageSize: PAGE_SIZE, total, path: '/console/alerts', query })}
      ${csvLink(lang, '/console/alerts.csv', query)}`,
    );
  });
  router.get('/console/alerts.csv', (req, res) => {
    csv(res, 'alerts', alertsTable(langOfReq(req), alertFilter(req), CSV_MAX_ROWS, 0).table);
  });

  router.use('/console', (_req, _res, next) => {
    next(new ApiError('NOT_FOUND', 'no such console page'));
  });
  router.use('/console', ((err: unknown, req: Request, res: Response, _next: unknown) => {
    const status = isApiError(err)
      ? err.status
      : typeof (err as { status?: unknown }).status === 'number'
        ? (err as { status: number }).status
        : 500;
    if (status >= 500) options.logger.error({ err }, 'console page failed');
    const lang = langOfReq(req);
    const detail = isApiError(err) || status < 500 ? (err as Error).message : 'internal error';
    page(req, res, t(lang, 'error'), `<p class="error" role="alert">${escapeHtml(detail)}</p>`, status);
  }) as unknown as RequestHandler);
  return router;
}
