import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { LedgerIndex } from '../src/services/ledger-index';
import { AUDITOR_KEY, OPERATOR_KEY, buildApp } from './support/test-app';

/**
 * The console's defence against cross-origin forms, in a real browser (Debian's chromium through
 * playwright-core, as test/integration/console.test.ts): the gateway app in-process on one loopback
 * port, and a hostile page on another loopback port of the same host. Another port is the "same site"
 * for SameSite=Strict, so the session cookie travels with its forms: only the Origin / Fetch Metadata
 * check stops them.
 */

const CHROMIUM = process.env.HPF_CHROMIUM ?? '/usr/bin/chromium';

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A page on another origin whose form posts `fields` to `action` as soon as it loads. */
function hostilePage(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
    .join('');
  return `<!doctype html><html><body><form id="f" method="post" action="${action}">${inputs}</form>
<script>document.getElementById('f').submit();</script></body></html>`;
}

describe('console forms in a browser: only its own origin may post', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let gateway: Server;
  let hostile: Server;
  let consoleUrl: string;
  let elsewhere: string;

  /** Opens a hostile page whose form posts at once; the status of that POST. */
  const postFrom = async (path: string): Promise<number> => {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.goto(`${elsewhere}${path}`),
    ]);
    await page.waitForLoadState();
    return response.status();
  };
  const sessionCookie = async () => (await context.cookies()).find((c) => c.name === 'hpf_console');

  beforeAll(async () => {
    const { app } = buildApp({}, { index: new LedgerIndex({ file: ':memory:' }) });
    gateway = createServer(app);
    consoleUrl = await listen(gateway);
    hostile = createServer((req, res) => {
      const pages: Record<string, string> = {
        // Login CSRF: signs the victim's browser in with the attacker's key.
        '/sign-in': hostilePage(`${consoleUrl}/console/sign-in`, { apiKey: OPERATOR_KEY }),
        '/sign-out': hostilePage(`${consoleUrl}/console/sign-out`, {}),
      };
      res.writeHead(200, { 'content-type': 'text/html' }).end(pages[req.url ?? ''] ?? '');
    });
    elsewhere = await listen(hostile);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    context = await browser.newContext();
    page = await context.newPage();
    // Launching Chromium on a loaded 2-core machine has taken more than Jest's 30 s.
  }, 120_000);

  afterAll(async () => {
    await browser.close();
    gateway.close();
    hostile.close();
  });

  it("refuses a sign-in posted from another port's page (login CSRF): 403, no session", async () => {
    expect(await postFrom('/sign-in')).toBe(403);
    expect(await page.textContent('.error')).toContain('cross-origin request refused');
    expect(await sessionCookie()).toBeUndefined();
  });

  it("signs in through the console's own form", async () => {
    await page.goto(`${consoleUrl}/console/sign-in`);
    await page.fill('input[name=apiKey]', AUDITOR_KEY);
    await Promise.all([page.waitForURL('**/console/overview'), page.click('form.sign-in button')]);
    expect(await sessionCookie()).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  it("refuses a sign-out posted from another port's page although the cookie travels with it", async () => {
    const cookie = await sessionCookie();
    expect(await postFrom('/sign-out')).toBe(403);
    expect((await sessionCookie())?.value).toBe(cookie?.value);
    await page.goto(`${consoleUrl}/console/overview`);
    expect(new URL(page.url()).pathname).toBe('/console/overview');
  });

  it("signs out through the console's own button", async () => {
    await page.goto(`${consoleUrl}/console/overview`);
    await Promise.all([
      page.waitForURL('**/console/sign-in'),
      page.click('form[action="/console/sign-out"] button'),
    ]);
    await page.goto(`${consoleUrl}/console/overview`);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
  });
});
