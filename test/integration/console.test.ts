import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Network, Definition, Runtime } from '../../network';
import { LedgerIndex } from '../../gateway/src/services/ledger-index';
import { testConsortium } from '../support/consortium';
import { call, gatewayOf, keyOf, readEvents, type SseEvent } from '../support/http';
import { residentId, transferIdFor } from '../support/ledger';
import { evidenceOf, withdrawalBody, type WithdrawalBodyFixture } from '../support/fixtures';

/**
 * The auditor console in a real browser (Debian's chromium driven by playwright-core) against the
 * gateways global setup started, and the off-chain index each gateway keeps. Screenshots of every
 * page go to test-artifacts/console/.
 */

const consortium = testConsortium();
const layout = new Network(consortium).layout;
const run = 9990 + (Date.now() % 10);
const today = new Date().toISOString().slice(0, 10);
const beijing = gatewayOf('C110000MSP');
const shanghai = gatewayOf('C310000MSP');
const guangdong = gatewayOf('C440000MSP');
const regulator = gatewayOf('RegulatorMSP');
const SCREENSHOTS = path.join(Definition.REPO_ROOT, 'test-artifacts', 'console');
const CHROMIUM = process.env.HPF_CHROMIUM ?? '/usr/bin/chromium';
const beijingOrg = consortium.centres.find((c) => c.code === '110000')!;

const who = { idType: '01', idNumber: residentId('19770707', run % 1000), name: '审计台' };

function withdrawalOf(id: string, reference: string): WithdrawalBodyFixture {
  return withdrawalBody(id, who, {
    evidence: evidenceOf('PURCHASE_CONTRACT', reference),
    withdrawnOn: today,
  });
}

async function withdraw(gateway: typeof beijing, suffix: string): Promise<string> {
  const id = `CON-${run}-${suffix}`;
  const result = await call(
    gateway,
    'operator',
    'POST',
    '/v1/withdrawals',
    withdrawalOf(id, `CON-${run}-${suffix}`),
  );
  expect(result.status).toBe(201);
  return `withdrawal:${gateway.centreCode ?? ''}:${id}`;
}

/** Every chaincode event from block 0 at `gateway`, until the one about `attestationId` with `status`. */
function ledgerEvents(gateway: typeof beijing, attestationId: string, status?: string): Promise<SseEvent[]> {
  return readEvents(gateway, 'auditor', {
    lastEventId: '0',
    until: (events) =>
      events.some(
        (e) => e.data.attestationId === attestationId && (status === undefined || e.data.status === status),
      ),
    timeoutMs: 60_000,
  });
}

/** Waits (bounded) until the gateway's index checkpoint is `position`. */
async function indexAt(gateway: typeof beijing, position: string): Promise<void> {
  await Runtime.pollUntil(
    async () => {
      const ready = (await (await fetch(`${gateway.url}/readyz`)).json()) as { indexCheckpoint?: string };
      return ready.indexCheckpoint === position ? true : undefined;
    },
    {
      timeoutMs: 120_000,
      intervalMs: 300,
      failure: () => new Error(`index of ${gateway.mspId} never reached ${position}`),
    },
  );
}

/** The text of each cell of a table's body rows. */
async function cells(page: Page, table: string): Promise<string[][]> {
  const rows = page.locator(`#${table} tbody tr`);
  const count = await rows.count();
  const out: string[][] = [];
  for (let i = 0; i < count; i += 1) out.push(await rows.nth(i).locator('td').allTextContents());
  return out;
}

/** The object at `keys` in a JSON document (an example of /openapi.json). */
function exampleAt(document: unknown, keys: readonly string[]): Record<string, unknown> {
  let node: unknown = document;
  for (const key of keys) {
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  }
  if (typeof node !== 'object' || node === null) throw new Error(`no object at ${keys.join(' › ')}`);
  return node as Record<string, unknown>;
}

/** Clicks a form's submit button; the status of the POST that follows, once its page has loaded. */
async function submit(page: Page, button: string): Promise<number> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.click(button),
  ]);
  await page.waitForLoadState();
  return response.status();
}

