import { testConsortium } from '../support/consortium';
import { call, gatewayOf, gateways } from '../support/http';
import { residentId, transferIdFor } from '../support/ledger';

/**
 * Ordinary requests answer 2xx/4xx, never 5xx, on the real network: empty work-queue
 * pages (Fabric sends no pagination metadata then), pages followed with their tokens (a Fabric bookmark
 * holds U+0000), a block above the height, and a method the contract does not list.
 */

const consortium = testConsortium();
// Transfer sequence numbers 9900-9989 belong to this file (joining uses 9000-9899).
const run = 9900 + (Date.now() % 30) * 3;
const beijing = gatewayOf('C110000MSP');
const regulator = gatewayOf('RegulatorMSP');

describe('ordinary requests on the real network are never 5xx', () => {
  it('answers an empty work-queue page with 200, at every centre and at the regulator', async () => {
    for (const gateway of gateways().filter((g) => g.centreCode !== null)) {
      const page = await call(
        gateway,
        'operator',
        'GET',
        '/v1/transfers?direction=incoming&status=NEGOTIATING',
      );
      expect({ mspId: gateway.mspId, status: page.status }).toEqual({ mspId: gateway.mspId, status: 200 });
    }
    // No transfer ever names 660000 here: the partial key range is empty.
    const empty = await call(regulator, 'auditor', 'GET', '/v1/transfers?direction=outgoing&centre=660000');
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ items: [], nextPageToken: null });
  });

  it('pages through a work queue with the tokens it hands out', async () => {
    const guangdong = consortium.centres.find((c) => c.code === '440000')!;
    const created: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const transferId = transferIdFor(
        consortium.centres.find((c) => c.code === '110000')!,
        run + i,
      );
      const person = { idType: '01', idNumber: residentId('19770707', (run % 300) + i), name: '分页测试' };
      const res = await call(beijing, 'operator', 'POST', '/v1/transfers', {
        transferId,
        fromCentre: guangdong.code,
        person,
      });
      expect([200, 201]).toContain(res.status);
      created.push(transferId);
    }
    const seen: string[] = [];
    let token: string | null = null;
    for (let pages = 0; pages < 50; pages += 1) {
      const query: string = token === null ? '' : `&pageToken=${token}`;
      const page = await call(
        beijing,
        'operator',
        'GET',
        `/v1/transfers?direction=incoming&pageSize=2${query}`,
      );
      expect(page.status).toBe(200);
      const items = page.body.items as { transferId: string }[];
      expect(items.length).toBeLessThanOrEqual(2);
      seen.push(...items.map((item) => item.transferId));
      token = page.body.nextPageToken as string | null;
      if (token === null) break;
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    }
    expect(token).toBeNull();
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(created));
  });

  it('answers a block number above the height with 404 NOT_FOUND', async () => {
    const res = await call(regulator, 'auditor', 'GET', '/v1/blocks/999999999');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'NOT_FOUND' });
    expect((await call(regulator, 'auditor', 'GET', '/v1/blocks/0')).status).toBe(200);
  });

  it('answers a method the contract does not list with 405 and Allow', async () => {
    const response = await fetch(`${beijing.url}/v1/transfers`, { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST');
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ code: 'METHOD_NOT_ALLOWED', status: 405 });
  });
});
