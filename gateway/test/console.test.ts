import { createHash } from 'node:crypto';
import request from 'supertest';
import { INDEX_SCHEMA_VERSION, LedgerIndex, workingDaysBefore } from '../src/services/ledger-index';
import { csvField, html, raw, tableCsv, tableHtml } from '../src/console/html';
import { newSessionStore } from '../src/console/session';
import { statusLabel } from '../src/console/i18n';
import type { TransferStatus } from '../../chaincode/src/domain/codes';
import type { TransferRecord, WithdrawalRecord } from '../../chaincode/src/records';
import { transferRecord, tx, withdrawalRecord } from '../../test/support/fixtures';
import { AUDITOR_KEY, OPERATOR_KEY, buildApp } from './support/test-app';

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The off-chain index (in memory) and the console's routes, in-process against the fake ledger. */

/** A transfer in `status` after `steps` steps (REQUEST, then COMPLETE), one a day from 2026-11-02. */
function transfer(status: TransferStatus, steps: number): TransferRecord {
  return transferRecord({
    status,
    subjectRef: 'never-indexed-subject-ref',
    steps: Array.from({ length: steps }, (_, i) => ({ step: i === 0 ? 'REQUEST' : 'COMPLETE', status })),
  });
}

const withdrawal = (withdrawalId: string, status: WithdrawalRecord['status'], alertCount = 0) =>
  withdrawalRecord({ withdrawalId, status, alertCount });

const event = (block: number, n: number) => ({
  blockNumber: BigInt(block),
  txId: tx(n),
  name: 'hpf',
  payload: '',
});

function filled(): LedgerIndex {
  const index = new LedgerIndex({ file: ':memory:' });
  index.apply(event(5, 1), 'transfer.requested', 'REQUESTED', {
    kind: 'transfer',
    record: transfer('REQUESTED', 1),
  });
  index.apply(event(6, 100), 'withdrawal.recorded', 'RECORDED', {
    kind: 'withdrawal',
    record: withdrawal('W1', 'RECORDED', 1),
  });
  index.apply(event(7, 2), 'transfer.completed', 'COMPLETED', {
    kind: 'transfer',
    record: transfer('COMPLETED', 2),
  });
  index.apply(event(8, 3), 'centre.registered', undefined, undefined);
  return index;
}

