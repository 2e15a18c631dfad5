import { createHash } from 'node:crypto';

import { canonicalJson } from '../src/codec';
import { AGREED_REGISTRY_VARIABLE, installChaincodeConfig, loadChaincodeConfig } from '../src/config';
import { describePolicy, policySatisfied, wouldValidate } from './fake-stub';
import {
  BEIJING,
  expectHpf,
  GUANGDONG,
  GUANGZHOU,
  SHENZHEN,
  OUTSIDER_MSP,
  parse,
  PSEUDONYM_KEY,
  REGISTRY_INPUT,
  REGULATOR,
  SHANGHAI,
  TestNetwork,
} from './harness';

const SICHUAN = { code: '510000', mspId: 'C510000MSP', name: '四川省住房公积金管理中心' };

describe('registry', () => {
  let net: TestNetwork;

  beforeEach(() => {
    net = new TestNetwork();
  });

  it('Init stores the centres sorted by code, with the rules, and sets a majority policy', async () => {
    const { result, stub, event } = await net.submit(REGULATOR.mspId, (ctx) =>
      net.registry.Init(ctx, JSON.stringify(REGISTRY_INPUT)),
    );
    const registry = parse(result);
    expect(registry.centres).toEqual([BEIJING, SHANGHAI, GUANGDONG, GUANGZHOU, SHENZHEN]);
    expect(registry.rules).toEqual({ evidenceWindowMonths: 12, multiCentreAlertThreshold: 2 });
    expect(event).toEqual({
      type: 'registry.updated',
      id: 'registry',
      centres: ['110000', '310000', '440000', '440100', '440300'],
    });
    const policy = stub.validationWrites.get('registry');
    expect(policy).toBeDefined();
    expect(describePolicy(policy!)).toEqual({
      mspIds: ['C110000MSP', 'C310000MSP', 'C440000MSP'],
      n: 2,
      roles: [3, 3, 3], // MSPRoleType.PEER
    });
    expect(Buffer.from(net.ledger.state.get('registry')!).toString()).toBe(result);
  });

  it('fills in default rules when Init omits them', async () => {
    const { result } = await net.submit(BEIJING.mspId, (ctx) =>
      net.registry.Init(ctx, JSON.stringify({ regulator: REGULATOR, centres: [BEIJING, GUANGDONG] })),
    );
    expect(parse(result).rules).toEqual({ evidenceWindowMonths: 12, multiCentreAlertThreshold: 2 });
  });

  it('Init is idempotent for the same content in another order, and CONFLICT for different content', async () => {
    await net.init();
    const reordered = { ...REGISTRY_INPUT, centres: [SHENZHEN, SHANGHAI, GUANGDONG, GUANGZHOU, BEIJING] };
    const again = await net.submit(BEIJING.mspId, (ctx) => net.registry.Init(ctx, JSON.stringify(reordered)));
    expect(again.stub.writes.size).toBe(0);
    expect(again.event).toMatchObject({ type: 'registry.updated', replay: true });
    const different = { ...REGISTRY_INPUT, centres: [BEIJING, GUANGDONG] };
    await expectHpf(
      net.submit(BEIJING.mspId, (ctx) => net.registry.Init(ctx, JSON.stringify(different))),
      'CONFLICT',
      'registry:',
    );
  });

  it("Init refuses content other than what this organisation agreed (its server's agreed registry digest)", async () => {
    const agreed = {
      regulator: REGULATOR,
      centres: [BEIJING, SHANGHAI, GUANGDONG, GUANGZHOU, SHENZHEN],
      rules: REGISTRY_INPUT.rules,
    };
    const digest = createHash('sha256').update(canonicalJson(agreed), 'utf8').digest('hex');
    installChaincodeConfig({ pseudonymKey: PSEUDONYM_KEY, agreedRegistrySha256: digest });
    try {
      const withoutGuangdong = { ...REGISTRY_INPUT, centres: [BEIJING, SHANGHAI] };
      await expectHpf(
        net.submit(BEIJING.mspId, (ctx) => net.registry.Init(ctx, JSON.stringify(withoutGuangdong))),
        'FORBIDDEN',
        'registry: the content differs from what this organisation agreed',
      );
      // The agreed content in another order is the same registry.
      const { result } = await net.submit(BEIJING.mspId, (ctx) =>
        net.registry.Init(ctx, JSON.stringify(REGISTRY_INPUT)),
      );
      expect(parse(result).centres).toEqual([BEIJING, SHANGHAI, GUANGDONG, GUANGZHOU, SHENZHEN]);
    } finally {
      installChaincodeConfig({ pseudonymKey: PSEUDONYM_KEY });
    }
  });

  it('refuses an agreed registry digest that is not 64 hex digits, naming the variable', () => {
    expect(() =>
      loadChaincodeConfig({ HPF_CC_PSEUDONYM_KEY_FILE: __filename, [AGREED_REGISTRY_VARIABLE]: 'abc' }),
    ).toThrow(`${AGREED_REGISTRY_VARIABLE}: must be a SHA-256 digest`);
  });

  it('Init refuses bad content and callers outside the listed organisations', async () => {
    const duplicateCode = { ...REGISTRY_INPUT, centres: [BEIJING, { ...SHANGHAI, code: '110000' }] };
    await expectHpf(
      net.submit(BEIJING.mspId, (ctx) => net.registry.Init(ctx, JSON.stringify(duplicateCode))),
      'VALIDATION_FAILED',
      'centres: centre codes must be unique',
    );
    const regulatorAsCentre = { ...REGISTRY_INPUT, centres: [{ ...BEIJING, mspId: REGULATOR.mspId }] };
    await expectHpf(
      net.submit(REGULATOR.mspId, (ctx) => net.registry.Init(ctx, JSON.stringify(regulatorAsCentre))),
      'VALIDATION_FAILED',
      "the regulator's MSP ID hosts no centre",
    );
    // One organisation hosts the centres of its own province only.
    const crossProvince = { ...REGISTRY_INPUT, centres: [BEIJING, { ...GUANGZHOU, mspId: BEIJING.mspId }] };
    await expectHpf(
      net.submit(BEIJING.mspId, (ctx) => net.registry.Init(ctx, JSON.stringify(crossProvince))),
      'VALIDATION_FAILED',
      "centres: centre 110000 is not in the province of C110000MSP's centre 440100",
    );
    const badCode = { ...REGISTRY_INPUT, centres: [{ ...BEIJING, code: '110200' }] };
    await expectHpf(
      net.submit(BEIJING.mspId, (ctx) => net.registry.Init(ctx, JSON.stringify(badCode))),
      'VALIDATION_FAILED',
      'centres[0].code',
    );
    await expectHpf(
      net.submit(BEIJING.mspId, (ctx) =>
        net.registry.Init(ctx, JSON.stringify({ ...REGISTRY_INPUT, extra: 1 })),
      ),
      'VALIDATION_FAILED',
      'unexpected field',
    );
    await expectHpf(
      net.submit(OUTSIDER_MSP, (ctx) => net.registry.Init(ctx, JSON.stringify(REGISTRY_INPUT))),
      'FORBIDDEN',
    );
    expect(net.ledger.state.size).toBe(0);
  });

  it('looks centres up by code and by MSP ID; the regulator has code null', async () => {
    await net.init();
    expect(parse(await net.evaluate(SHANGHAI.mspId, (ctx) => net.registry.GetCentre(ctx, '440000')))).toEqual(
      GUANGDONG,
    );
    expect(
      parse(await net.evaluate(SHANGHAI.mspId, (ctx) => net.registry.GetCentreByMsp(ctx, 'C110000MSP'))),
    ).toEqual({ mspId: 'C110000MSP', centres: [BEIJING] });
    expect(
      parse(await net.evaluate(SHANGHAI.mspId, (ctx) => net.registry.GetCentreByMsp(ctx, 'C440000MSP'))),
    ).toEqual({ mspId: 'C440000MSP', centres: [GUANGDONG, GUANGZHOU, SHENZHEN] });
    expect(
      parse(await net.evaluate(SHANGHAI.mspId, (ctx) => net.registry.GetCentreByMsp(ctx, REGULATOR.mspId))),
    ).toEqual({ code: null, ...REGULATOR });
    await expectHpf(
      net.evaluate(SHANGHAI.mspId, (ctx) => net.registry.GetCentre(ctx, '510000')),
      'NOT_FOUND',
    );
    await expectHpf(
      net.evaluate(SHANGHAI.mspId, (ctx) => net.registry.GetCentreByMsp(ctx, 'NobodyMSP')),
      'NOT_FOUND',
    );
    expect(parse(await net.evaluate(SHANGHAI.mspId, (ctx) => net.registry.Get(ctx))).centres).toHaveLength(5);
  });

  it('answers NOT_FOUND before Init', async () => {
    await expectHpf(
      net.evaluate(BEIJING.mspId, (ctx) => net.registry.Get(ctx)),
      'NOT_FOUND',
      'not initialised',
    );
  });

  it('AddCentre needs a majority of existing centres to validate, then resets the policy for n+1', async () => {
    await net.init();
    const { result, stub, event } = await net.submit(BEIJING.mspId, (ctx) =>
      net.registry.AddCentre(ctx, JSON.stringify(SICHUAN)),
    );
    expect(parse(result).centres).toEqual([BEIJING, SHANGHAI, GUANGDONG, GUANGZHOU, SHENZHEN, SICHUAN]);
    expect(event).toMatchObject({ centres: ['110000', '310000', '440000', '440100', '440300', '510000'] });
    // Validation of this AddCentre runs against the policy Init set: 2 of 3 centres.
    expect(wouldValidate(stub, [BEIJING.mspId, REGULATOR.mspId])).toBe(false);
    expect(wouldValidate(stub, [BEIJING.mspId])).toBe(false);
    expect(wouldValidate(stub, [BEIJING.mspId, GUANGDONG.mspId])).toBe(true);
    const newPolicy = stub.validationWrites.get('registry')!;
    expect(describePolicy(newPolicy).n).toBe(3);
    expect(policySatisfied(newPolicy, [BEIJING.mspId, GUANGDONG.mspId])).toBe(false);
    expect(policySatisfied(newPolicy, [BEIJING.mspId, GUANGDONG.mspId, SICHUAN.mspId])).toBe(true);
  });

  it('AddCentre is idempotent for the same centre and CONFLICT for a reused code or MSP ID', async () => {
    await net.init();
    const same = await net.submit(SHANGHAI.mspId, (ctx) =>
      net.registry.AddCentre(ctx, JSON.stringify(SHANGHAI)),
    );
    expect(same.stub.writes.size).toBe(0);
    await expectHpf(
      net.submit(SHANGHAI.mspId, (ctx) =>
        net.registry.AddCentre(ctx, JSON.stringify({ ...SHANGHAI, name: '另一个中心' })),
      ),
      'CONFLICT',
      'centre.code',
    );
    await expectHpf(
      net.submit(SHANGHAI.mspId, (ctx) =>
        net.registry.AddCentre(ctx, JSON.stringify({ ...SICHUAN, mspId: GUANGDONG.mspId })),
      ),
      'CONFLICT',
      'centre.mspId',
    );
    await expectHpf(
      net.submit(OUTSIDER_MSP, (ctx) => net.registry.AddCentre(ctx, JSON.stringify(SICHUAN))),
      'FORBIDDEN',
    );
  });
});
