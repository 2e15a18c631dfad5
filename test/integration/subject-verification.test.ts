import { createHash } from 'node:crypto';

import { evidenceHashOf, foldReference } from '../../chaincode/src/domain';
import { Network, Runtime } from '../../network';
import { testConsortium } from '../support/consortium';
import { call, gatewayOf } from '../support/http';
import {
  contractOf,
  errorText,
  personTransient,
  pseudonymKeyOf,
  residentId,
  subjectRefOf,
  submit,
  transferIdFor,
  withdrawalTransient,
} from '../support/ledger';

/**
 * One person, one subjectRef, checked by every endorser (docs/rules.md "Identity"), on the real network:
 * the reproduction through the HTTP gateways, and a misbehaving centre's forged pseudonyms
 * sent with the raw fabric-gateway client, refused at endorsement by the independent endorser.
 */

const consortium = testConsortium();
const layout = new Network(consortium).layout;
// Sequence numbers 9000-9999 belong to this file (attestations 1000-4999, gateway-http 5000-8999).
const run = 9000 + (Date.now() % 1000);
const today = new Date().toISOString().slice(0, 10);

function org(mspId: string): (typeof consortium.orgs)[number] {
  const found = consortium.orgs.find((o) => o.mspId === mspId);
  if (found === undefined) throw new Error(`no org ${mspId}`);
  return found;
}

const connections = new Map<string, Runtime.OrgConnection>();
function as(mspId: string, contract: string): ReturnType<typeof contractOf> {
  const connection = connections.get(mspId);
  if (connection === undefined) throw new Error(`no connection for ${mspId}`);
  return contractOf(connection.gateway, consortium, contract);
}

beforeAll(() => {
  for (const mspId of ['C110000MSP', 'C440000MSP', consortium.regulator.mspId]) {
    connections.set(mspId, Runtime.connectOrg(layout, org(mspId)));
  }
});
afterAll(() => {
  for (const connection of connections.values()) connection.close();
});

/** What the refusal says, and which organisations' peers said it (fabric-gateway error details). */
async function refusal(promise: Promise<unknown>): Promise<{ text: string; mspIds: string[] }> {
  try {
    await promise;
  } catch (error) {
    const details = (error as { details?: { mspId?: string }[] }).details ?? [];
    return { text: errorText(error), mspIds: details.map((d) => d.mspId ?? '') };
  }
  throw new Error('expected the endorsement to be refused, but it succeeded');
}

describe('the issue reproduction through the HTTP gateways', () => {
  it('lets one purchase contract be withdrawn against once: type 01 at 110000, then 02/03/04/99 at 310000 are 409', async () => {
    const idNumber = residentId('19760909', (run % 900) + 1);
    const contract = `GF-${run}-SV01`;
    const body = (withdrawalId: string, idType: string, typedNumber: string, reference: string): object => ({
      withdrawalId,
      person: { idType, idNumber: typedNumber, name: '同一人' },
      reasonCode: '01',
      amount: '20000.00',
      closesAccount: false,
      evidence: [{ kind: 'PURCHASE_CONTRACT', reference }],
      withdrawnOn: today,
    });
    const first = await call(
      gatewayOf('C110000MSP'),
      'operator',
      'POST',
      '/v1/withdrawals',
      body(`SV-${run}-01`, '01', idNumber, contract),
    );
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ subjectRef: subjectRefOf(layout, idNumber) });

    const fullWidth = idNumber.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));
    const attempts: [string, string][] = [
      ['02', idNumber],
      ['03', idNumber.toLowerCase()],
      ['04', `${idNumber.slice(0, 6)} ${idNumber.slice(6, 14)} ${idNumber.slice(14)}`],
      ['99', fullWidth],
    ];
    const statuses: number[] = [];
    for (const [idType, typed] of attempts) {
      const answer = await call(
        gatewayOf('C310000MSP'),
        'operator',
        'POST',
        '/v1/withdrawals',
        body(`SV-${run}-${idType}`, idType, typed, contract.toLowerCase().replace(/-/g, ' ')),
      );
      statuses.push(answer.status);
      expect(answer.body).toMatchObject({ code: 'DUPLICATE_EVIDENCE' });
    }
    expect(statuses).toEqual([409, 409, 409, 409]);
  });

  it('refuses a mistyped resident ID number under type 99 with 400 instead of minting a pseudonym', async () => {
    const idNumber = residentId('19760909', (run % 900) + 2);
    const typo = `${idNumber.slice(0, 17)}${idNumber.endsWith('0') ? '1' : '0'}`;
    const answer = await call(gatewayOf('C310000MSP'), 'operator', 'POST', '/v1/withdrawals', {
      withdrawalId: `SV-${run}-TYPO`,
      person: { idType: '99', idNumber: typo, name: '笔误' },
      reasonCode: '07',
      amount: '100.00',
      closesAccount: false,
      evidence: [{ kind: 'RENT_CONTRACT', reference: `RENT-${run}` }],
      withdrawnOn: today,
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(JSON.stringify(answer.body)).not.toContain(typo);
  });
});

