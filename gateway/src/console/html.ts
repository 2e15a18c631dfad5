import { t, type Lang } from './i18n';

/**
 * HTML for the console. Every page is written with the `html` tag, which escapes each value it is
 * given, so a page cannot forget to: text from the ledger, the index or the request stays text. A
 * fragment that is already HTML (another `html` result) goes in as it is; `raw` marks the rare trusted
 * string that is HTML without coming from `html`.
 */

/** Markup that is safe to send: built by `html` (values escaped) or marked trusted by `raw`. */
export class SafeHtml {
  readonly #markup: string;

  constructor(markup: string) {
    this.#markup = markup;
  }

  toString(): string {
    return this.#markup;
  }
}

/** What a template may hold: escaped text, safe markup, or lists of these; nothing for null, undefined, false. */
export type HtmlValue =
  SafeHtml | string | number | bigint | boolean | null | undefined | readonly HtmlValue[];

function escapeText(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeText(String(value));
}

/** The auto-escaping template tag: `html`<p>${text}</p>`` escapes `text` unless it is `SafeHtml`. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Trusted markup as it is (never text from a request, the ledger or the index). */
export function raw(trusted: string): SafeHtml {
  return new SafeHtml(trusted);
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

function cellHtml(cell: Cell): SafeHtml {
  return typeof cell === 'object'
    ? html`<td><a href="${cell.href}">${cell.text}</a></td>`
    : html`<td>${cell}</td>`;
}

export function tableHtml(table: Table, id: string): SafeHtml {
  const head = table.columns.map((c) => html`<th>${c}</th>`);
  const body = table.rows.map(
    (row) =>
      html`<tr>
        ${row.map(cellHtml)}
      </tr>`,
  );
  return html`<table id="${id}">
    <thead>
      <tr>
        ${head}
      </tr>
    </thead>
    <tbody>
      ${body}
    </tbody>
  </table>`;
}

/**
 * A cell a spreadsheet would read as a formula: one starting with `=`, `+`, `-`, `@`, tab or carriage
 * return, also behind leading white space or quotes (spreadsheets skip those before a formula).
 */
const FORMULA_START = /^[\s"']*[=+\-@\t\r]/;

/**
 * One CSV field, neutralised as OWASP's CSV injection guidance says: a cell that could start a
 * formula gets a leading `'` (shown as text by Excel, LibreOffice and Google Sheets), then fields
 * holding quotes, commas or line breaks are quoted with `"` doubled.
 */
export function csvField(value: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * UTF-8 with a byte-order mark, so that Excel opens Chinese text correctly; CRLF line ends; every
 * field through {@link csvField}, so no cell is read as a formula.
 */
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

export function pagination(lang: Lang, nav: PageNav): SafeHtml {
  const pages = Math.max(1, Math.ceil(nav.total / nav.pageSize));
  const link = (page: number, label: string, rel: string): SafeHtml => {
    const query = new URLSearchParams(nav.query);
    query.set('page', String(page));
    return html`<a rel="${rel}" href="${`${nav.path}?${query.toString()}`}">${label}</a>`;
  };
  return html`<nav class="pages">
    ${nav.page > 1 && link(nav.page - 1, t(lang, 'previous'), 'prev')}
    <span>${`${t(lang, 'page')} ${nav.page} / ${pages} (${t(lang, 'of')} ${nav.total})`}</span>
    ${nav.page < pages && link(nav.page + 1, t(lang, 'next'), 'next')}
  </nav>`;
}

export function csvLink(lang: Lang, path: string, query: URLSearchParams): SafeHtml {
  const q = new URLSearchParams(query);
  q.delete('page');
  const suffix = q.toString() === '' ? '' : `?${q.toString()}`;
  return html`<a class="csv" download href="${`${path}${suffix}`}">${t(lang, 'csv')}</a>`;
}

export interface LayoutOptions {
  readonly lang: Lang;
  readonly title: string;
  /** The page's path and query, for the language switch to come back to. */
  readonly back: string;
  readonly signedIn: boolean;
  readonly scripts?: readonly string[];
}

function mainNav(lang: Lang): SafeHtml {
  return html`<nav class="main">
    <a href="/console/overview">${t(lang, 'overview')}</a>
    <a href="/console/attestations">${t(lang, 'attestations')}</a>
    <a href="/console/blocks">${t(lang, 'blocks')}</a>
    <a href="/console/alerts">${t(lang, 'alerts')}</a>
    <a href="/console/person">${t(lang, 'person')}</a>
    <form class="search" method="get" action="/console/search" role="search">
      <input
        name="q"
        type="search"
        required
        maxlength="200"
        placeholder="${t(lang, 'searchHint')}"
        aria-label="${t(lang, 'search')}"
      />
      <button type="submit">${t(lang, 'search')}</button>
    </form>
    <form method="post" action="/console/sign-out"><button type="submit">${t(lang, 'signOut')}</button></form>
  </nav>`;
}

/** The page frame: navigation, search box on every page, language switch. No inline script or style. */
export function layout(options: LayoutOptions, body: SafeHtml): SafeHtml {
  const { lang } = options;
  const other = lang === 'en' ? 'zh-CN' : 'en';
  const scripts = ['/console/assets/console.js', ...(options.scripts ?? [])].map(
    (src) => html`<script src="${src}" defer></script>`,
  );
  return html`<!doctype html>
    <html lang="${lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} · ${t(lang, 'title')}</title>
        <link rel="stylesheet" href="/console/assets/console.css" />
        ${scripts}
      </head>
      <body>
        <header>
          <strong>${t(lang, 'title')}</strong>
          <a class="lang" href="${`/console/lang?to=${other}&back=${encodeURIComponent(options.back)}`}"
            >${other === 'en' ? 'English' : '中文'}</a
          >
        </header>
        ${options.signedIn && mainNav(lang)}
        <main>
          <h1>${options.title}</h1>
          ${body}
        </main>
      </body>
    </html>`;
}