describe('ledger index', () => {
  it('migrates to the current schema and starts at block 0 when empty', () => {
    const index = new LedgerIndex({ file: ':memory:' });
    expect(index.schemaVersion()).toBe(INDEX_SCHEMA_VERSION);
    expect(INDEX_SCHEMA_VERSION).toBe(2);
    expect(index.checkpoint().getBlockNumber()).toBe(0n);
    expect(index.position()).toBeNull();
  });

  it('keeps each attestation’s latest state and the overview counters in step with every change', () => {
    const index = filled();
    const overview = index.overview('2026-11-23', 10);
    expect(overview.attestations).toBe(2);
    expect(overview.transfersByStatus).toEqual([{ status: 'COMPLETED', platformCode: '00', count: 1 }]);
    expect(overview.flows).toEqual([{ fromCentre: '110000', toCentre: '440000', count: 1 }]);
    expect(overview.withdrawalsByMonth).toEqual([{ month: '2026-11', reason: '01', count: 1 }]);
    expect(overview.openAlerts).toBe(1);
    expect(overview.perCentre).toEqual([
      { centre: '110000', withdrawals: 1, transfersOut: 1, transfersIn: 0 },
      { centre: '440000', withdrawals: 0, transfersOut: 0, transfersIn: 1 },
    ]);
    // A reversal closes the withdrawal's alert.
    index.apply(event(9, 101), 'withdrawal.reversed', 'REVERSED', {
      kind: 'withdrawal',
      record: withdrawal('W1', 'REVERSED', 1),
    });
    expect(index.overview('2026-11-23', 10).openAlerts).toBe(0);
    expect(index.alerts({}, 10, 0).rows[0]).toMatchObject({ code: 'MULTI_CENTRE', open: false });
    // Fraud bans are counted from their events (a ban is not an attestation).
    expect(index.overview('2026-11-23', 10).bans).toEqual({ imposed: 0, lifted: 0 });
    index.apply(event(9, 102), 'ban.imposed', 'ACTIVE', undefined);
    index.apply(event(9, 103), 'ban.imposed', 'ACTIVE', undefined);
    index.apply(event(9, 104), 'ban.lifted', 'LIFTED', undefined);
    expect(index.overview('2026-11-23', 10).bans).toEqual({ imposed: 2, lifted: 1 });
    expect(index.position()).toBe(`9:${tx(104)}`);
  });

  it('an event delivered twice changes nothing; the same events give the same digest', () => {
    const a = filled();
    const b = filled();
    expect(b.digest()).toBe(a.digest());
    b.apply(event(7, 2), 'transfer.completed', 'COMPLETED', {
      kind: 'transfer',
      record: transfer('COMPLETED', 2),
    });
    expect(b.allEvents().length).toBe(4);
    expect(b.overview('2026-11-23', 10).attestations).toBe(2);
  });

  it('a rebuild that sees only final records ends identical to an index that followed every step', () => {
    const stepwise = new LedgerIndex({ file: ':memory:' });
    stepwise.apply(event(5, 1), 'transfer.requested', 'REQUESTED', {
      kind: 'transfer',
      record: transfer('REQUESTED', 1),
    });
    stepwise.apply(event(7, 2), 'transfer.completed', 'COMPLETED', {
      kind: 'transfer',
      record: transfer('COMPLETED', 2),
    });
    const rebuilt = new LedgerIndex({ file: ':memory:' });
    rebuilt.apply(event(5, 1), 'transfer.requested', 'REQUESTED', {
      kind: 'transfer',
      record: transfer('COMPLETED', 2),
    });
    rebuilt.apply(event(7, 2), 'transfer.completed', 'COMPLETED', {
      kind: 'transfer',
      record: transfer('COMPLETED', 2),
    });
    expect(rebuilt.digest()).toBe(stepwise.digest());
  });

  it('a batch in one transaction (one record read for both events) equals the events applied one by one', () => {
    const record = transfer('COMPLETED', 2);
    const stepwise = new LedgerIndex({ file: ':memory:' });
    stepwise.apply(event(5, 1), 'transfer.requested', 'REQUESTED', { kind: 'transfer', record });
    stepwise.apply(event(7, 2), 'transfer.completed', 'COMPLETED', { kind: 'transfer', record });
    const batched = new LedgerIndex({ file: ':memory:' });
    const indexed = { kind: 'transfer' as const, record };
    batched.applyAll([
      { event: event(5, 1), type: 'transfer.requested', status: 'REQUESTED', indexed },
      { event: event(7, 2), type: 'transfer.completed', status: 'COMPLETED', indexed },
    ]);
    expect(batched.position()).toBe(stepwise.position());
    expect(batched.attestation('transfer:4400002611230001')?.lastBlock).toBe(7);
    expect(batched.digest()).toBe(stepwise.digest());
  });

  it('holds no personal data and no subjectRef', () => {
    const index = filled();
    expect(JSON.stringify(index.attestations({}, 10, 0))).not.toContain('never-indexed-subject-ref');
  });

  it('finds typed IDs, bare IDs, txIds and evidence hashes', () => {
    const index = filled();
    expect(index.find('transfer:4400002611230001')).toEqual({
      kind: 'attestation',
      id: 'transfer:4400002611230001',
    });
    expect(index.find('4400002611230001')).toEqual({ kind: 'attestation', id: 'transfer:4400002611230001' });
    expect(index.find('W1')).toEqual({ kind: 'attestation', id: 'withdrawal:110000:W1' });
    expect(index.find(tx(3))).toEqual({ kind: 'transaction', txId: tx(3) });
    expect(index.find('e'.repeat(64))).toEqual({
      kind: 'evidence',
      attestationIds: ['withdrawal:110000:W1'],
    });
    expect(index.find('nothing')).toEqual({ kind: 'none' });
  });

  it('counts open transfers older than N working days (weekends skipped) as overdue at the source centre', () => {
    expect(workingDaysBefore('2026-11-23', 1)).toBe('2026-11-20'); // Monday → Friday
    expect(workingDaysBefore('2026-11-23', 10)).toBe('2026-11-09');
    const index = new LedgerIndex({ file: ':memory:' });
    index.apply(event(5, 1), 'transfer.requested', 'REQUESTED', {
      kind: 'transfer',
      record: transfer('REQUESTED', 1),
    });
    expect(index.overview('2026-11-23', 10).overdue).toEqual([{ centre: '110000', count: 1 }]);
    expect(index.overview('2026-11-05', 10).overdue).toEqual([]);
  });
});

