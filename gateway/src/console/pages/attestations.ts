import type { Request } from 'express';
import type { AttestationFilter, AttestationRow, Page } from '../../services/ledger-index';
import { csvLink, html, pagination, tableHtml, type Table } from '../html';
import { centreLabel, reasonLabel, statusLabel, t, type Lang } from '../i18n';
import { attestationLink, blockLink, CSV_WINDOW, PAGE_SIZE, pageWindow, type ConsolePage } from '../page';
import { CENTRE, filtersOf, matching, pageOf } from '../query';

/** The list of attestations the index holds, filtered by kind, centre and status; also as CSV. */

const PATH = '/console/attestations';
const FILTERS = ['kind', 'centre', 'status'] as const;

interface AttestationsQuery {
  readonly filter: AttestationFilter;
  readonly page: number;
  /** The filters as given, for pagination and CSV links. */
  readonly given: URLSearchParams;
}

function filterOf(req: Request): AttestationsQuery {
  return {
    filter: {
      kind: matching(req, 'kind', /^(transfer|withdrawal)$/, 'must be transfer or withdrawal'),
      centre: matching(req, 'centre', CENTRE, 'must be a centre code such as 110000'),
      status: matching(req, 'status', /^[A-Z_]{1,20}$/, 'must be a status name such as COMPLETED'),
    },
    page: 1,
    given: filtersOf(req, FILTERS),
  };
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

export const attestationsPage: ConsolePage<AttestationsQuery, Page<AttestationRow>> = {
  path: PATH,
  query: (req) => ({ ...filterOf(req), page: pageOf(req) }),
  load: ({ index }, q) => {
    const { limit, offset } = pageWindow(q.page);
    return index.attestations(q.filter, limit, offset);
  },
  view: (lang, result, q) => ({
    title: t(lang, 'attestations'),
    body: html`<form method="get" class="filters">
        <label
          >${t(lang, 'kind')}
          <select name="kind">
            <option value="">${t(lang, 'all')}</option>
            <option value="transfer">transfer</option>
            <option value="withdrawal">withdrawal</option>
          </select></label
        >
        <label>${t(lang, 'centre')} <input name="centre" maxlength="6" value="${q.filter.centre}" /></label>
        <label>${t(lang, 'status')} <input name="status" maxlength="20" value="${q.filter.status}" /></label>
        <button type="submit">${t(lang, 'filter')}</button>
      </form>
      ${tableHtml(attestationTable(lang, result.rows), 'attestations')}
      ${pagination(lang, { page: q.page, pageSize: PAGE_SIZE, total: result.total, path: PATH, query: q.given })}
      ${csvLink(lang, `${PATH}.csv`, q.given)}`,
  }),
  csv: {
    path: `${PATH}.csv`,
    query: filterOf,
    load: ({ index }, q, lang) => {
      const result = index.attestations(q.filter, CSV_WINDOW.limit, CSV_WINDOW.offset);
      return { name: 'attestations', table: attestationTable(lang, result.rows) };
    },
  },
};
