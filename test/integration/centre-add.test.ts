import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Definition, Network, Runtime } from '../../network';
import { TEST_DEFINITION, testConsortium } from '../support/consortium';
import { contractOf, evaluate, residentId, withDetails } from '../support/ledger';
import { call, gatewayOf } from '../support/http';
import { rentWithdrawal } from '../support/fixtures';

/**
 * `npm run centre:add` as an operator runs it, on the running consortium: the command (not only the
 * library function) registers a city centre to an existing organisation, `consortium:info --json`
 * lists it with its operator key, that key records a withdrawal at the new centre, and a refused
 * argument names its flag and changes nothing. The scenarios (test/scenarios) cover the registry
 * transaction itself on both backends; this file covers the command around it.
 */

const TSX = path.join(Definition.REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const ZHUHAI = { code: '440400', name: '珠海市住房公积金管理中心' };
const run = 5000 + (Date.now() % 900);

function npmScript(
  script: string,
  args: readonly string[],
): { status: number | null; stdout: string; stderr: string } {
  const answer = spawnSync(
    process.execPath,
    [TSX, path.join(Definition.REPO_ROOT, 'scripts', script), '--definition', TEST_DEFINITION, ...args],
    { encoding: 'utf8', timeout: 240_000 },
  );
  return { status: answer.status, stdout: answer.stdout, stderr: answer.stderr };
}

interface InfoCentre {
  readonly centreCode: string;
  readonly name: string;
  readonly apiKeys: { readonly operator?: string; readonly auditor?: string };
}

function infoCentres(mspId: string): InfoCentre[] {
  const info = npmScript('consortium-info.ts', ['--json']);
  expect(info.status).toBe(0);
  const { gateways } = JSON.parse(info.stdout) as { gateways: { mspId: string; centres: InfoCentre[] }[] };
  return gateways.find((g) => g.mspId === mspId)?.centres ?? [];
}

describe('npm run centre:add on the running consortium', () => {
  const consortium = testConsortium();
  const guangdong = consortium.centres.find((c) => c.code === '440000')!;
  const layout = new Network(consortium).layout;
  const connections = consortium.orgs.map((org) => Runtime.connectOrg(layout, org));
  const registryAt = (i: number): ReturnType<typeof contractOf> =>
    contractOf(connections[i]!.gateway, consortium, 'registry');
  afterAll(() => {
    for (const connection of connections) connection.close();
  });

  it('refuses a code of another province, naming --code, and changes nothing', async () => {
    const refused = npmScript('centre-add.ts', [
      '--organisation',
      guangdong.mspId,
      '--code',
      '510100',
      '--name',
      '成都住房公积金管理中心',
    ]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('--code: 510100 is not in the province of C440000MSP');
    expect(infoCentres(guangdong.mspId).map((c) => c.centreCode)).not.toContain('510100');
    await expect(withDetails(evaluate(registryAt(0), 'GetCentre', ['510100']))).rejects.toThrow(/NOT_FOUND/);
  });

  it('adds 440400 to C440000MSP: on the ledger, in consortium:info, and its key records a withdrawal there', async () => {
    const added = npmScript('centre-add.ts', [
      '--organisation',
      guangdong.mspId,
      '--code',
      ZHUHAI.code,
      '--name',
      ZHUHAI.name,
      '--json',
    ]);
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
    const printed = JSON.parse(added.stdout) as {
      centreCode: string;
      organisation: string;
      apiKeys: { operator: string };
    };
    expect(printed).toMatchObject({ centreCode: ZHUHAI.code, organisation: guangdong.mspId });

    // Every organisation's peer knows the centre and its organisation.
    for (const i of consortium.orgs.keys()) {
      expect(await evaluate(registryAt(i), 'GetCentre', [ZHUHAI.code])).toEqual({
        code: ZHUHAI.code,
        mspId: guangdong.mspId,
        name: ZHUHAI.name,
      });
    }

    const listed = infoCentres(guangdong.mspId);
    expect(listed.map((c) => c.centreCode)).toEqual(['440000', '440100', '440300', ZHUHAI.code]);
    const zhuhai = listed.find((c) => c.centreCode === ZHUHAI.code)!;
    expect(zhuhai.apiKeys.operator).toBe(printed.apiKeys.operator);

    // The organisation's gateway was restarted with the new key: it records at 440400, and only there.
    const gateway: Runtime.GatewayInfo = { ...gatewayOf(guangdong.mspId), apiKeys: zhuhai.apiKeys };
    const withdrawalId = `CA-${run}`;
    const body = rentWithdrawal(withdrawalId, {
      idType: '01',
      idNumber: residentId('19800101', run % 1000),
      name: '珠海',
    });
    const recorded = await call(gateway, 'operator', 'POST', '/v1/withdrawals', body);
    expect(recorded.status).toBe(201);
    expect(recorded.body).toMatchObject({
      centre: ZHUHAI.code,
      attestationId: `withdrawal:${ZHUHAI.code}:${withdrawalId}`,
      status: 'RECORDED',
    });
    const read = await call(
      gateway,
      'operator',
      'GET',
      `/v1/withdrawals/${withdrawalId}?centre=${ZHUHAI.code}`,
    );
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ centre: ZHUHAI.code, withdrawalId });
  });

  it('is idempotent: the same centre again prints the same key and lists it once', () => {
    const again = npmScript('centre-add.ts', [
      '--organisation',
      guangdong.mspId,
      '--code',
      ZHUHAI.code,
      '--name',
      ZHUHAI.name,
      '--json',
    ]);
    expect(again.status).toBe(0);
    const printed = JSON.parse(again.stdout) as { apiKeys: { operator: string } };
    const listed = infoCentres(guangdong.mspId).filter((c) => c.centreCode === ZHUHAI.code);
    expect(listed).toHaveLength(1);
    expect(listed[0]!.apiKeys.operator).toBe(printed.apiKeys.operator);
    expect(new Network(consortium).gateways().find((g) => g.mspId === guangdong.mspId)?.centres).toHaveLength(
      4,
    );
  });
});