describe('console routes', () => {
  const signIn = async (app: ReturnType<typeof buildApp>['app'], key: string) =>
    request(app).post('/console/sign-in').type('form').send({ apiKey: key });

  it('labels statuses with our name, the Chinese label and the platform code', () => {
    expect(statusLabel('COMPLETED')).toBe('COMPLETED · 办结 · 00');
    expect(statusLabel('COMPLETED', '20')).toBe('COMPLETED · 办结 · 20');
    expect(statusLabel('RECORDED')).toBe('RECORDED · 已提取 · —');
  });

  it('says FORGED on the attestation page when the ledger finds the record unsealed by its centre', async () => {
    const { app, ledger } = buildApp({}, { index: filled() });
    const txId = '3c'.repeat(32);
    ledger.on('audit:Verify', () =>
      JSON.stringify({
        found: true,
        kind: 'withdrawal',
        record: withdrawalRecord({ centre: '440300', withdrawalId: 'W-F', txId }),
        forged: true,
      }),
    );
    ledger.transactions.set(txId, {
      txId,
      blockNumber: '7',
      validationCode: 'VALID',
      valid: true,
      timestamp: '2026-11-20T08:00:00.000Z',
      creatorMspId: 'C110000MSP',
      endorsingOrgs: ['C110000MSP', 'RegulatorMSP'],
      chaincode: 'hpf',
    });
    const cookie = String((await signIn(app, AUDITOR_KEY)).headers['set-cookie']).split(';')[0] ?? '';
    const page = await request(app).get('/console/attestations/withdrawal:440300:W-F').set('cookie', cookie);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<p id="verdict" class="error">[^<]*FORGED/);
  });

  it('signs in auditors and operators with an HttpOnly, SameSite=Strict, expiring cookie; refuses other keys', async () => {
    const { app } = buildApp({}, { index: filled() });
    for (const key of [AUDITOR_KEY, OPERATOR_KEY]) {
      const ok = await signIn(app, key);
      expect(ok.status).toBe(303);
      expect(ok.headers.location).toBe('/console/overview');
      expect(String(ok.headers['set-cookie'])).toMatch(
        /^hpf_console=[\w-]{43}; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=1800$/,
      );
    }
    const refused = await signIn(app, 'not-a-key-at-all-0000000');
    expect(refused.status).toBe(401);
    expect(refused.headers['set-cookie']).toBeUndefined();
  });

  it('sends pages without a session to sign-in; serves a CSP without inline scripts; CSV with a BOM', async () => {
    const { app } = buildApp({}, { index: filled() });
    const none = await request(app).get('/console/alerts');
    expect(none.status).toBe(303);
    expect(none.headers.location).toBe('/console/sign-in');
    const cookie = String((await signIn(app, AUDITOR_KEY)).headers['set-cookie']).split(';')[0] ?? '';
    const page = await request(app).get('/console/attestations').set('cookie', cookie);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(page.text).not.toMatch(/<script>|\sstyle=|\son[a-z]+=/);
    const csv = await request(app)
      .get('/console/attestations.csv?kind=transfer')
      .set('cookie', cookie)
      .buffer(true);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.text.charCodeAt(0)).toBe(0xfeff);
    expect(csv.text.trim().split('\r\n')).toHaveLength(2);
    expect(csv.text).toContain('COMPLETED · 办结 · 00');
    const bad = await request(app).get('/console/alerts?centre=12').set('cookie', cookie);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('centre');
  });

  it('filters and counts by centre and by province; flows by province drill down to centres', async () => {
    const index = filled();
    // A Shenzhen (440300) ← Beijing transfer beside the 省直 (440000) one.
    index.apply(event(9, 4), 'transfer.requested', 'REQUESTED', {
      kind: 'transfer',
      record: {
        ...transfer('REQUESTED', 1),
        attestationId: 'transfer:4403002611230001',
        transferId: '4403002611230001',
        toCentre: '440300',
      },
    });
    const { app } = buildApp({}, { index });
    const cookie = String((await signIn(app, AUDITOR_KEY)).headers['set-cookie']).split(';')[0] ?? '';
    const csv = async (path: string): Promise<string[]> =>
      (await request(app).get(path).set('cookie', cookie).buffer(true)).text.trim().split('\r\n').slice(1);
    expect(await csv('/console/attestations.csv?centre=440300')).toHaveLength(1);
    // The source side counts too: Beijing is on both transfers and has the withdrawal.
    expect(await csv('/console/attestations.csv?centre=110000')).toHaveLength(3);
    expect(await csv('/console/attestations.csv?province=440000')).toHaveLength(2);
    expect(await csv('/console/overview/per-province.csv')).toEqual([
      '110000 北京市,1,2,0',
      '440000 广东省,0,0,2',
    ]);
    expect(await csv('/console/overview/flows.csv')).toEqual(['110000 北京市,440000 广东省,2']);
    expect(await csv('/console/overview/flows.csv?province=440000')).toEqual([
      '110000 北京市,440000 广东省,1',
      '110000 北京市,440300 深圳市,1',
    ]);
    expect(await csv('/console/overview/per-centre.csv?province=440000')).toEqual([
      '440000 广东省,0,0,1',
      '440300 深圳市,0,0,1',
    ]);
    const page = await request(app).get('/console/overview').set('cookie', cookie);
    expect(page.text).toContain('href="/console/overview?province=440000"');
    for (const path of ['/console/attestations?centre=110100', '/console/overview?province=440300']) {
      const bad = await request(app).get(path).set('cookie', cookie);
      expect(bad.status).toBe(400);
    }
  });
});

