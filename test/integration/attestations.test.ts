import { common } from '@hyperledger/fabric-protos';
import { evidenceHashOf } from '../../chaincode/src/domain';
import { Network, Runtime } from '../../network';
import { testConsortium } from '../support/consortium';
import {
  contractOf,
  withDetails,
  evaluate,
  personTransient,
  pseudonymKeyOf,
  residentId,
  subjectRefOf,
  submit,
  transferIdFor,
  withdrawalTransient,
} from '../support/ledger';
import { confirmOutBody, withdrawalArgument } from '../support/fixtures';

/**
 * The chaincode's cross-province rules on the real network, through the raw fabric-gateway client:
 * key-level endorsement, private data, duplicate evidence, transfer blocks, and what the blocks hold.
 */

const consortium = testConsortium();
const layout = new Network(consortium).layout;
const ENDORSEMENT_POLICY_FAILURE = 10;

function centre(code: string): (typeof consortium.centres)[number] {
  const found = consortium.centres.find((c) => c.code === code);
  if (found === undefined) throw new Error(`no centre ${code}`);
  return found;
}
const beijing = centre('110000');
const shanghai = centre('310000');
const guangdong = centre('440000');
const regulator = consortium.regulator;

// Sequence numbers 1000-4999 belong to this file (gateway-http uses 5000-8999), so IDs never collide.
const run = 1000 + (Date.now() % 4000);
const people = {
  mover: { id: residentId('19850312', (run % 900) + 1), name: '测试迁移人甲' },
  buyer: { id: residentId('19900101', (run % 900) + 2), name: '测试购房人乙' },
  leaver: { id: residentId('19780620', (run % 900) + 3), name: '测试离开人丙' },
};

const connections = new Map<string, Runtime.OrgConnection>();
function as(org: { mspId: string }, contract: string): ReturnType<typeof contractOf> {
  const connection = connections.get(org.mspId);
  if (connection === undefined) throw new Error(`no connection for ${org.mspId}`);
  return contractOf(connection.gateway, consortium, contract);
}

beforeAll(() => {
  for (const org of consortium.orgs) connections.set(org.mspId, Runtime.connectOrg(layout, org));
});
afterAll(() => {
  for (const connection of connections.values()) connection.close();
});

function withdrawal(id: string, centreCode: string, subjectRef: string, reference: string): string {
  const ids = {
    withdrawalId: id,
    centre: centreCode,
    subjectRef,
    evidenceHash: evidenceHashOf(pseudonymKeyOf(layout), reference),
  };
  return JSON.stringify(withdrawalArgument(ids, { amount: '50000.00' }));
}

/** What an honest gateway sends beside `withdrawal(…)` for the endorsers to recompute. */
function withdrawalOf(person: { id: string }, reference: string): Record<string, string> {
  return withdrawalTransient(person.id, [{ kind: 'PURCHASE_CONTRACT', reference }]);
}

