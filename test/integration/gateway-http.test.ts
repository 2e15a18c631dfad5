import { Network, Runtime } from '../../network';
import { testConsortium } from '../support/consortium';
import { call, gatewayOf, readEvents, type SseEvent } from '../support/http';
import { residentId, transferIdFor } from '../support/ledger';
import { confirmOutBody, evidenceOf, withdrawalBody, type WithdrawalBodyFixture } from '../support/fixtures';

/** The HTTP API end to end: the gateways global setup started, in front of the real network. */

const consortium = testConsortium();
const layout = new Network(consortium).layout;
// Sequence numbers 5000-8999 belong to this file (attestations uses 1000-4999), so IDs never collide.
const run = 5000 + (Date.now() % 4000);
const today = new Date().toISOString().slice(0, 10);
const beijing = gatewayOf('C110000MSP');
const shanghai = gatewayOf('C310000MSP');
const guangdong = gatewayOf('C440000MSP');
const regulator = gatewayOf('RegulatorMSP');

function person(seq: number, name: string): { idType: string; idNumber: string; name: string } {
  return { idType: '01', idNumber: residentId('19880808', seq), name };
}

function purchase(id: string, who: ReturnType<typeof person>, reference: string): WithdrawalBodyFixture {
  return withdrawalBody(id, who, {
    amount: '30000.00',
    evidence: evidenceOf('PURCHASE_CONTRACT', reference),
    withdrawnOn: today,
  });
}

