import type { BlockRow, Page } from '../../services/ledger-index';
import { csvLink, html, pagination, tableHtml, type Table } from '../html';
import { t, type Lang } from '../i18n';
import { blockLink, CSV_WINDOW, PAGE_SIZE, pageWindow, type ConsolePage } from '../page';
import { pageOf } from '../query';

/** The blocks the index has seen, newest first, with their transaction counts; also as CSV. */

const PATH = '/console/blocks';

function blocksTable(lang: Lang, rows: readonly BlockRow[]): Table {
  return {
    columns: [t(lang, 'block'), t(lang, 'transactions'), t(lang, 'time')],
    rows: rows.map((b) => [blockLink(b.block), b.transactions, b.lastAt ?? '']),
  };
}

export const blocksPage: ConsolePage<{ readonly page: number }, Page<BlockRow>> = {
  path: PATH,
  query: (req) => ({ page: pageOf(req) }),
  load: ({ index }, q) => {
    const { limit, offset } = pageWindow(q.page);
    return index.blocks(limit, offset);
  },
  view: (lang, result, q) => ({
    title: t(lang, 'blocks'),
    body: html`${tableHtml(blocksTable(lang, result.rows), 'blocks')}${pagination(lang, { page: q.page, pageSize: PAGE_SIZE, total: result.total, path: PATH, query: new URLSearchParams() })}
    ${csvLink(lang, `${PATH}.csv`, new URLSearchParams())}`,
  }),
  csv: {
    path: `${PATH}.csv`,
    query: () => ({ page: 1 }),
    load: ({ index }, _q, lang) => ({
      name: 'blocks',
      table: blocksTable(lang, index.blocks(CSV_WINDOW.limit, CSV_WINDOW.offset).rows),
    }),
  },
};
