import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { evidenceHashOf } from '../../chaincode/src/domain';
import path from 'node:path';
import { Network, Cli, Definition, Hosts, Runtime } from '../../network';
import { TEST_DEFINITION, testConsortium } from '../support/consortium';
import {
  contractOf,
  withDetails,
  evaluate,
  personTransient,
  pseudonymKeyOf,
  residentId,
  subjectRefOf,
  submit as submitTx,
  transferIdFor,
  withdrawalTransient,
} from '../support/ledger';
import { CONFIRM_OUT_AMOUNT, confirmOutBody } from '../support/fixtures';

/** A provincial centre joins the running consortium (issue: centres joining). */

const quiet = (): void => undefined;
const sichuan = { code: '510000', mspId: 'C510000MSP', name: '四川省住房公积金管理中心' };
const run = 9000 + (Date.now() % 900);

describe('a centre joining the running consortium', () => {
  it('refuses an update signed by a minority and leaves the consortium unchanged', async () => {
    const consortium = testConsortium();
    const before = await new Network(consortium, { log: quiet }).status();
    const env = { fabric: await Runtime.ensureFabric(quiet), log: quiet };
    const dataDir = consortium.dataDir;
    const work = path.join(dataDir, 'joining', 'minority');
    const common = ['--definition', TEST_DEFINITION, '--data-dir', dataDir, '--org', 'c110000'];
    // organisation:init, member:propose, then member:submit with one admin's signature of the three needed.
    const centreFile = path.join(work, 'organisation.json');
    await Cli.organisationInit(env, {
      definition: TEST_DEFINITION,
      dataDir,
      centre: sichuan,
      out: centreFile,
    });
    const update = await Cli.memberPropose(
      env,
      Cli.parseRoleFlags('member:propose', [
        ...common,
        '--centre-file',
        centreFile,
        '--out',
        path.join(work, 'u.pb'),
      ]),
    );
    const attempt = Cli.memberSubmit(
      env,
      Cli.parseRoleFlags('member:submit', [...common, '--update', update]),
    );
    await expect(attempt).rejects.toThrow(Cli.ConfigUpdateRejected);
    await expect(attempt).rejects.toThrow(
      /1 sub-policies were satisfied, but this policy requires 3 of the 'Admins' sub-policies/,
    );
    const member = Hosts.newPeerHost(
      {
        definition: Definition.readDefinitionContent(TEST_DEFINITION),
        dataDir,
        fabric: env.fabric,
        log: quiet,
      },
      'c110000',
    );
    expect(await member.isChannelMember(sichuan.mspId)).toBe(false);
    expect(Definition.readJoinedCentres(consortium.dataDir)).toEqual([]);
    expect((await new Network(consortium, { log: quiet }).status()).peers.map((p) => p.mspId)).toEqual(
      before.peers.map((p) => p.mspId),
    );
  });

  it('refuses bad input clearly: a duplicate or malformed code, or a network that is not running', async () => {
    const consortium = testConsortium();
    const add = (centre: typeof sichuan, on = consortium): Promise<unknown> =>
      Cli.addOrganisation({ definitionFile: TEST_DEFINITION, consortium: on, centre, log: quiet });
    await expect(add({ code: '110000', mspId: 'C110000MSP', name: '重复' })).rejects.toThrow(
      /organisations\[3\]\.code: duplicate organisation code 110000/,
    );
    await expect(add({ code: '51000', mspId: 'C51000MSP', name: 'x' })).rejects.toThrow(
      Definition.DefinitionError,
    );
    const raw = parseYaml(readFileSync(TEST_DEFINITION, 'utf8')) as Record<string, unknown>;
    const stopped = Definition.validateDefinition(
      { ...raw, basePort: 25000, dataDir: '.hpf-not-running' },
      Definition.REPO_ROOT,
    );
    const attempt = add(sichuan, stopped);
    await expect(attempt).rejects.toThrow(Cli.JoinError);
    await expect(attempt).rejects.toThrow(/the network is not running/);
  });

  describe('after organisation:add (the role commands in sequence)', () => {
    let connections: Map<string, Runtime.OrgConnection>;
    const consortium = (): ReturnType<typeof testConsortium> => testConsortium();

    beforeAll(async () => {
      await Cli.addOrganisation({
        definitionFile: TEST_DEFINITION,
        consortium: testConsortium(),
        centre: sichuan,
        log: quiet,
      });
      const joined = consortium();
      connections = new Map(
        joined.orgs.map((org) => [org.mspId, Runtime.connectOrg(new Network(joined).layout, org)]),
      );
    });
    afterAll(() => {
      for (const c of connections.values()) c.close();
    });
    const as = (mspId: string, contract: string): ReturnType<typeof contractOf> =>
      contractOf(connections.get(mspId)!.gateway, consortium(), contract);

    it('is known to network:status, the registry and the chaincode definition', async () => {
      const result = await new Network(consortium(), { log: quiet }).status();
      expect(result.peers.find((p) => p.mspId === sichuan.mspId)).toMatchObject({ running: true });
      expect(result.chaincode.sequence).toBe(2);
      expect(await evaluate(as('C110000MSP', 'registry'), 'GetCentre', ['510000'])).toEqual(sichuan);
    });

    it('survives network:down followed by network:up (with gateways)', async () => {
      await new Network(consortium(), { log: quiet }).down({ purge: false });
      await Runtime.startConsortium(consortium(), quiet);
      const after = await new Network(consortium(), { log: quiet }).status();
      expect(after.peers.find((p) => p.mspId === sichuan.mspId)).toMatchObject({ running: true });
      expect(after.chaincode.sequence).toBe(2);
      expect(new Network(consortium()).gateways().map((g) => g.mspId)).toContain(sichuan.mspId);
      for (const c of connections.values()) c.close();
      const joined = consortium();
      connections = new Map(
        joined.orgs.map((org) => [org.mspId, Runtime.connectOrg(new Network(joined).layout, org)]),
      );
    });

    it('requests a transfer from 110000 that completes with both centres endorsing', async () => {
      const layout = new Network(consortium()).layout;
      const destination = consortium().centres.find((c) => c.code === '510000')!;
      const transferId = transferIdFor(destination, run);
      const idNumber = residentId('19920202', (run % 900) + 10);
      const both = [sichuan.mspId, 'C110000MSP'];
      const subjectRef = subjectRefOf(layout, idNumber);
      await submitTx(
        as(sichuan.mspId, 'transfer'),
        'Request',
        [JSON.stringify({ transferId, fromCentre: '110000', subjectRef })],
        {
          transient: personTransient(idNumber, '入川测试'),
          endorsingOrganizations: both,
        },
      );
      await submitTx(as('C110000MSP', 'transfer'), 'Accept', [transferId], { endorsingOrganizations: both });
      const out = confirmOutBody({ settlementRef: `SC${run}` });
      await submitTx(as('C110000MSP', 'transfer'), 'ConfirmOut', [transferId, JSON.stringify(out)], {
        endorsingOrganizations: both,
      });
      const done = await submitTx(
        as(sichuan.mspId, 'transfer'),
        'Complete',
        [
          transferId,
          JSON.stringify({
            receivedAmount: CONFIRM_OUT_AMOUNT,
            receivedOn: new Date().toISOString().slice(0, 10),
          }),
        ],
        {
          endorsingOrganizations: both,
        },
      );
      expect(done.successful).toBe(true);
      expect(done.result).toMatchObject({ status: 'COMPLETED', fromCentre: '110000', toCentre: '510000' });
    });

    it('checks a withdrawal at the new centre against evidence already used at an old centre', async () => {
      const layout = new Network(consortium()).layout;
      const idNumber = residentId('19930303', (run % 900) + 20);
      const subjectRef = subjectRefOf(layout, idNumber);
      const reference = `JOIN-${run}-CONTRACT`;
      const hash = evidenceHashOf(pseudonymKeyOf(layout), reference);
      const transient = withdrawalTransient(idNumber, [{ kind: 'PURCHASE_CONTRACT', reference }]);
      const body = (id: string, centre: string): string =>
        JSON.stringify({
          withdrawalId: id,
          centre,
          subjectRef,
          reasonCode: '01',
          amount: '1000.00',
          closesAccount: false,
          evidence: [{ kind: 'PURCHASE_CONTRACT', hash }],
          withdrawnOn: new Date().toISOString().slice(0, 10),
        });
      await submitTx(as('C310000MSP', 'withdrawal'), 'Record', [body(`J${run}A`, '310000')], {
        transient,
        endorsingOrganizations: ['C310000MSP', 'RegulatorMSP'],
      });
      const attempt = submitTx(as(sichuan.mspId, 'withdrawal'), 'Record', [body(`J${run}B`, '510000')], {
        transient,
        endorsingOrganizations: [sichuan.mspId, 'RegulatorMSP'],
      });
      await expect(withDetails(attempt)).rejects.toThrow(/HPF:DUPLICATE_EVIDENCE/);
    });
  });
});