describe('gateway HTTP API against the real network', () => {
  it('runs a full transfer between two centres’ gateways, and proves it to an auditor', async () => {
    const transferId = transferIdFor(
      consortium.centres.find((c) => c.code === '440000')!,
      run,
    );
    const body = { transferId, fromCentre: '110000', person: person((run % 500) + 100, '端到端甲') };
    const created = await call(guangdong, 'operator', 'POST', '/v1/transfers', body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ transferId, status: 'REQUESTED' });
    expect(JSON.stringify(created.body)).not.toContain(body.person.idNumber);

    expect(
      (await call(beijing, 'operator', 'POST', `/v1/transfers/${transferId}/accept`)).body,
    ).toMatchObject({ status: 'ACCEPTED' });
    const out = confirmOutBody({
      principal: '12000.00',
      interest: '34.50',
      openedOn: '2018-01-01',
      settlementRef: `E2E-${run}`,
    });
    expect(
      (await call(beijing, 'operator', 'POST', `/v1/transfers/${transferId}/confirm-out`, out)).status,
    ).toBe(201);
    const done = await call(guangdong, 'operator', 'POST', `/v1/transfers/${transferId}/complete`, {
      receivedAmount: '12034.50',
      receivedOn: today,
    });
    expect(done.body).toMatchObject({ status: 'COMPLETED', platformCode: '00' });

    const proof = await call(regulator, 'auditor', 'GET', `/v1/attestations/transfer:${transferId}/proof`);
    expect(proof.status).toBe(200);
    expect(proof.body).toMatchObject({
      kind: 'transfer',
      validationCode: 'VALID',
      record: { status: 'COMPLETED' },
    });
    expect([...(proof.body.endorsingOrgs as string[])].sort()).toEqual(['C110000MSP', 'C440000MSP']);
    const queue = await call(beijing, 'auditor', 'GET', '/v1/transfers?direction=outgoing&status=COMPLETED');
    expect((queue.body.items as { transferId: string }[]).map((t) => t.transferId)).toContain(transferId);
  });

  it('rejects the same evidence for the same person across two gateways (409 DUPLICATE_EVIDENCE)', async () => {
    const buyer = person((run % 500) + 200, '端到端乙');
    const first = await call(
      beijing,
      'operator',
      'POST',
      '/v1/withdrawals',
      purchase(`E2E-${run}-A`, buyer, `GF-${run}-7788`),
    );
    expect(first.status).toBe(201);
    const second = await call(
      shanghai,
      'operator',
      'POST',
      '/v1/withdrawals',
      purchase(`E2E-${run}-B`, buyer, `gf ${run} 7788`),
    );
    expect(second.status).toBe(409);
    expect(second.contentType).toMatch(/^application\/problem\+json/);
    expect(second.body).toMatchObject({ code: 'DUPLICATE_EVIDENCE' });
    expect(
      (await call(regulator, 'auditor', 'GET', `/v1/withdrawals/E2E-${run}-B?centre=310000`)).status,
    ).toBe(404);
  });

  it('answers an identical resubmission with 200 and the record, and a different body with 409', async () => {
    const body = purchase(`E2E-${run}-C`, person((run % 500) + 300, '端到端丙'), `GF-${run}-9900`);
    const first = await call(shanghai, 'operator', 'POST', '/v1/withdrawals', body);
    expect(first.status).toBe(201);
    const again = await call(shanghai, 'operator', 'POST', '/v1/withdrawals', body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const different = await call(shanghai, 'operator', 'POST', '/v1/withdrawals', {
      ...body,
      amount: '30000.01',
    });
    expect(different.status).toBe(409);
    expect(different.body).toMatchObject({ code: 'CONFLICT' });
  });

  it('lets auditors read but never write', async () => {
    const body = purchase(`E2E-${run}-D`, person((run % 500) + 400, '端到端丁'), `GF-${run}-1234`);
    for (const gateway of [beijing, regulator]) {
      const refused = await call(gateway, 'auditor', 'POST', '/v1/withdrawals', body);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'FORBIDDEN' });
    }
    expect(
      (await call(regulator, 'auditor', 'GET', `/v1/withdrawals/E2E-${run}-D?centre=110000`)).status,
    ).toBe(404);
    expect(
      (await call(regulator, 'auditor', 'GET', `/v1/withdrawals/E2E-${run}-C?centre=310000`)).status,
    ).toBe(200);
  });

  it('answers a repeated verification from its cache, and a reversal shows at once (its event invalidates)', async () => {
    const id = `E2E-${run}-V`;
    const created = await call(
      beijing,
      'operator',
      'POST',
      '/v1/withdrawals',
      purchase(id, person((run % 500) + 470, '核验'), `V-${run}-1`),
    );
    expect(created.status).toBe(201);
    const attestationId = `withdrawal:110000:${id}`;
    expect(created.body).toMatchObject({ attestationId });
    const first = await call(beijing, 'auditor', 'POST', '/v1/verify', { attestationId });
    expect(first.body).toMatchObject({ valid: true, record: { status: 'RECORDED' } });
    expect((await call(beijing, 'auditor', 'POST', '/v1/verify', { attestationId })).body).toEqual(
      first.body,
    );

    expect(
      (await call(beijing, 'operator', 'POST', `/v1/withdrawals/${id}/reverse`, { reason: 'entered twice' }))
        .status,
    ).toBe(201);
    // The reversal's chaincode event reaches the gateway within milliseconds of the commit; the cache's
    // own age limit is 5 s, so seeing REVERSED well within 2 s shows the event did the invalidation.
    const deadline = Date.now() + 2_000;
    let status: unknown;
    do {
      status = (
        (await call(beijing, 'auditor', 'POST', '/v1/verify', { attestationId })).body.record as {
          status?: unknown;
        }
      ).status;
    } while (status !== 'REVERSED' && Date.now() < deadline);
    expect(status).toBe('REVERSED');
  });

  it('serves its operations endpoints: readiness against the peer, metrics, the OpenAPI document', async () => {
    const ready = await fetch(`${beijing.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', chaincode: { name: 'hpf' } });
    // /metrics is on the operations listener (loopback), not on the API port.
    expect((await fetch(`${beijing.url}/metrics`)).status).toBe(404);
    const metrics = await (await fetch(`${beijing.operationsUrl}/metrics`)).text();
    expect(metrics).toMatch(/hpf_gateway_http_requests_total\{[^}]*\} \d+/);
    expect(metrics).toMatch(
      /hpf_gateway_fabric_call_duration_seconds_count\{[^}]*contract="withdrawal"[^}]*\} \d+/,
    );
    const openapi = (await (await fetch(`${beijing.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/v1/transfers', '/v1/withdrawals', '/v1/verify', '/v1/events']),
    );
  });

  it('resumes the event stream after a gateway restart with no loss and no duplicates', async () => {
    const idOf = (e: SseEvent): unknown => e.data.id;
    const recorded = async (suffix: string): Promise<string> => {
      const id = `E2E-${run}-EV${suffix}`;
      const result = await call(
        shanghai,
        'operator',
        'POST',
        '/v1/withdrawals',
        purchase(id, person((run % 500) + 450, '事件'), `EV-${run}-${suffix}`),
      );
      expect(result.status).toBe(201);
      return id;
    };
    const w1 = await recorded('1');
    const before = await readEvents(beijing, 'auditor', {
      lastEventId: '0',
      until: (events) => events.some((e) => idOf(e) === w1),
    });
    const lastSeen = before.find((e) => idOf(e) === w1)!.id;

    await Runtime.stopProcess(
      layout.root,
      Runtime.gatewayProcessName(consortium.centres.find((c) => c.code === '110000')!),
    );
    const w2 = await recorded('2');
    const w3 = await recorded('3');
    const org = consortium.centres.find((c) => c.code === '110000')!;
    Runtime.startGateway({ consortium, layout }, org);
    await Runtime.waitGatewayReady(org);

    const resumed = await readEvents(beijing, 'auditor', {
      lastEventId: lastSeen,
      until: (events) => events.some((e) => idOf(e) === w3),
    });
    const everything = await readEvents(beijing, 'auditor', {
      lastEventId: '0',
      until: (events) => events.some((e) => idOf(e) === w3),
    });
    const expected = everything.slice(everything.findIndex((e) => e.id === lastSeen) + 1).map((e) => e.id);
    expect(resumed.map((e) => e.id)).toEqual(expected);
    expect(new Set(resumed.map((e) => e.id)).size).toBe(resumed.length);
    expect(resumed.map(idOf)).toEqual(expect.arrayContaining([w2, w3]));
    expect(resumed.map(idOf)).not.toContain(w1);
  });
});