describe('a misbehaving centre with the raw fabric-gateway client', () => {
  const buyer = residentId('19760909', (run % 900) + 3);
  const reference = `京(2026)SV${run}号`;
  const regulator = consortium.regulator.mspId;
  const args = (withdrawalId: string, subjectRef: string, hash: string): string =>
    JSON.stringify({
      withdrawalId,
      centre: '110000',
      subjectRef,
      reasonCode: '01',
      amount: '30000.00',
      closesAccount: false,
      evidence: [{ kind: 'PURCHASE_CONTRACT', hash }],
      withdrawnOn: today,
    });
  // A fresh pseudonym for the same person: HMAC of another "identity" under the consortium key.
  const forgedRef = subjectRefOf(layout, `FORGED${run}`, '99');

  it('is refused at endorsement (FORBIDDEN) when it sends a forged subjectRef, by the independent endorser too', async () => {
    const transient = withdrawalTransient(buyer, [{ kind: 'PURCHASE_CONTRACT', reference }]);
    const bothPeers = await refusal(
      submit(
        as('C110000MSP', 'withdrawal'),
        'Record',
        [args(`SV-${run}-F1`, forgedRef, evidenceHashOf(pseudonymKeyOf(layout), reference))],
        {
          transient,
          endorsingOrganizations: ['C110000MSP', regulator],
        },
      ),
    );
    expect(bothPeers.text).toMatch(
      /HPF:FORBIDDEN: subjectRef does not match the person in the transient map/,
    );
    const regulatorPeer = await refusal(
      submit(
        as('C110000MSP', 'withdrawal'),
        'Record',
        [args(`SV-${run}-F1`, forgedRef, evidenceHashOf(pseudonymKeyOf(layout), reference))],
        {
          transient,
          endorsingOrganizations: [regulator],
        },
      ),
    );
    expect(regulatorPeer.text).toMatch(/HPF:FORBIDDEN: subjectRef does not match/);
    expect(regulatorPeer.mspIds).toContain(regulator);
  });

  it('is refused at endorsement (FORBIDDEN) when it sends a forged evidence hash', async () => {
    const transient = withdrawalTransient(buyer, [{ kind: 'PURCHASE_CONTRACT', reference }]);
    const forgedHash = evidenceHashOf(pseudonymKeyOf(layout), `${reference}-a-fresh-copy`);
    const refused = await refusal(
      submit(
        as('C110000MSP', 'withdrawal'),
        'Record',
        [args(`SV-${run}-F2`, subjectRefOf(layout, buyer), forgedHash)],
        { transient, endorsingOrganizations: ['C110000MSP', regulator] },
      ),
    );
    expect(refused.text).toMatch(/HPF:FORBIDDEN: evidence hash [0-9a-f]{64} does not match/);
    const regulatorPeer = await refusal(
      submit(
        as('C110000MSP', 'withdrawal'),
        'Record',
        [args(`SV-${run}-F2`, subjectRefOf(layout, buyer), forgedHash)],
        { transient, endorsingOrganizations: [regulator] },
      ),
    );
    expect(regulatorPeer.text).toMatch(/HPF:FORBIDDEN: evidence hash/);
    expect(regulatorPeer.mspIds).toContain(regulator);
  });

  it('is refused at endorsement (FORBIDDEN) when a transfer request names a forged subjectRef', async () => {
    const transferId = transferIdFor(org('C440000MSP'), run);
    const refused = await refusal(
      submit(
        as('C440000MSP', 'transfer'),
        'Request',
        [JSON.stringify({ transferId, fromCentre: '110000', subjectRef: forgedRef })],
        {
          transient: personTransient(buyer, '伪造甲'),
          endorsingOrganizations: ['C440000MSP', 'C110000MSP'],
        },
      ),
    );
    expect(refused.text).toMatch(/HPF:FORBIDDEN: subjectRef does not match the person in the transient map/);
  });

  it('records with the honest subjectRef and hash, and no block holds the person, the reference or the key', async () => {
    const recorded = await submit(
      as('C110000MSP', 'withdrawal'),
      'Record',
      [args(`SV-${run}-OK`, subjectRefOf(layout, buyer), evidenceHashOf(pseudonymKeyOf(layout), reference))],
      {
        transient: withdrawalTransient(buyer, [{ kind: 'PURCHASE_CONTRACT', reference }]),
        endorsingOrganizations: ['C110000MSP', regulator],
      },
    );
    expect(recorded.successful).toBe(true);
    const key = pseudonymKeyOf(layout);
    const secrets = [buyer, reference, key.toString('base64'), key.toString('hex')];
    const qscc = connections.get(regulator)!.gateway.getNetwork(consortium.channel).getContract('qscc');
    const block = Buffer.from(
      await qscc.evaluateTransaction('GetBlockByTxID', consortium.channel, recorded.txId),
    );
    for (const secret of secrets) expect(block.includes(Buffer.from(secret, 'utf8'))).toBe(false);
    expect(block.includes(key)).toBe(false);
    expect(block.includes(Buffer.from(subjectRefOf(layout, buyer), 'utf8'))).toBe(true);
  });
});