describe('console: requests from other origins', () => {
  const ORIGIN = 'http://127.0.0.1:21080';
  const signIn = (app: ReturnType<typeof buildApp>['app'], headers: Record<string, string>) =>
    request(app)
      .post('/console/sign-in')
      .set({ host: '127.0.0.1:21080', ...headers })
      .type('form')
      .send({ apiKey: AUDITOR_KEY });

  it('refuses a cross-site, cross-port or sibling-subdomain sign-in with 403 and no session (login CSRF)', async () => {
    const { app } = buildApp({}, { index: filled() });
    const cases: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
      { 'sec-fetch-site': 'same-site', origin: 'http://127.0.0.1:21081' },
      { 'sec-fetch-site': 'same-site', origin: 'http://other.127.0.0.1:21080' },
      { origin: 'http://127.0.0.1:21081' },
      { origin: 'https://127.0.0.1:21080' },
      { origin: 'null' },
      { 'sec-fetch-site': 'none' },
    ];
    for (const headers of cases) {
      const refused = await signIn(app, headers);
      expect([JSON.stringify(headers), refused.status]).toEqual([JSON.stringify(headers), 403]);
      expect(refused.headers['set-cookie']).toBeUndefined();
      expect(refused.text).toContain('cross-origin request refused');
    }
  });

  it("accepts the console's own forms (Sec-Fetch-Site same-origin, or Origin equal to its own) and clients without either (curl)", async () => {
    const { app } = buildApp({}, { index: filled() });
    const cases: Record<string, string>[] = [
      { 'sec-fetch-site': 'same-origin', origin: ORIGIN },
      { 'sec-fetch-site': 'same-origin' },
      { origin: ORIGIN },
      {},
    ];
    for (const headers of cases) {
      const ok = await signIn(app, headers);
      expect([JSON.stringify(headers), ok.status]).toEqual([JSON.stringify(headers), 303]);
      expect(String(ok.headers['set-cookie'])).toMatch(/^hpf_console=/);
    }
  });

  it('a cross-origin sign-out or language switch changes nothing', async () => {
    const { app } = buildApp({}, { index: filled() });
    const cookie = String((await signIn(app, {})).headers['set-cookie']).split(';')[0] ?? '';
    const out = await request(app)
      .post('/console/sign-out')
      .set({ cookie, 'sec-fetch-site': 'same-site', origin: 'http://127.0.0.1:21081' });
    expect(out.status).toBe(403);
    expect(out.headers['set-cookie']).toBeUndefined();
    expect((await request(app).get('/console/overview').set('cookie', cookie)).status).toBe(200);
    const lang = await request(app)
      .get('/console/lang?to=en')
      .set({ cookie, 'sec-fetch-site': 'cross-site' });
    expect(lang.status).toBe(403);
    expect(lang.headers['set-cookie']).toBeUndefined();
    const own = await request(app)
      .get('/console/lang?to=en')
      .set({ cookie, 'sec-fetch-site': 'same-origin' });
    expect(own.status).toBe(303);
    expect(String(own.headers['set-cookie'])).toContain('hpf_lang=en');
    // GET pages stay reachable from links elsewhere (they change nothing).
    const page = await request(app).get('/console/overview').set({ cookie, 'sec-fetch-site': 'cross-site' });
    expect(page.status).toBe(200);
  });
});