describe('auditor console in a browser', () => {
  let browser: Browser;
  let context: BrowserContext;
  let pageOf: Page;
  const transferId = transferIdFor(
    consortium.centres.find((c) => c.code === '440000')!,
    run,
  );
  const ids: string[] = [];
  let events: SseEvent[] = [];

  const shot = async (name: string): Promise<void> => {
    await pageOf.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    ids.push(await withdraw(beijing, 'A'), await withdraw(beijing, 'B'), await withdraw(shanghai, 'C'));
    // A certificate's events name no transfer or withdrawal: the index keeps them as events and goes
    // on (reading them as attestations once held it back for good). The body is /openapi.json's example.
    const issued = await call(beijing, 'operator', 'POST', '/v1/certificates', {
      ...exampleAt((await call(beijing, 'auditor', 'GET', '/openapi.json')).body, [
        'paths',
        '/v1/certificates',
        'post',
        'requestBody',
        'content',
        'application/json',
        'example',
      ]),
      certificateNo: `ZM-CONSOLE-${run}`,
    });
    expect([200, 201]).toContain(issued.status);
    const created = await call(guangdong, 'operator', 'POST', '/v1/transfers', {
      transferId,
      fromCentre: '110000',
      person: who,
    });
    expect([200, 201]).toContain(created.status);
    expect(
      (await call(beijing, 'operator', 'POST', `/v1/transfers/${transferId}/accept`)).status,
    ).toBeLessThan(300);
    events = await ledgerEvents(regulator, `transfer:${transferId}`, 'ACCEPTED');
    await indexAt(regulator, events.at(-1)!.id);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    context = await browser.newContext({ locale: 'zh-CN', acceptDownloads: true });
    pageOf = await context.newPage();
  });

  afterAll(async () => {
    await browser.close();
  });

  it('sends a page opened without a session to sign-in, refuses a wrong key, signs in with an auditor key', async () => {
    await pageOf.goto(`${regulator.url}/console/attestations`);
    expect(new URL(pageOf.url()).pathname).toBe('/console/sign-in');
    await shot('sign-in');

    await pageOf.fill('input[name=apiKey]', 'hpf_not_a_valid_key_at_all_0000');
    expect(await submit(pageOf, 'form.sign-in button')).toBe(401);
    expect(await pageOf.textContent('.error')).toContain('密钥无效');
    await shot('sign-in-refused');

    await pageOf.fill('input[name=apiKey]', keyOf(regulator, 'auditor'));
    await Promise.all([pageOf.waitForURL('**/console/overview'), pageOf.click('button[type=submit]')]);
    const cookie = (await context.cookies()).find((c) => c.name === 'hpf_console');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });
    expect(cookie!.expires).toBeGreaterThan(Date.now() / 1000);
  });

  it('shows overview counts equal to the ledger’s', async () => {
    // The ledger's figures, from its event stream replayed from block 0: each attestation's last status.
    const last = new Map<string, SseEvent>();
    // The console counts transfers and withdrawals; certificates' events are kept as events only.
    for (const e of events) {
      const id = e.data.attestationId;
      if (typeof id === 'string' && /^(transfer|withdrawal):/.test(id)) last.set(id, e);
    }
    const withdrawals = [...last.keys()].filter((id) => id.startsWith('withdrawal:'));
    const perCentre = (code: string): number =>
      withdrawals.filter((id) => id.startsWith(`withdrawal:${code}:`)).length;
    const accepted = [...last.values()].filter(
      (e) =>
        e.data.type !== undefined &&
        String(e.data.attestationId).startsWith('transfer:') &&
        e.data.status === 'ACCEPTED',
    ).length;
    const ledgerHeight = (
      await call(regulator, 'auditor', 'GET', `/v1/transactions/${events.at(-1)!.id.split(':')[1]}`)
    ).body.blockNumber;

    await pageOf.goto(`${regulator.url}/console/overview`);
    expect(Number(await pageOf.textContent('#attestation-count'))).toBe(last.size);
    expect(BigInt((await pageOf.textContent('#ledger-height')) ?? '0')).toBeGreaterThan(
      BigInt(String(ledgerHeight)),
    );
    const centres = await cells(pageOf, 'per-centre');
    for (const code of ['110000', '310000']) {
      expect(Number(centres.find((row) => row[0]?.startsWith(code))?.[1])).toBe(perCentre(code));
    }
    const byStatus = await cells(pageOf, 'transfers-by-status');
    expect(Number(byStatus.find((row) => row[0] === 'ACCEPTED · 确认接收 · 02')?.[1])).toBe(accepted);
    expect(await pageOf.locator('.chart canvas').count()).toBeGreaterThan(0);
    await shot('overview');
    console.log(
      `overview: ${last.size} attestations (${withdrawals.length} withdrawals), ${accepted} transfer(s) ACCEPTED, as on the ledger`,
    );

    await pageOf.click('a.lang');
    expect(await pageOf.textContent('h1')).toBe('Overview');
    await shot('overview-en');
    await pageOf.click('a.lang');
    expect(await pageOf.textContent('h1')).toBe('总览');
  });

  it('search finds a transfer by its ID and shows its steps, read from the ledger', async () => {
    await pageOf.fill('input[name=q]', transferId);
    await Promise.all([
      pageOf.waitForURL(`**/console/attestations/transfer:${transferId}`),
      pageOf.press('input[name=q]', 'Enter'),
    ]);
    const steps = await cells(pageOf, 'steps');
    expect(steps.map((s) => s[0])).toEqual(['REQUEST', 'ACCEPT']);
    for (const step of steps) {
      expect(step[2]).toMatch(/^[0-9a-f]{64}$/);
      expect(step[6]).toBe('VALID');
      expect(step[5]).not.toBe('');
    }
    expect(await pageOf.textContent('#status')).toBe('ACCEPTED · 确认接收 · 02');
    expect(await pageOf.getAttribute('#verdict', 'class')).toBe('ok');
    await shot('attestation');
    const [download] = await Promise.all([pageOf.waitForEvent('download'), pageOf.click('#proof')]);
    const proof = JSON.parse(readFileSync(await download.path(), 'utf8')) as Record<string, unknown>;
    expect(proof).toMatchObject({ attestationId: `transfer:${transferId}`, validationCode: 'VALID' });

    // Each step's transaction decodes: creator, endorsers, the keys it read and wrote.
    await pageOf.click('#steps tbody tr:first-child td:nth-child(3) a');
    expect(await pageOf.textContent('#transaction')).toContain('C440000MSP');
    expect(await pageOf.locator('#keys tbody tr').count()).toBeGreaterThan(0);
    await shot('transaction');
    await pageOf.click('#transaction tbody tr td:first-child a');
    expect(await pageOf.locator('#transactions tbody tr').count()).toBeGreaterThan(0);
    await shot('block');
    console.log(`transfer ${transferId}: ${steps.length} steps, each VALID with endorsers`);
  });

  it('a document hash that does not match shows the mismatch; the evidence hash matches', async () => {
    const withdrawal = ids[0]!;
    await pageOf.goto(`${regulator.url}/console/search?q=${encodeURIComponent(withdrawal)}`);
    expect(new URL(pageOf.url()).pathname).toBe(`/console/attestations/${withdrawal}`);
    await pageOf.fill('#document-hash', '0'.repeat(64));
    expect(await submit(pageOf, '#document-form button')).toBe(200);
    expect(await pageOf.textContent('#document-result')).toBe('文件哈希不一致');
    await shot('document-mismatch');

    const record = JSON.parse((await pageOf.textContent('#record')) ?? '{}') as {
      evidence: { hash: string }[];
    };
    const hash = record.evidence[0]!.hash;
    await pageOf.fill('#document-hash', hash);
    expect(await submit(pageOf, '#document-form button')).toBe(200);
    expect(await pageOf.textContent('#document-result')).toBe('文件哈希一致');
    // An evidence hash typed in the search box leads to its attestation too.
    await pageOf.fill('input[name=q]', hash);
    await Promise.all([
      pageOf.waitForURL(`**/console/attestations/${withdrawal}`),
      pageOf.press('input[name=q]', 'Enter'),
    ]);
  });

  it('exports a filtered table as CSV (UTF-8 with BOM) with the expected rows', async () => {
    await pageOf.goto(`${regulator.url}/console/attestations?kind=withdrawal&centre=110000`);
    await shot('attestations');
    const [download] = await Promise.all([pageOf.waitForEvent('download'), pageOf.click('a.csv')]);
    const bytes = readFileSync(await download.path());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).trim().split('\r\n');
    const rows = lines.slice(1);
    const expected = events.filter((e) => String(e.data.attestationId).startsWith('withdrawal:110000:'));
    expect(rows.length).toBe(new Set(expected.map((e) => e.data.attestationId)).size);
    expect(rows.every((r) => r.split(',')[2]?.startsWith('110000'))).toBe(true);
    for (const id of ids.slice(0, 2)) expect(rows.some((r) => r.startsWith(`${id},`))).toBe(true);
    console.log(`CSV: ${rows.length} withdrawal rows of centre 110000`);
  });

  it('lists blocks, alerts and a person’s timeline (POST form: nothing personal in the URL)', async () => {
    await pageOf.goto(`${regulator.url}/console/blocks`);
    expect(await pageOf.locator('#blocks tbody tr').count()).toBeGreaterThan(0);
    await shot('blocks');
    await pageOf.goto(`${regulator.url}/console/alerts`);
    await shot('alerts');
    await pageOf.goto(`${regulator.url}/console/person`);
    await pageOf.fill('input[name=idNumber]', who.idNumber);
    await pageOf.fill('input[name=name]', who.name);
    expect(await submit(pageOf, 'form.person button')).toBe(200);
    expect(pageOf.url()).not.toContain(who.idNumber);
    const timeline = (await cells(pageOf, 'timeline')).map((row) => row[0]);
    for (const id of [...ids, `transfer:${transferId}`]) expect(timeline).toContain(id);
    await shot('person');
  });

  it('answers junk with 4xx, never 5xx, signed in or not', async () => {
    const cookie = (await context.cookies()).find((c) => c.name === 'hpf_console')!;
    const junk = [
      '/console/blocks/abc',
      '/console/blocks/99999999999',
      '/console/transactions/xyz',
      `/console/transactions/${'a'.repeat(64)}`,
      '/console/attestations/nonsense',
      '/console/attestations/transfer:%00',
      '/console/attestations?page=0',
      '/console/attestations?kind=x',
      '/console/alerts?from=2026-13',
      '/console/search?q=',
      '/console/search?q=%E4%B8%AD',
      '/console/overview/x.csv',
      '/console/nope',
      '/console/attestations?page=1&page=2',
      '/console/lang?back=//evil.example',
    ];
    const statuses: number[] = [];
    for (const signedIn of [true, false]) {
      for (const url of junk) {
        const response = await fetch(`${regulator.url}${url}`, {
          redirect: 'manual',
          headers: signedIn ? { cookie: `hpf_console=${cookie.value}` } : {},
        });
        statuses.push(response.status);
        expect(response.status).toBeLessThan(500);
      }
      const post = await fetch(`${regulator.url}/console/attestations/${ids[0]!}/verify`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(signedIn ? { cookie: `hpf_console=${cookie.value}` } : {}),
        },
        body: 'documentHash=zz&x=' + 'y'.repeat(10_000),
      });
      statuses.push(post.status);
      expect(post.status).toBeLessThan(500);
    }
    console.log(`junk: ${statuses.length} requests, statuses ${[...new Set(statuses)].sort().join(', ')}`);
  });
});