describe('transfer-and-continue on the real network', () => {
  const transferId = transferIdFor(guangdong, run);
  const both = [guangdong.mspId, beijing.mspId];

  it('runs a full transfer 110000 → 440000 with both centres endorsing every step', async () => {
    const subjectRef = subjectRefOf(layout, people.mover.id);
    const requested = await submit(
      as(guangdong, 'transfer'),
      'Request',
      [JSON.stringify({ transferId, fromCentre: '110000', subjectRef })],
      {
        transient: personTransient(people.mover.id, people.mover.name),
        endorsingOrganizations: both,
      },
    );
    expect(requested.successful).toBe(true);
    expect(requested.result).toMatchObject({
      transferId,
      status: 'REQUESTED',
      platformCode: '01',
      fromCentre: '110000',
      toCentre: '440000',
    });

    expect(
      (await submit(as(beijing, 'transfer'), 'Accept', [transferId], { endorsingOrganizations: both }))
        .result,
    ).toMatchObject({ status: 'ACCEPTED' });
    const outData = confirmOutBody({
      principal: '80000.00',
      interest: '1234.56',
      openedOn: '2015-03-01',
      loanCount: 0,
      settlementRef: `SR${run}`,
    });
    const confirmed = await submit(
      as(beijing, 'transfer'),
      'ConfirmOut',
      [transferId, JSON.stringify(outData)],
      { endorsingOrganizations: both },
    );
    expect(confirmed.result).toMatchObject({
      status: 'OUT_CONFIRMED',
      platformCode: '08',
      transferOut: { amountFen: 8123456 },
    });
    const completed = await submit(
      as(guangdong, 'transfer'),
      'Complete',
      [
        transferId,
        JSON.stringify({ receivedAmount: '81234.56', receivedOn: new Date().toISOString().slice(0, 10) }),
      ],
      { endorsingOrganizations: both },
    );
    expect(completed.result).toMatchObject({ status: 'COMPLETED', platformCode: '00' });
    const record = (await evaluate(as(shanghai, 'transfer'), 'Get', [transferId])) as {
      history: { step: string; by: string }[];
    };
    expect(record.history.map((h) => `${h.step}:${h.by}`)).toEqual([
      'REQUEST:C440000MSP',
      'ACCEPT:C110000MSP',
      'CONFIRM_OUT:C110000MSP',
      'COMPLETE:C440000MSP',
    ]);
  });

  it('keeps the personal details with the two centres; a third centre sees only hashes', async () => {
    const atSource = (await evaluate(as(beijing, 'transfer'), 'GetPersonalDetails', [transferId])) as {
      name: string;
      idNumber: string;
    };
    const atDestination = (await evaluate(as(guangdong, 'transfer'), 'GetPersonalDetails', [transferId])) as {
      name: string;
    };
    expect(atSource).toMatchObject({ name: people.mover.name, idNumber: people.mover.id });
    expect(atDestination.name).toBe(people.mover.name);

    const third = evaluate(as(shanghai, 'transfer'), 'GetPersonalDetails', [transferId]);
    await expect(withDetails(third)).rejects.toThrow(/HPF:FORBIDDEN/);
    const seenByThird = JSON.stringify(await evaluate(as(shanghai, 'transfer'), 'Get', [transferId]));
    expect(seenByThird).not.toContain(people.mover.name);
    expect(seenByThird).not.toContain(people.mover.id);
    expect(JSON.parse(seenByThird)).toMatchObject({
      subjectRef: subjectRefOf(layout, people.mover.id),
      personHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('fails validation (ENDORSEMENT_POLICY_FAILURE) when a transfer step is endorsed by the acting centre alone', async () => {
    const id = transferIdFor(guangdong, run + 1);
    const subjectRef = subjectRefOf(layout, people.leaver.id);
    await submit(
      as(guangdong, 'transfer'),
      'Request',
      [JSON.stringify({ transferId: id, fromCentre: '110000', subjectRef })],
      {
        transient: personTransient(people.leaver.id, people.leaver.name),
        endorsingOrganizations: both,
      },
    );
    const alone = await submit(as(beijing, 'transfer'), 'Accept', [id], {
      endorsingOrganizations: [beijing.mspId],
    });
    expect(alone.successful).toBe(false);
    expect(alone.validationCode).toBe(ENDORSEMENT_POLICY_FAILURE);
    expect(await evaluate(as(beijing, 'transfer'), 'Get', [id])).toMatchObject({ status: 'REQUESTED' });
  });
});

describe('withdrawals on the real network', () => {
  const contract = `GF-2026-${run}-PURCHASE`;

  it('rejects the same evidence for the same person at a second centre with DUPLICATE_EVIDENCE', async () => {
    const subjectRef = subjectRefOf(layout, people.buyer.id);
    const first = await submit(
      as(beijing, 'withdrawal'),
      'Record',
      [withdrawal(`W${run}A`, '110000', subjectRef, contract)],
      {
        transient: withdrawalOf(people.buyer, contract),
        endorsingOrganizations: [beijing.mspId, regulator.mspId],
      },
    );
    expect(first.result).toMatchObject({ status: 'RECORDED', centre: '110000' });
    const second = submit(
      as(shanghai, 'withdrawal'),
      'Record',
      [withdrawal(`W${run}B`, '310000', subjectRef, contract)],
      {
        transient: withdrawalOf(people.buyer, contract),
        endorsingOrganizations: [shanghai.mspId, regulator.mspId],
      },
    );
    await expect(withDetails(second)).rejects.toThrow(/HPF:DUPLICATE_EVIDENCE/);
    await expect(
      withDetails(evaluate(as(regulator, 'withdrawal'), 'Get', ['310000', `W${run}B`])),
    ).rejects.toThrow(/HPF:NOT_FOUND/);
  });

  it('fails validation when a withdrawal is endorsed by the paying centre alone', async () => {
    const subjectRef = subjectRefOf(layout, people.buyer.id);
    const alone = await submit(
      as(shanghai, 'withdrawal'),
      'Record',
      [withdrawal(`W${run}C`, '310000', subjectRef, `other-${run}`)],
      {
        transient: withdrawalOf(people.buyer, `other-${run}`),
        endorsingOrganizations: [shanghai.mspId],
      },
    );
    expect(alone.validationCode).toBe(ENDORSEMENT_POLICY_FAILURE);
  });

  it('blocks a withdrawal at the source centre once the source accepted the transfer-out', async () => {
    const subjectRef = subjectRefOf(layout, people.leaver.id);
    // The request (above) froze nothing; the source's acceptance, endorsed by both centres, does.
    const accepted = await submit(as(beijing, 'transfer'), 'Accept', [transferIdFor(guangdong, run + 1)], {
      endorsingOrganizations: [beijing.mspId, guangdong.mspId],
    });
    expect(accepted.successful).toBe(true);
    const attempt = submit(
      as(beijing, 'withdrawal'),
      'Record',
      [withdrawal(`W${run}D`, '110000', subjectRef, `leaver-${run}`)],
      {
        transient: withdrawalOf(people.leaver, `leaver-${run}`),
        endorsingOrganizations: [beijing.mspId, regulator.mspId],
      },
    );
    await expect(withDetails(attempt)).rejects.toThrow(/HPF:ACCOUNT_IN_TRANSFER/);
  });

  it("rejects the regulator's attempt to write a business record", async () => {
    const subjectRef = subjectRefOf(layout, people.buyer.id);
    const attempt = submit(
      as(regulator, 'withdrawal'),
      'Record',
      [withdrawal(`W${run}E`, '110000', subjectRef, `reg-${run}`)],
      {
        transient: withdrawalOf(people.buyer, `reg-${run}`),
        endorsingOrganizations: [regulator.mspId, beijing.mspId],
      },
    );
    await expect(withDetails(attempt)).rejects.toThrow(/HPF:FORBIDDEN/);
  });
});

describe('what the blocks hold', () => {
  it('has no raw ID number or name in any block (scanned through qscc)', async () => {
    const qscc = connections.get(regulator.mspId)!.gateway.getNetwork(consortium.channel).getContract('qscc');
    const height = common.BlockchainInfo.deserializeBinary(
      await qscc.evaluateTransaction('GetChainInfo', consortium.channel),
    ).getHeight();
    const secrets = Object.values(people).flatMap((p) => [p.id, p.name]);
    let sawTransfer = false;
    for (let n = 0; n < height; n += 1) {
      const block = Buffer.from(
        await qscc.evaluateTransaction('GetBlockByNumber', consortium.channel, String(n)),
      ).toString('utf8');
      for (const secret of secrets) expect(block.includes(secret)).toBe(false);
      sawTransfer ||= block.includes(subjectRefOf(layout, people.mover.id));
    }
    expect(height).toBeGreaterThan(5);
    expect(sawTransfer).toBe(true);
  });
});
