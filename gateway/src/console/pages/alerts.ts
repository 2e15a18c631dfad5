import type { Request } from 'express';
import type { AlertFilter, AlertRow, Page } from '../../services/ledger-index';
import { csvLink, html, pagination, tableHtml, type Table } from '../html';
import { centreLabel, t, type Lang } from '../i18n';
import { attestationLink, CSV_WINDOW, PAGE_SIZE, pageWindow, type ConsolePage } from '../page';
import { CENTRE, DATE, filtersOf, matching, pageOf } from '../query';

/** The alerts the index raised (duplicate evidence, several centres, …), filtered; also as CSV. */

const PATH = '/console/alerts';
const FILTERS = ['code', 'centre', 'from', 'to'] as const;

interface AlertsQuery {
  readonly filter: AlertFilter;
  readonly page: number;
  /** The filters as given, for pagination and CSV links. */
  readonly given: URLSearchParams;
}

function filterOf(req: Request): AlertsQuery {
  return {
    filter: {
      code: matching(req, 'code', /^[A-Z_]{1,40}$/, 'must be an alert code such as MULTI_CENTRE'),
      centre: matching(req, 'centre', CENTRE, 'must be a centre code such as 110000'),
      from: matching(req, 'from', DATE, 'must be a date YYYY-MM-DD'),
      to: matching(req, 'to', DATE, 'must be a date YYYY-MM-DD'),
    },
    page: 1,
    given: filtersOf(req, FILTERS),
  };
}

function alertsTable(lang: Lang, rows: readonly AlertRow[]): Table {
  return {
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
    rows: rows.map((a) => [
      a.code,
      centreLabel(a.centre),
      a.at,
      attestationLink(a.attestationId),
      a.evidenceHash ?? '',
      a.count ?? '',
      t(lang, a.open ? 'yes' : 'no'),
      a.message,
    ]),
  };
}

export const alertsPage: ConsolePage<AlertsQuery, Page<AlertRow>> = {
  path: PATH,
  query: (req) => ({ ...filterOf(req), page: pageOf(req) }),
  load: ({ index }, q) => {
    const { limit, offset } = pageWindow(q.page);
    return index.alerts(q.filter, limit, offset);
  },
  view: (lang, result, q) => ({
    title: t(lang, 'alerts'),
    body: html`<form method="get" class="filters">
        <label>${t(lang, 'code')} <input name="code" maxlength="40" value="${q.filter.code}" /></label>
        <label>${t(lang, 'centre')} <input name="centre" maxlength="6" value="${q.filter.centre}" /></label>
        <label>${t(lang, 'periodFrom')} <input name="from" type="date" value="${q.filter.from}" /></label>
        <label>${t(lang, 'periodTo')} <input name="to" type="date" value="${q.filter.to}" /></label>
        <button type="submit">${t(lang, 'filter')}</button>
      </form>
      ${tableHtml(alertsTable(lang, result.rows), 'alerts')}
      ${pagination(lang, { page: q.page, pageSize: PAGE_SIZE, total: result.total, path: PATH, query: q.given })}
      ${csvLink(lang, `${PATH}.csv`, q.given)}`,
  }),
  csv: {
    path: `${PATH}.csv`,
    query: filterOf,
    load: ({ index }, q, lang) => ({
      name: 'alerts',
      table: alertsTable(lang, index.alerts(q.filter, CSV_WINDOW.limit, CSV_WINDOW.offset).rows),
    }),
  },
};