describe('the gateway index on the real network', () => {
  const indexFile = path.join(Runtime.gatewayDir(layout, beijingOrg), 'index.sqlite');
  const name = Runtime.gatewayProcessName(beijingOrg);

  const indexedEvents = (): string[] => {
    const db = new DatabaseSync(indexFile, { readOnly: true });
    try {
      return (
        db.prepare('SELECT block, tx_id FROM events ORDER BY block, tx_id').all() as {
          block: number;
          tx_id: string;
        }[]
      ).map((r) => `${r.block}:${r.tx_id}`);
    } finally {
      db.close();
    }
  };

  it('catches up after a stop with no gap and no duplicate; a deleted index is rebuilt identical', async () => {
    await Runtime.stopProcess(layout.root, name);
    const written = [await withdraw(shanghai, 'I1'), await withdraw(shanghai, 'I2')];
    Runtime.startGateway({ consortium, layout }, beijingOrg);
    await Runtime.waitGatewayReady(beijingOrg);
    const ledger = await ledgerEvents(beijing, written[1]!);
    await indexAt(beijing, ledger.at(-1)!.id);
    const indexed = indexedEvents();
    // The index holds exactly the ledger's events: none missing, none twice. Both in the index's order
    // (block, then txId): a block's transactions are not in txId order on the ledger.
    const byBlockThenTx = (a: string, b: string): number => {
      const [blockA = '', txA = ''] = a.split(':');
      const [blockB = '', txB = ''] = b.split(':');
      return Number(blockA) - Number(blockB) || (txA < txB ? -1 : txA > txB ? 1 : 0);
    };
    expect(indexed).toEqual(ledger.map((e) => e.id).sort(byBlockThenTx));
    console.log(
      `index caught up after a restart: ${indexed.length} events, ${written.length} written while stopped`,
    );

    await Runtime.stopProcess(layout.root, name);
    const before = new LedgerIndex({ file: indexFile });
    const digestBefore = before.digest();
    const position = before.position();
    before.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${indexFile}${suffix}`, { force: true });
    Runtime.startGateway({ consortium, layout }, beijingOrg);
    await Runtime.waitGatewayReady(beijingOrg);
    await indexAt(beijing, position!);
    await Runtime.stopProcess(layout.root, name);
    const after = new LedgerIndex({ file: indexFile });
    expect(after.digest()).toBe(digestBefore);
    expect(after.allEvents().length).toBe(indexed.length);
    after.close();
    Runtime.startGateway({ consortium, layout }, beijingOrg);
    await Runtime.waitGatewayReady(beijingOrg);
    console.log(
      `index rebuilt from block 0: ${indexed.length} events, digest ${digestBefore.slice(0, 16)}… identical`,
    );
  });
});
