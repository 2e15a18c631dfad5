import { t, type Lang } from './i18n';

/** HTML for the console: escaped text, one layout, tables that render as HTML or CSV. */

export function escapeHtml(value: string | number | null | undefined): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A table cell: text, optionally a link (console paths only). */
export type Cell = string | number | { readonly text: string | number; readonly href: string };

export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

function cellText(cell: Cell): string {
  return typeof cell === 'object' ? String(cell.text) : String(cell);
}

export function tableHtml(table: Table, id: string): string {
  const head = table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = table.rows
    .map(
      (row) =>
        `<tr>${row
          .map((cell) =>
            typeof cell === 'object'
              ? `<td><a href="${escapeHtml(cell.href)}">${escapeHtml(cell.text)}</a></td>`
              : `<td>${escapeHtml(cell)}</td>`,
          )
          .join('')}</tr>`,
    )
    .join('');
  return `<table id="${escapeHtml(id)}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** UTF-8 with a byte-order mark, so that Excel opens Chinese text correctly; CRLF line ends. */
export function tableCsv(table: Table): string {
  const lines = [table.columns, ...table.rows.map((row) => row.map(cellText))].map((row) =>
    row.map(csvField).join(','),
  );
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export interface PageNav {
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
  /** The current path with its filters, without `page`. */
  readonly path: string;
  readonly query: URLSearchParams;
}

export function pagination(lang: Lang, nav: PageNav): string {
  const pages = Math.max(1, Math.ceil(nav.total / nav.pageSize));
  const link = (page: number, label: string, rel: string): string => {
    const query = new URLSearchParams(nav.query);
    query.set('page', String(page));
    return `<a rel="${rel}" href="${escapeHtml(`${nav.path}?${query.toString()}`)}">${escapeHtml(label)}</a>`;
  };
  return `<nav class="pages">${nav.page > 1 ? link(nav.page - 1, t(lang, 'previous'), 'prev') : ''}
    <span>${escapeHtml(`${t(lang, 'page')} ${nav.page} / ${pages} (${t(lang, 'of')} ${nav.total})`)}</span>
    ${nav.page < pages ? link(nav.page + 1, t(lang, 'next'), 'next') : ''}</nav>`;
}

export function csvLink(lang: Lang, path: string, query: URLSearchParams): string {
  const q = new URLSearchParams(query);
  q.delete('page');
  const suffix = q.toString() === '' ? '' : `?${q.toString()}`;
  return `<a class="csv" download href="${escapeHtml(`${path}${suffix}`)}">${escapeHtml(t(lang, 'csv'))}</a>`;
}

export interface LayoutOptions {
  readonly lang: Lang;
  readonly title: string;
  /** The page's path and query, for the language switch to come back to. */
  readonly back: string;
  readonly signedIn: boolean;
  readonly scripts?: readonly string[];
}

/** The page frame: navigation, search box on every page, language switch. No inline script or style. */
export function layout(options: LayoutOptions, body: string): string {
  const { lang } = options;
  const other = lang === 'en' ? 'zh-CN' : 'en';
  const nav = options.signedIn
    ? `<nav class="main">
        <a href="/console/overview">${escapeHtml(t(lang, 'overview'))}</a>
        <a href="/console/attestations">${escapeHtml(t(lang, 'attestations'))}</a>
        <a href="/console/blocks">${escapeHtml(t(lang, 'blocks'))}</a>
        <a href="/console/alerts">${escapeHtml(t(lang, 'alerts'))}</a>
        <a href="/console/person">${escapeHtml(t(lang, 'person'))}</a>
        <form class="search" method="get" action="/console/search" role="search">
          <input name="q" type="search" required maxlength="200" placeholder="${escapeHtml(t(lang, 'searchHint'))}" aria-label="${escapeHtml(t(lang, 'search'))}">
          <button type="submit">${escapeHtml(t(lang, 'search'))}</button>
        </form>
        <form method="post" action="/console/sign-out"><button type="submit">${escapeHtml(t(lang, 'signOut'))}</button></form>
      </nav>`
    : '';
  const scripts = ['/console/assets/console.js', ...(options.scripts ?? [])]
    .map((src) => `<script src="${escapeHtml(src)}" defer></script>`)
    .join('');
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)} · ${escapeHtml(t(lang, 'title'))}</title>
<link rel="stylesheet" href="/console/assets/console.css">
${scripts}
</head>
<body>
<header><strong>${escapeHtml(t(lang, 'title'))}</strong>
<a class="lang" href="/console/lang?to=${other}&amp;back=${encodeURIComponent(options.back)}">${other === 'en' ? 'English' : '中文'}</a>
</header>
${nav}
<main>
<h1>${escapeHtml(options.title)}</h1>
${body}
</main>
</body>
</html>`;
}