describe('console sessions', () => {
  const entries = [
    { id: 'a', role: 'auditor' as const, centre: null, sha256: sha256Hex('key-a-0123456789abcdef') },
    { id: 'b', role: 'auditor' as const, centre: null, sha256: sha256Hex('key-b-0123456789abcdef') },
  ];
  const res = () => {
    const headers = new Map<string, string>();
    return {
      headers,
      setHeader: (name: string, value: string) => headers.set(name.toLowerCase(), value),
    } as unknown as import('express').Response & { headers: Map<string, string> };
  };
  const reqWith = (cookie: string | undefined) =>
    ({
      get: (name: string) => (name === 'cookie' ? cookie : undefined),
    }) as unknown as import('express').Request;
  const cookieOf = (r: { headers: Map<string, string> }) => (r.headers.get('set-cookie') ?? '').split(';')[0];

  it('one key signing in again and again ends only its own oldest sessions, never another key’s', () => {
    const store = newSessionStore(entries, { minutes: 30, perKey: 3, secure: false });
    const b = res();
    store.signIn('key-b-0123456789abcdef', b);
    const first = res();
    store.signIn('key-a-0123456789abcdef', first);
    const later = Array.from({ length: 2_000 }, () => {
      const r = res();
      store.signIn('key-a-0123456789abcdef', r);
      return r;
    });
    expect(store.sessionOf(reqWith(cookieOf(b)))).toEqual({ keyId: 'b', role: 'auditor' });
    expect(store.sessionOf(reqWith(cookieOf(first)))).toBeUndefined();
    expect(later.slice(-3).map((r) => store.sessionOf(reqWith(cookieOf(r)))?.keyId)).toEqual(['a', 'a', 'a']);
    expect(store.sessionOf(reqWith(cookieOf(later[later.length - 4]!)))).toBeUndefined();
    expect(store.size()).toBe(4);
  });

  it('sessions expire after their minutes; an expired one frees its place; Secure over HTTPS', () => {
    let now = 1_000_000;
    const store = newSessionStore(entries, { minutes: 1, perKey: 1, secure: true }, () => now);
    const r = res();
    expect(store.signIn('key-a-0123456789abcdef', r)).toEqual({ keyId: 'a', role: 'auditor' });
    expect(r.headers.get('set-cookie')).toMatch(
      /; Path=\/console; HttpOnly; Secure; SameSite=Strict; Max-Age=60$/,
    );
    expect(store.sessionOf(reqWith(cookieOf(r)))?.keyId).toBe('a');
    now += 60_000;
    expect(store.sessionOf(reqWith(cookieOf(r)))).toBeUndefined();
    expect(store.size()).toBe(0);
    expect(store.signIn('not-a-key', res())).toBeUndefined();
  });

  it('the sessions per key come from HPF_GW_CONSOLE_SESSIONS_PER_KEY through the app', async () => {
    const { app } = buildApp({ consoleSessionsPerKey: 2 }, { index: filled() });
    const cookies: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const ok = await request(app).post('/console/sign-in').type('form').send({ apiKey: AUDITOR_KEY });
      cookies.push(String(ok.headers['set-cookie']).split(';')[0] ?? '');
    }
    const statuses = await Promise.all(
      cookies.map(
        async (cookie) => (await request(app).get('/console/overview').set('cookie', cookie)).status,
      ),
    );
    expect(statuses).toEqual([303, 200, 200]);
  });
});

