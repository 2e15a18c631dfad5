import { request as httpRequest } from 'node:http';
import { Network, Runtime } from '../../network';
import { testConsortium } from '../support/consortium';
import { gatewayOf, gateways } from '../support/http';
import { residentId } from '../support/ledger';
import { evidenceOf, withdrawalBody, type WithdrawalBodyFixture } from '../support/fixtures';

/**
 * Honest health on the real network: when a centre's own chaincode server dies, its gateway says so
 * on /readyz and refuses writes with 503 + Retry-After (never 502) although the other organisations'
 * peers could still answer a query; once the server is back, it is ready and writes succeed.
 */
const consortium = testConsortium();
const layout = new Network(consortium).layout;
const org = consortium.centres.find((c) => c.code === '310000')!;
const shanghai = gatewayOf(org.mspId);
const run = 9000 + (Date.now() % 900);
const today = new Date().toISOString().slice(0, 10);

interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: Record<string, unknown>;
}

function get(path: string): Promise<Answer> {
  return fresh('GET', `${shanghai.url}${path}`);
}

/**
 * One request on a new connection (a kept-alive one from global setup's waits may be closed by the
 * gateway's keep-alive timeout just as it is reused: "other side closed").
 */
function fresh(
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false, timeout: 60_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        resolve({
          status: res.statusCode ?? 0,
          retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
          body: JSON.parse(text) as Record<string, unknown>,
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function readyzUntil(status: number): Promise<Answer> {
  return Runtime.pollUntil(
    async () => {
      const answer = await get('/readyz');
      return answer.status === status ? answer : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, failure: () => new Error(`/readyz never answered ${status}`) },
  );
}

function withdrawal(suffix: string): WithdrawalBodyFixture {
  return withdrawalBody(
    `SH-READY-${run}-${suffix}`,
    { idType: '01', idNumber: residentId('19770707', (run % 500) + Number(suffix)), name: '就绪' },
    { evidence: evidenceOf('PURCHASE_CONTRACT', `READY-${run}-${suffix}`), withdrawnOn: today },
  );
}

/** A withdrawal POST by Shanghai's operator, with its Retry-After header. */
function postWithdrawal(suffix: string): Promise<Answer> {
  return fresh(
    'POST',
    `${shanghai.url}/v1/withdrawals`,
    { authorization: `Bearer ${shanghai.apiKeys.operator!}`, 'content-type': 'application/json' },
    JSON.stringify(withdrawal(suffix)),
  );
}

async function restartChaincodeServer(): Promise<void> {
  if (Runtime.runningProcess(layout.root, Runtime.chaincodeServerName(org)) === null) {
    await Runtime.startChaincodeServer(layout, org, { packageId: Runtime.ensurePackage(consortium, layout) });
  }
}

describe('readiness and writes when the own chaincode server is down', () => {
  afterAll(async () => {
    await restartChaincodeServer();
    await readyzUntil(200);
  });

  it('every process of ours runs on the Node that runs the tests; /healthz says which', async () => {
    for (const g of gateways()) {
      const health = await fresh('GET', `${g.url}/healthz`);
      expect(health.body).toEqual({ status: 'ok', node: process.version });
    }
    for (const o of consortium.orgs) {
      const server = Runtime.runningProcess(layout.root, Runtime.chaincodeServerName(o));
      expect(server).not.toBeNull();
      expect(Runtime.nodeVersionOf(server!.pid)).toBe(process.version);
    }
  });

  it('is 503 with the reason and refuses writes with 503 + Retry-After; back to ready after a restart', async () => {
    expect((await get('/readyz')).status).toBe(200);
    const server = Runtime.runningProcess(layout.root, Runtime.chaincodeServerName(org));
    expect(server).not.toBeNull();
    process.kill(server!.pid, 'SIGKILL');

    // At once (the gateway may still hold a 'ready' answer: then the endorsement itself finds the
    // chaincode server down) and after /readyz says so (refused before endorsing): 503 both times.
    const refusedAtOnce = await postWithdrawal('1');
    expect(refusedAtOnce.status).toBe(503);
    expect(refusedAtOnce.retryAfter).toMatch(/^\d+$/);
    expect(refusedAtOnce.body).toMatchObject({ code: 'UNAVAILABLE' });

    const notReady = await readyzUntil(503);
    expect(notReady.body).toMatchObject({ code: 'UNAVAILABLE' });
    expect(String(notReady.body.detail)).toMatch(/chaincode server cannot serve/);
    expect(notReady.retryAfter).toMatch(/^\d+$/);

    const refused = await postWithdrawal('3');
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toMatch(/^\d+$/);
    expect(refused.body).toMatchObject({ code: 'UNAVAILABLE' });

    await restartChaincodeServer();
    const ready = await readyzUntil(200);
    expect(ready.body).toMatchObject({ status: 'ready', chaincode: { name: 'hpf' } });
    const written = await postWithdrawal('2');
    expect(written.status).toBe(201);
  });
});