describe('personal data in public state: keyed evidence hashes, ID numbers refused (end to end)', () => {
  const buyer = residentId('19760909', (run % 900) + 4);
  const regulator = consortium.regulator.mspId;
  const args = (withdrawalId: string, hash: string): string =>
    JSON.stringify({
      withdrawalId,
      centre: '110000',
      subjectRef: subjectRefOf(layout, buyer),
      reasonCode: '01',
      amount: '30000.00',
      closesAccount: false,
      evidence: [{ kind: 'PURCHASE_CONTRACT', hash }],
      withdrawnOn: today,
    });
  const body = (withdrawalId: string, reference: string): object => ({
    withdrawalId,
    person: { idType: '01', idNumber: buyer, name: '测试购房人' },
    reasonCode: '01',
    amount: '30000.00',
    closesAccount: false,
    evidence: [{ kind: 'PURCHASE_CONTRACT', reference }],
    withdrawnOn: today,
  });

  it('answers 400 naming the field for an ID number as evidence reference, in a withdrawalId or glued in a URL', async () => {
    const gateway = gatewayOf('C110000MSP');
    const asReference = await call(
      gateway,
      'operator',
      'POST',
      '/v1/withdrawals',
      body(`SV-${run}-ID1`, buyer),
    );
    expect(asReference.status).toBe(400);
    expect(asReference.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'evidence[0].reference' }],
    });
    const asId = await call(
      gateway,
      'operator',
      'POST',
      '/v1/withdrawals',
      body(`WD-${buyer}`, `GF-${run}-ID2`),
    );
    expect(asId.status).toBe(400);
    expect(asId.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'withdrawalId' }] });
    const inUrl = await call(gateway, 'operator', 'GET', `/v1/withdrawals/W${buyer}`);
    expect(inUrl.status).toBe(400);
    for (const answer of [asReference, asId, inUrl]) expect(JSON.stringify(answer.body)).not.toContain(buyer);
  });

  it('is refused by the chaincode too (VALIDATION_FAILED at the independent endorser) when the gateway is bypassed', async () => {
    const transient = withdrawalTransient(buyer, [{ kind: 'PURCHASE_CONTRACT', reference: buyer }]);
    const hash = evidenceHashOf(pseudonymKeyOf(layout), buyer);
    for (const endorsers of [['C110000MSP', regulator], [regulator]]) {
      const refused = await refusal(
        submit(as('C110000MSP', 'withdrawal'), 'Record', [args(`SV-${run}-ID3`, hash)], {
          transient,
          endorsingOrganizations: endorsers,
        }),
      );
      expect(refused.text).toMatch(
        /HPF:VALIDATION_FAILED: evidence\[0\]\.reference: must not contain an ID number/,
      );
      expect(refused.text).not.toContain(buyer);
      expect(refused.mspIds).toContain(regulator);
    }
    const idShapedId = await refusal(
      submit(
        as('C110000MSP', 'withdrawal'),
        'Record',
        [args(`WD-${buyer}`, evidenceHashOf(pseudonymKeyOf(layout), `GF-${run}-ID4`))],
        {
          transient: withdrawalTransient(buyer, [{ kind: 'PURCHASE_CONTRACT', reference: `GF-${run}-ID4` }]),
          endorsingOrganizations: [regulator],
        },
      ),
    );
    expect(idShapedId.text).toMatch(/HPF:VALIDATION_FAILED: withdrawalId: must not contain an ID number/);
  });

  it('refuses the unkeyed SHA-256 of a reference at the independent endorser, and records the keyed hash both endorsers recompute', async () => {
    const reference = `沪房地(2026)SV${run}-K号`;
    const transient = withdrawalTransient(buyer, [{ kind: 'PURCHASE_CONTRACT', reference }]);
    const unkeyed = createHash('sha256').update(foldReference(reference), 'utf8').digest('hex');
    const refused = await refusal(
      submit(as('C110000MSP', 'withdrawal'), 'Record', [args(`SV-${run}-K1`, unkeyed)], {
        transient,
        endorsingOrganizations: [regulator],
      }),
    );
    expect(refused.text).toMatch(/HPF:FORBIDDEN: evidence hash [0-9a-f]{64} does not match/);
    const keyed = evidenceHashOf(pseudonymKeyOf(layout), reference);
    // Written only if the centre's and the regulator's chaincode servers, each with its own copy of K,
    // computed the same keyed hash from the transient reference (their read-write sets must agree).
    const recorded = await submit(as('C110000MSP', 'withdrawal'), 'Record', [args(`SV-${run}-K1`, keyed)], {
      transient,
      endorsingOrganizations: ['C110000MSP', regulator],
    });
    expect(recorded.successful).toBe(true);
    const read = await call(gatewayOf('C110000MSP'), 'auditor', 'GET', `/v1/withdrawals/SV-${run}-K1`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ evidence: [{ kind: 'PURCHASE_CONTRACT', hash: keyed }] });
    expect(JSON.stringify(read.body)).not.toContain(unkeyed);
  });
});