describe('console CSV exports', () => {
  const DANGEROUS = ['=', '+', '-', '@', '\t', '\r'];

  it('neutralises every cell a spreadsheet would read as a formula, also behind white space or quotes', () => {
    for (const start of DANGEROUS) {
      for (const lead of ['', ' ', '  ', '"', "'", ' "']) {
        const cell = `${lead}${start}HYPERLINK("https://evil.example","x")`;
        const field = csvField(cell);
        // Quoted or not, the field's content starts with the neutralising apostrophe.
        const content = field.startsWith('"') ? field.slice(1).replaceAll('""', '"') : field;
        expect([JSON.stringify(cell), content.startsWith(`'${lead}${start}`)]).toEqual([
          JSON.stringify(cell),
          true,
        ]);
      }
    }
    expect(csvField('W-1')).toBe('W-1');
    expect(csvField('110000 北京市')).toBe('110000 北京市');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('2026-11')).toBe('2026-11');
    const csv = tableCsv({ columns: ['id'], rows: [['=1+1'], [12]] });
    expect(csv).toBe("\uFEFFid\r\n'=1+1\r\n12\r\n");
  });

  it('an export whose cells start like formulas (alert messages here) holds them neutralised', async () => {
    const index = new LedgerIndex({ file: ':memory:' });
    const messages = ['-2+3', '@SUM(A1)', '+1-1', '=HYPERLINK("https://evil.example")', ' =1', '\t=1'];
    messages.forEach((message, i) => {
      index.apply(event(10 + i, 200 + i), 'withdrawal.recorded', 'RECORDED', {
        kind: 'withdrawal',
        record: withdrawalRecord({
          withdrawalId: `W${i}`,
          alerts: [{ code: 'MULTI_CENTRE', message }],
        }),
      });
    });
    const { app } = buildApp({}, { index });
    const signedIn = await request(app).post('/console/sign-in').type('form').send({ apiKey: AUDITOR_KEY });
    const cookie = String(signedIn.headers['set-cookie']).split(';')[0] ?? '';
    const csv = await request(app).get('/console/alerts.csv').set('cookie', cookie).buffer(true);
    expect(csv.status).toBe(200);
    const lines = csv.text.trim().split('\r\n').slice(1);
    expect(lines).toHaveLength(messages.length);
    const fields = lines.flatMap((line) => line.split(','));
    expect(fields.filter((f) => /^"?[\s"]*[=+\-@\t]/.test(f))).toEqual([]);
    for (const message of messages) expect(csv.text).toContain(`'${message.replaceAll('"', '""')}`);
  });
});

describe('console html tag', () => {
  /** Markup without the white space between tags (prettier lays `html` templates out as HTML). */
  const tight = (markup: { toString(): string }): string => markup.toString().replace(/>\s+</g, '><').trim();

  it('escapes every interpolated value, in text and in attributes', () => {
    const hostile = `<script>alert("x")</script>&'`;
    expect(html`<p title="${hostile}">${hostile}</p>`.toString()).toBe(
      '<p title="&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#38;&#39;">' +
        '&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#38;&#39;</p>',
    );
  });

  it('keeps html fragments and raw markup as they are; joins lists; drops null, undefined and false', () => {
    const items = ['a<b', 'c'].map((item) => html`<li>${item}</li>`);
    expect(
      tight(
        html`<ul>
            ${items}
          </ul>
          ${raw('<hr>')}${null}${undefined}${false}${0}${12n}`,
      ),
    ).toBe('<ul><li>a&#60;b</li><li>c</li></ul><hr>012');
  });

  it('renders table cells and links escaped', () => {
    const table = tableHtml(
      { columns: ['<id>'], rows: [[{ text: 'x"y', href: '/console/a?b=1&c=2' }], ['<td>']] },
      't"1',
    );
    expect(tight(table)).toBe(
      '<table id="t&#34;1"><thead><tr><th>&#60;id&#62;</th></tr></thead><tbody>' +
        '<tr><td><a href="/console/a?b=1&#38;c=2">x&#34;y</a></td></tr><tr><td>&#60;td&#62;</td></tr></tbody></table>',
    );
  });
});
