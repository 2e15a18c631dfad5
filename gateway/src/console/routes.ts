import path from 'node:path';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Logger } from 'pino';
import { ApiError, isApiError } from '../errors';
import type { AuditService } from '../services/audit-service';
import type { LedgerIndex } from '../services/ledger-index';
import type { PersonLookups } from '../services/person-lookups';
import { html, layout, tableCsv, type SafeHtml } from './html';
import { langOf, t, type Lang } from './i18n';
import { signedInKeys, type ConsoleDeps, type ConsolePage, type CsvExport } from './page';
import { alertsPage } from './pages/alerts';
import { attestationPage, attestationVerifyPage, sendProof } from './pages/attestation';
import { attestationsPage } from './pages/attestations';
import { blockPage } from './pages/block';
import { blocksPage } from './pages/blocks';
import { overviewPage } from './pages/overview';
import { personFormPage, personPage } from './pages/person';
import { searchPage } from './pages/search';
import { signInView } from './pages/sign-in';
import { transactionPage } from './pages/transaction';
import { formField, one } from './query';
import { sameOriginOnly } from './same-origin';
import { cookiesOf, LANG_COOKIE, type ConsoleSession, type SessionStore } from './session';

export interface ConsoleOptions {
  readonly index: LedgerIndex;
  readonly audit: AuditService;
  readonly lookups: PersonLookups;
  readonly sessions: SessionStore;
  readonly logger: Logger;
  readonly overdueWorkingDays: number;
  readonly signInRateLimitPerMinute: number;
  /** The gateway serves HTTPS: the language cookie carries `Secure` too. */
  readonly secureCookies: boolean;
}

const ASSETS = path.resolve(__dirname, '..', '..', 'console');
/** The custom ECharts build (`console-build/echarts.mjs`), made by `npm run build -w gateway`. */
const ECHARTS = path.resolve(__dirname, '..', '..', 'dist', 'assets', 'echarts.min.js');
const sessions = new WeakMap<Request, ConsoleSession>();

// Stricter than the API's policy: scripts and styles only from the gateway, nothing inline.
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'";

function langOfReq(req: Request): Lang {
  return langOf(cookiesOf(req).get(LANG_COOKIE));
}

interface Framed {
  readonly title: string;
  readonly body: SafeHtml;
  readonly status?: number;
  readonly scripts?: readonly string[];
}

/** Sends a page in the console's layout; never cached. */
function sendPage(req: Request, res: Response, page: Framed): void {
  const frame = {
    lang: langOfReq(req),
    title: page.title,
    back: req.originalUrl,
    signedIn: sessions.has(req),
    scripts: page.scripts,
  };
  res
    .status(page.status ?? 200)
    .type('html')
    .setHeader('Cache-Control', 'no-store')
    .send(layout(frame, page.body).toString());
}

function sendCsv(res: Response, { name, table }: CsvExport): void {
  res
    .status(200)
    .type('text/csv; charset=utf-8')
    .setHeader('Content-Disposition', `attachment; filename="${name}.csv"`)
    .setHeader('Cache-Control', 'no-store')
    .send(tableCsv(table));
}

/** Serves a page (and its CSV export): read the query, load, render. Errors go to the console's handler. */
function mount<Q, D>(router: Router, deps: ConsoleDeps, page: ConsolePage<Q, D>): void {
  const handler: RequestHandler = async (req, res) => {
    const query = page.query(req);
    const view = page.view(langOfReq(req), await page.load(deps, query), query);
    if ('redirect' in view) res.redirect(303, view.redirect);
    else sendPage(req, res, view);
  };
  if (page.method === 'post') router.post(page.path, handler);
  else router.get(page.path, handler);
  const { csv } = page;
  if (csv !== undefined) {
    router.get(csv.path, (req, res) => {
      sendCsv(res, csv.load(deps, csv.query(req), langOfReq(req)));
    });
  }
}

function errorStatus(err: unknown): number {
  if (isApiError(err)) return err.status;
  const status = (err as { status?: unknown }).status;
  return typeof status === 'number' ? status : 500;
}

/**
 * The console's routes under /console: HTML pages, CSV exports and the static assets. Read-only; every
 * POST (and the language switch) must come from the console's own origin (`same-origin.ts`).
 */
export function consoleRoutes(options: Readonly<ConsoleOptions>): Router {
  const deps: ConsoleDeps = options;
  const router = Router();
  const signInForm = (req: Request, res: Response, status: number, refused: boolean): void => {
    const lang = langOfReq(req);
    sendPage(req, res, { title: t(lang, 'signIn'), body: signInView(lang, refused), status });
  };

  router.use('/console', (_req, res, next) => {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    next();
  });
  router.use('/console/assets', express.static(ASSETS, { index: false, fallthrough: true, maxAge: '1h' }));
  router.get('/console/assets/echarts.min.js', (_req, res) => {
    res.sendFile(ECHARTS, { maxAge: '1h' });
  });
  // Before the body is read: a cross-origin POST (or language switch) is refused and changes nothing.
  router.use('/console', sameOriginOnly(['/lang']));
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
      if (options.sessions.signIn(formField(req, 'apiKey') ?? '', res) === undefined) {
        signInForm(req, res, 401, true);
        return;
      }
      res.redirect(303, '/console/overview');
    },
  );
  router.get('/console/lang', (req, res) => {
    const to = one(req, 'to') === 'en' ? 'en' : 'zh-CN';
    const back = one(req, 'back') ?? '';
    const secure = options.secureCookies ? ' Secure;' : '';
    res.setHeader(
      'Set-Cookie',
      `${LANG_COOKIE}=${to}; Path=/console;${secure} SameSite=Strict; Max-Age=31536000`,
    );
    res.redirect(303, /^\/console\/[^/\\]/.test(back) ? back : '/console/overview');
  });
  router.use('/console', (req, res, next) => {
    const session = options.sessions.sessionOf(req);
    if (session === undefined) {
      res.redirect(303, '/console/sign-in');
      return;
    }
    sessions.set(req, session);
    signedInKeys.set(req, session.keyId);
    next();
  });
  router.post('/console/sign-out', (req, res) => {
    options.sessions.signOut(req, res);
    res.redirect(303, '/console/sign-in');
  });
  router.get(['/console', '/console/'], (_req, res) => {
    res.redirect(303, '/console/overview');
  });

  mount(router, deps, overviewPage);
  mount(router, deps, searchPage);
  mount(router, deps, personFormPage);
  mount(router, deps, personPage);
  mount(router, deps, attestationsPage);
  mount(router, deps, attestationPage);
  mount(router, deps, attestationVerifyPage);
  router.get('/console/attestations/:id/proof.json', async (req, res) => {
    await sendProof(options.audit, req, res);
  });
  mount(router, deps, blocksPage);
  mount(router, deps, blockPage);
  mount(router, deps, transactionPage);
  mount(router, deps, alertsPage);

  router.use('/console', (_req, _res, next) => {
    next(new ApiError('NOT_FOUND', 'no such console page'));
  });
  router.use('/console', ((err: unknown, req: Request, res: Response, _next: unknown) => {
    const status = errorStatus(err);
    if (status >= 500) options.logger.error({ err }, 'console page failed');
    const detail = isApiError(err) || status < 500 ? (err as Error).message : 'internal error';
    const body = html`<p class="error" role="alert">${detail}</p>`;
    sendPage(req, res, { title: t(langOfReq(req), 'error'), body, status });
  }) as unknown as RequestHandler);
  return router;
}
