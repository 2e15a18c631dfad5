import type { Request } from 'express';
import { ApiError } from '../errors';
import type { AuditService } from '../services/audit-service';
import type { LedgerIndex } from '../services/ledger-index';
import type { PersonLookups } from '../services/person-lookups';
import type { Cell, SafeHtml, Table } from './html';
import type { Lang } from './i18n';

/** Rows per console page. */
export const PAGE_SIZE = 50;
/** The most rows one CSV export holds. */
export const CSV_MAX_ROWS = 200_000;

/** What console pages read: the gateway's index (lists, counts) and the ledger itself (audit). */
export interface ConsoleDeps {
  readonly index: LedgerIndex;
  readonly audit: AuditService;
  /** Person lookups: charged to the signed-in key's budget, shared with the API. */
  readonly lookups: PersonLookups;
  readonly overdueWorkingDays: number;
}

/** The API key ID of each signed-in request (set by the console's session check). */
export const signedInKeys = new WeakMap<Request, string>();

/** The key a console request is signed in with (pages behind the session check only). */
export function signedInKey(req: Request): string {
  const keyId = signedInKeys.get(req);
  if (keyId === undefined) throw new ApiError('UNAUTHENTICATED', 'sign in to the console first');
  return keyId;
}

/** Which rows of a list to load: a page of it, or all of it for a CSV export. */
export interface RowWindow {
  readonly limit: number;
  readonly offset: number;
}

export function pageWindow(page: number): RowWindow {
  return { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE };
}

export const CSV_WINDOW: RowWindow = { limit: CSV_MAX_ROWS, offset: 0 };

/** A rendered page: its title and body (the layout frames it), or a redirect. */
export type PageView =
  | {
      readonly title: string;
      readonly body: SafeHtml;
      readonly status?: number;
      readonly scripts?: readonly string[];
    }
  | { readonly redirect: string };

/** A CSV download: its file name (without `.csv`) and its table. */
export interface CsvExport {
  readonly name: string;
  readonly table: Table;
}

/**
 * One console page: how its request is read (`query`: a bad value is a 400 naming the field), what it
 * loads (`load`: from the index or the ledger, no HTML), and how it looks (`view`: `html` only).
 * `csv`, when given, serves the same list in full at its own path.
 */
export interface ConsolePage<Q, D> {
  readonly method?: 'get' | 'post';
  readonly path: string;
  readonly query: (req: Request) => Q;
  readonly load: (deps: ConsoleDeps, query: Q) => D | Promise<D>;
  readonly view: (lang: Lang, data: D, query: Q) => PageView;
  readonly csv?: {
    readonly path: string;
    readonly query: (req: Request) => Q;
    readonly load: (deps: ConsoleDeps, query: Q, lang: Lang) => CsvExport;
  };
}

/** The console path of an attestation (its typed ID keeps its colons). */
export function attestationPath(id: string): string {
  return `/console/attestations/${encodeURIComponent(id).replaceAll('%3A', ':')}`;
}

export function attestationLink(id: string): Cell {
  return { text: id, href: attestationPath(id) };
}

export function blockLink(block: string | number): Cell {
  return { text: block, href: `/console/blocks/${block}` };
}

export function txLink(txId: string): Cell {
  return { text: txId, href: `/console/transactions/${txId}` };
}
